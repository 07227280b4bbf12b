"""Pages without a subject of their own: the start page, the health check, the language switch."""

from __future__ import annotations

from flask import Blueprint
from flask import make_response
from flask import redirect
from flask import request
from flask import url_for

from checklist.core.i18n import LANGUAGE_COOKIE
from checklist.core.i18n import LANGUAGES
from checklist.views.security import safe_next

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    return redirect(url_for("locations.index"))


@bp.route("/health")
def health():
    """For monitoring: answers without a login or a database query."""
    return {"status": "ok"}


@bp.post("/language")
def set_language():
    """Remember the chosen language in a cookie and go back to the page the user was on."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("pages.index")
    response = make_response(redirect(target))
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
