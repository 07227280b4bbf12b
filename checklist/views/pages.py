"""Pages without a subject of their own: the start page, the health check, the language
switch, the favicon, and the handbook of the checklist."""

from __future__ import annotations

import re
import threading
from io import BytesIO

from cachetools import LRUCache
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import make_response
from flask import redirect
from flask import request
from flask import send_file
from flask import send_from_directory
from flask import url_for
from flask_login import current_user

from checklist import store
from checklist.core.i18n import LANGUAGES
from checklist.views.common import get_criteria
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.i18n import language_cookie_name
from checklist.views.security import safe_next

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    """The start page: an operator's own page, everyone else's the locations."""
    if current_user.may("reply_findings"):
        return redirect(url_for("replies.operator_home"))
    return redirect(url_for("locations.index"))


@bp.route("/health")
def health():
    """For monitoring: answers without a login or a database query."""
    return {"status": "ok"}


FAVICON_MAX_AGE = 30 * 24 * 3600  # the icon changes hardly ever; a month in the browser's cache


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root whatever the page links (a 404 on every first visit
    otherwise); public and cached for a month, unlike every page (see security.py)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=FAVICON_MAX_AGE)


@bp.post("/language")
def set_language():
    """Remember the chosen language in a cookie and go back to the page the user was on."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("pages.index")
    response = make_response(redirect(target))
    if lang in LANGUAGES:
        # Like the session cookie: HTTPS only (unless the local config turns that off), this host only, same-site.
        response.set_cookie(
            language_cookie_name(),
            lang,
            max_age=365 * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite=current_app.config["SESSION_COOKIE_SAMESITE"],
            httponly=True,
            path="/",
        )
    return response


@bp.get("/criteria/handbook.pdf")
def criteria_book():
    """The handbook of the checklist in the user's language, for every signed-in user: the
    criteria in use, or with `?version=<hash>` a stored version (the one a visit was made with)."""
    from checklist.reports.criteria_book import build_criteria_book

    digest = request.args.get("version", "")
    if digest:
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not store.find_criteria_versions(get_db(), digest):
            abort(404)
        criteria = store.criteria_for_hash(get_db(), digest)
    else:
        criteria = get_criteria()
    lang = current_language()
    books, lock = _books()
    key = (criteria.hash, lang)
    with lock:
        pdf = books.get(key)
    if pdf is None:
        pdf = build_criteria_book(criteria, lang)
        with lock:
            books[key] = pdf
    name = f"checklist-handbook-{criteria.version}-{lang}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


def _books() -> tuple[LRUCache, threading.Lock]:
    """Handbooks built in this app (a criteria version's text never changes under its hash):
    a few versions in two languages, some 100 kB each."""
    extensions = current_app.extensions
    if "criteria_books" not in extensions:
        extensions.setdefault("criteria_books", (LRUCache(maxsize=8), threading.Lock()))
    return extensions["criteria_books"]
