"""The site: every blueprint registered, template helpers, clean request parameters, error pages."""

from __future__ import annotations

from flask import Request as FlaskRequest
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict

from checklist.core import labels
from checklist.core import scoring
from checklist.store import VisitLocked
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations
from checklist.views.common import csrf
from checklist.views.common import get_criteria
from checklist.views.converters import IdConverter
from checklist.core.text import NONCHARACTERS
from checklist.core.text import clean_text



class CleanParameters(ImmutableMultiDict):
    """Query-string and form parameters without Unicode non-characters or lone surrogates.

    The one place where typed text enters the app, so no form, filter or view can store
    a character that makes an export or a report unreadable (see checklist.core.text).
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


# When even the error page cannot be drawn (say the database is gone), this is what is left.
_BARE_SERVER_ERROR = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Er ging iets mis – Something went wrong</title></head>
<body>
<h1>Er ging iets mis</h1>
<p>De server kon dit verzoek niet afmaken. Probeer het over een paar minuten opnieuw.</p>
<h1 lang="en">Something went wrong</h1>
<p lang="en">The server could not complete this request. Try again in a few minutes.</p>
</body>
</html>
"""


def _server_error(error):
    """A 500 in the app's own page and the user's language, without any internals.

    Flask has already logged an unhandled exception with its traceback (logger "checklist");
    an explicit abort(500) has none, so it is logged here."""
    if getattr(error, "original_exception", None) is None:
        current_app.logger.error("500 on %s %s: %s", request.method, request.path, error)
    try:
        return _error_page(
            500,
            _("Something went wrong"),
            _(
                "The server could not complete this request, so your last step may not have been saved. "
                "Go back, check and try again. If it keeps happening, tell the administrator of your organisation what you did and when."
            ),
        )
    except Exception:
        current_app.logger.exception("the error page for a 500 failed too")
        return _BARE_SERVER_ERROR, 500, {"Content-Type": "text/html; charset=utf-8"}


def init_app(app) -> None:
    from checklist.views import actions
    from checklist.views import assets
    from checklist.views import device
    from checklist.views import calibration
    from checklist.views import admin
    from checklist.views import auth
    from checklist.views import exports
    from checklist.views import kobo
    from checklist.views import locations
    from checklist.views import monitor
    from checklist.views import offline
    from checklist.views import overview
    from checklist.views import pages
    from checklist.views import operators
    from checklist.views import photos
    from checklist.views import planning
    from checklist.views import replies
    from checklist.views import visits

    app.request_class = Request
    # Before any blueprint: every `<int:...>` takes ASCII digits within SQLite's range only.
    app.url_map.converters["int"] = IdConverter
    csrf.init_app(app)
    auth.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(monitor.bp)
    app.register_blueprint(overview.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(locations.bp)
    app.register_blueprint(visits.bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(calibration.bp)
    app.register_blueprint(photos.bp)
    app.register_blueprint(offline.bp)
    assets.init_app(app)
    device.init_app(app)
    app.register_blueprint(kobo.bp)
    app.register_blueprint(replies.bp)
    app.register_blueprint(operators.bp)
    app.register_blueprint(planning.bp)

    @app.context_processor
    def helpers():
        lang = current_language()
        gettext = request_translations().gettext
        answer_labels = labels.answer_labels(gettext)
        status_labels = labels.status_labels(gettext)
        evidence_labels = labels.evidence_labels(gettext)

        def status_badge(status, score=None):
            """A coloured status with its score; a function, not a macro, as pages show dozens."""
            text = status_labels[status] + (f" · {labels.format_score(score)}" if score is not None else "")
            return Markup('<span class="badge status-{}">{}</span>').format(status, text)

        return {
            "lang": lang,
            "answer_text": lambda criterion, answer: labels.describe_answer(criterion, answer, lang, answer_labels),
            "answer_labels": answer_labels,
            "anchor_labels": labels.anchor_labels(gettext),
            "anchor_legend": lambda: labels.anchor_legend(gettext),
            "answer_rows": lambda bundle: labels.answer_rows(bundle.criteria, bundle.score, bundle.answers, lang, answer_labels, evidence_labels),
            "evidence_labels": evidence_labels,
            "evidence_text": lambda answer: labels.describe_evidence(answer, evidence_labels),
            "status_labels": status_labels,
            "status_marks": labels.STATUS_MARKS,
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
    def visit_locked(e):
        """A change that reached a visit just submitted by someone else: nothing was stored."""
        flash(_("This visit has been submitted and can no longer be changed."), "error")
        return redirect(url_for("visits.detail", visit_id=e.args[0]), 303)

    app.register_error_handler(VisitLocked, visit_locked)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(404, lambda e: _error_page(404, _("Not found"), _("This page or item does not exist (any more).")))
    app.register_error_handler(
        413, lambda e: _error_page(413, _("Too much data"), _("The form was larger than the server accepts. Shorten long notes and try again."))
    )
    app.register_error_handler(
        400, lambda e: _error_page(400, _("Bad request"), getattr(e, "description", None) or _("The request could not be understood."))
    )
