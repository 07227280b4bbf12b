"""Fair limits on heavy work: PDF reports and exports, per user (issue 11 §4).

A PDF or an XLSX holds a sync gunicorn worker for a tenth of a second to several seconds, and
there are two or three workers, so one user who asks for many at once (six tabs, a script)
makes everyone's pages slow. Every route in `HEAVY_ENDPOINTS` therefore gets, per signed-in user:

- a rate (`HEAVY_RATE`, default 20 per minute, all heavy routes together), counted by
  Flask-Limiter in the app's SQLite file (`store.SQLiteStorage`), so all workers share one count;
- a number running at once (`HEAVY_CONCURRENT`, default 2), a slot row in the same file that is
  given back when the response has been sent (for a streamed CSV: when the stream ends), or
  expires after `HEAVY_SLOT_SECONDS` if a worker was killed.

Beyond either, the answer is 429 with `Retry-After` and the app's own page saying when to try
again. The limits are applied to the view functions here, when the app is made, so the
blueprints keep their routes as they were, and a test checks that every route that makes a PDF,
CSV or XLSX file is listed.
"""

from __future__ import annotations

import math
import time
from functools import wraps

from flask import current_app
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from checklist import store
from checklist.views.database import get_db
from checklist.views.database import thread_connection

# endpoint: what it makes, as the audit log and the error page name it
HEAVY_ENDPOINTS = {
    "visits.report": "visit_report",
    "visits.report_short": "visit_report_short",
    "monitor.monitor_pdf": "monitor_report",
    "calibration.report": "calibration_report",
    "pages.criteria_book": "handbook",
    "exports.visits_csv": "export",
    "exports.visits_csv_semicolon": "export",
    "exports.visits_xlsx": "export",
    "exports.answers_csv": "export",
    "exports.answers_csv_semicolon": "export",
    "exports.answers_xlsx": "export",
    "kobo.form_xlsx": "export",
    "planning.csv": "export",
    "kobo.upload": "import",  # reading an export holds a worker for up to IMPORT_SECONDS
}


# endpoint: its own rate per user (a setting), beside the heavy ones. A photo is decoded and
# re-encoded, up to a second or two and hundreds of MB each (issue 23 §5).
RATED_ENDPOINTS = {"photos.upload": "PHOTO_RATE"}


class Busy(TooManyRequests):
    """This user's allowed number of heavy requests are running now."""

    def __init__(self, most: int, retry_after: int):
        super().__init__()
        self.most = most
        self.retry_after = retry_after


def _user_key() -> str:
    # Heavy routes are behind the login wall, so there is always a user.
    return f"user:{current_user.id}"


def _heavy_rate() -> str:
    return current_app.config["HEAVY_RATE"]


def _with_slot(view):
    """Run the view in one of the user's slots, given back when the response is closed."""

    @wraps(view)
    def guarded(*args, **kwargs):
        config = current_app.config
        slot = store.acquire_slot(get_db(), current_user.id, request.endpoint, config["HEAVY_CONCURRENT"], config["HEAVY_SLOT_SECONDS"])
        if slot is None:
            raise Busy(config["HEAVY_CONCURRENT"], config["HEAVY_BUSY_RETRY_SECONDS"])
        path = config["DATABASE"]
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            store.release_slot(get_db(), slot)
            raise
        if response.is_streamed and not response.direct_passthrough:
            # A streamed CSV is still read from the database while it is sent: the slot is given
            # back after the last byte, when the server closes the response.
            response.call_on_close(lambda: store.release_slot(thread_connection(path), slot))
        else:
            store.release_slot(get_db(), slot)  # a PDF or XLSX is made by now; sending it is cheap
        return response

    return guarded


def _too_many(error):
    """429 in the app's own page, saying when to try again, with `Retry-After`."""
    if isinstance(error, Busy):
        seconds = error.retry_after
        message = _(
            "%(most)s of your reports or exports are being made right now, the most one person can have at once. "
            "Wait until one has arrived, then try again (in about %(seconds)s seconds).",
            most=error.most,
            seconds=seconds,
        )
    else:
        limit = current_app.extensions["checklist_limiter"].current_limit
        seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit else 60
        most = limit.limit.amount if limit else ""
        if request.endpoint in RATED_ENDPOINTS:
            message = _("You sent %(most)s photos within a minute, the most one person can. Try again in %(seconds)s seconds: what you typed is kept.", most=most, seconds=seconds)
        else:
            message = _(
                "You asked for %(most)s reports or exports within a minute, the most one person can. "
                "Try again in %(seconds)s seconds; nothing else is held up.",
                most=most,
                seconds=seconds,
            )
    current_app.logger.info("429 on %s for user %s", request.endpoint, getattr(current_user, "id", None))
    page = render_template("error.html", title=_("Please wait a moment"), message=message, status=429)
    return page, 429, {"Retry-After": str(seconds)}


def init_app(app) -> None:
    """Wrap the heavy views of `app` (after its blueprints are registered) in the two limits."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", store.storage_uri(app.config["DATABASE"]))
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # One limiter per app (the tests make many apps), named so it never mixes with another.
    limiter = Limiter(key_func=_user_key, app=app)
    app.extensions["checklist_limiter"] = limiter
    # The app has no default or application-wide limits, only the ones on the heavy views below
    # (checked when the view is called), so the limiter's check before every request does
    # nothing but cost time on every page (about 0.1 ms): it is taken out again.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    missing = set(HEAVY_ENDPOINTS) - set(app.view_functions)
    if missing:
        raise RuntimeError(f"heavy endpoints without a view: {sorted(missing)}")
    for endpoint in HEAVY_ENDPOINTS:
        view = _with_slot(app.view_functions[endpoint])
        app.view_functions[endpoint] = limiter.shared_limit(_heavy_rate, scope="heavy")(view)
    for endpoint, setting in RATED_ENDPOINTS.items():
        app.view_functions[endpoint] = limiter.limit(lambda setting=setting: current_app.config[setting], scope=endpoint)(app.view_functions[endpoint])
    app.register_error_handler(429, _too_many)
    app.register_error_handler(RateLimitExceeded, _too_many)


def record_download(kind: str, entity_id: int | None = None, detail: str = "") -> None:
    """The audit row of a report download or an export: who, when, which file, which filters."""
    store.audit_event(get_db(), current_user.id, current_user.organisation_id, "download", kind, entity_id, detail)
