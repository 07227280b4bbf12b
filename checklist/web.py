"""Wiring of the web side: blueprints, template helpers, error pages, language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import Request as FlaskRequest
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict

from checklist import labels
from checklist import scoring
from checklist.i18n import LANGUAGE_COOKIE
from checklist.i18n import LANGUAGES
from checklist.i18n import current_language
from checklist.i18n import request_translations
from checklist.ids import IdConverter
from checklist.text import NONCHARACTERS
from checklist.text import clean_text

bp = Blueprint("pages", __name__)
csrf = CSRFProtect()


def get_criteria():
    """The criteria version in use for new visits."""
    return current_app.extensions["criteria"]


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
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("pages.index")
    response = make_response(redirect(target))
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


class CleanParameters(ImmutableMultiDict):
    """Query-string and form parameters without Unicode non-characters or lone surrogates.

    The one place where typed text enters the app, so no form, filter or view can store
    a character that makes an export or a report unreadable (see checklist.text).
    """

    def __init__(self, mapping=None):
        super().__init__(mapping)
        dirty = lambda v: isinstance(v, str) and NONCHARACTERS.search(v)  # noqa: E731
        if any(dirty(key) or any(dirty(v) for v in values) for key, values in dict.items(self)):
            cleaned: dict = {}
            for key, values in dict.items(self):
                cleaned.setdefault(clean_text(key), []).extend(clean_text(v) if isinstance(v, str) else v for v in values)
            dict.clear(self)
            dict.update(self, cleaned)


class Request(FlaskRequest):
    parameter_storage_class = CleanParameters


def _error_page(status, title, message):
    return render_template("error.html", title=title, message=message, status=status), status


def init_app(app) -> None:
    from checklist import actions
    from checklist import admin
    from checklist import auth
    from checklist import compare
    from checklist import exports
    from checklist import locations
    from checklist import reporting
    from checklist import visits

    app.request_class = Request
    # Before any blueprint: every `<int:...>` takes ASCII digits within SQLite's range only.
    app.url_map.converters["int"] = IdConverter
    csrf.init_app(app)
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(reporting.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(locations.bp)
    app.register_blueprint(visits.bp)
    app.register_blueprint(actions.bp)

    @app.context_processor
    def helpers():
        lang = current_language()
        gettext = request_translations().gettext
        answer_labels = labels.answer_labels(gettext)
        status_labels = labels.status_labels(gettext)

        def status_badge(status, score=None):
            """A coloured status with its score; a function, not a macro, as pages show dozens."""
            text = status_labels[status] + (f" · {labels.format_score(score)}" if score is not None else "")
            return Markup('<span class="badge status-{}">{}</span>').format(status, text)

        return {
            "lang": lang,
            "answer_text": lambda criterion, answer: labels.describe_answer(criterion, answer, lang, answer_labels),
            "answer_labels": answer_labels,
            "answer_rows": lambda bundle: labels.answer_rows(bundle.criteria, bundle.score, bundle.answers, lang, answer_labels),
            "status_labels": status_labels,
            "status_badge": status_badge,
            "status_for": lambda score: scoring.status_for(score, get_criteria().scoring.status_bands),
            "role_labels": labels.role_labels(gettext),
            "format_score": labels.format_score,
            "format_coverage": labels.format_coverage,
            "tr": lambda text: text.get(lang) if text is not None else "",
            "criteria": get_criteria(),
            "type_label": lambda type_id: get_criteria().location_type_label(type_id, lang),
        }

    app.register_error_handler(
        CSRFError,
        lambda e: _error_page(400, _("Please try again"), _("The page had been open too long or came from elsewhere, so nothing was changed. Go back, reload the page and try again.")),
    )
    app.register_error_handler(404, lambda e: _error_page(404, _("Not found"), _("This page or item does not exist (any more).")))
    app.register_error_handler(
        413, lambda e: _error_page(413, _("Too much data"), _("The form was larger than the server accepts. Shorten long notes and try again."))
    )
    app.register_error_handler(
        400, lambda e: _error_page(400, _("Bad request"), getattr(e, "description", None) or _("The request could not be understood."))
    )
