"""Response headers for every page: a strict CSP, no framing, no sniffing, no caching of data.

The CSP allows scripts and styles from the app itself only, so the templates hold no
inline script or style (a test checks them). `safe_next` is the one check for every
redirect to a target the browser sent (`?next=` after signing in, the language switch).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",  # blob: a photo waiting on the device, shown from the outbox
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the one check before redirecting to
    a target that came from the browser.

    Allowed: a path starting with a single "/" (optionally with a query), no scheme, no host.
    Refused: "//host" and "/\\host" (browsers read both as another host), and any control
    character, whitespace or backslash, as typed or once percent-decoded: browsers drop tabs and
    newlines, so `?next=/%09/evil.example` would lead to //evil.example, and a newline cannot go
    in a header at all.
    """
    if not target or not target.startswith("/"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    if target.startswith(("//", "/\\")) or any(ch.isspace() or _unsafe_char(ch) for ch in target):
        return None
    decoded = unquote(target)  # "%20" may stay (a space in a path is harmless), "%09" or "%5c" may not
    if decoded.startswith(("//", "/\\")) or any(_unsafe_char(ch) for ch in decoded):
        return None
    return target


def _unsafe_char(ch: str) -> bool:
    # Cc: C0/C1 controls and DEL; Cf: invisible format characters; Cs: lone surrogates.
    return ch == "\\" or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def init_app(app) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Every page but the static files and the favicon: no shared or back-button copy of anything a signed-in
        # user saw. Decided without asking who is signed in, so a public response (the health
        # check, the login page) never loads a session from the database.
        if request.endpoint not in ("static", "assets.versioned", "pages.favicon"):
            headers["Cache-Control"] = "no-store"
        return response
