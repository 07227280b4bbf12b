"""Per-render memos of the template globals a page calls many times with the same arguments.

A submitted visit's page offers a "record an action" form for every criterion not met (forty
or more), each calling `url_for` with the same arguments and `csrf_token()`; Flask's
`url_for` builds the URL again each time and Flask-WTF's `generate_csrf` reads its
configuration each time. Within one render neither answer can change (the same request, the
same session), so each render gets versions that remember them.
"""

from __future__ import annotations

from flask import current_app
from flask_wtf.csrf import generate_csrf


def init_app(app) -> None:
    @app.context_processor
    def memoised_globals():
        return {"url_for": _memo_url_for(current_app.url_for), "csrf_token": _memo_csrf_token()}


def _memo_url_for(url_for):
    built: dict = {}

    def memo_url_for(endpoint: str, **values):
        # Relative endpoints (".name") and the underscore options (_external, _anchor, ...)
        # are rare in templates: those go straight to Flask.
        if endpoint.startswith(".") or any(name.startswith("_") for name in values):
            return url_for(endpoint, **values)
        try:
            key = (endpoint, *values.items())
            url = built.get(key)
        except TypeError:  # an unhashable value, e.g. a list for a repeated query parameter
            return url_for(endpoint, **values)
        if url is None:
            url = built[key] = url_for(endpoint, **values)
        return url

    return memo_url_for


def _memo_csrf_token():
    token: list[str] = []

    def csrf_token() -> str:
        if not token:
            token.append(generate_csrf())  # lazily: a render without a form sets no session token
        return token[0]

    return csrf_token
