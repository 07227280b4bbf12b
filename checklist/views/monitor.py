"""The aggregate (monitor) report: `/reports/monitor.pdf` with the overview's filters.

`/reports/` is a GET form (so a chosen report is a bookmarkable URL) where a coordinator
or monitor picks the period, types, province, organisation, operator and whether
locations are named; the PDF covers the visits the reader's scope allows: a
coordinator's own organisation, or every organisation's submitted visits for a monitor.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone
from io import BytesIO

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask import send_file
from flask_login import current_user

from checklist import store
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.core.filters import Filters
from checklist.views.forms import read_filters
from checklist.views.i18n import current_language
from checklist.views.common import get_criteria
from checklist.views.limits import record_download

bp = Blueprint("monitor", __name__, url_prefix="/reports")

KNOWN_SORTS = {"name"}


def _filters() -> tuple[Filters, list[str]]:
    form = read_filters(request.args, get_criteria(), KNOWN_SORTS)
    return form.filters(), form.problems()


def _form(filters: Filters, problems: list[str], anonymise: bool, status: int = 200):
    db = get_db()
    return (
        render_template(
            "monitor/index.html",
            filters=filters,
            problems=problems,
            anonymise=anonymise,
            # An empty form reports on open and closed locations: a period report covers
            # every location visited in it, also one that has closed since.
            closed=filters.closed if request.args else "all",
            provinces=store.provinces_in_use(db),
            operators=store.operators_in_use(db),
            organisations=store.list_organisations(db) if current_user.scope.organisation_id is None else [],
        ),
        status,
    )


@bp.get("/")
def index():
    """The form for the monitor report."""
    require("export")
    return _form(*_filters(), request.args.get("anonymise") == "1")


@bp.get("/monitor.pdf")
def monitor_pdf():
    """The aggregate report as a PDF attachment, in the user's language."""
    from checklist.reports.monitor_data import monitor_report_data
    from checklist.reports.monitor_report import build_monitor_report

    require("export")
    filters, problems = _filters()
    anonymise = request.args.get("anonymise") == "1"
    if problems:
        return _form(filters, problems, anonymise, 400)
    data = monitor_report_data(
        get_db(),
        current_user.scope,
        filters,
        get_criteria(),
        current_language(),
        anonymise,
        datetime.now(timezone.utc).isoformat(timespec="seconds"),
        current_app.config["LOW_COVERAGE"],
    )
    pdf = build_monitor_report(data)
    record_download("monitor_report", None, f"{filters.query(sort='name')}{'&anonymise=1' if anonymise else ''}")
    period = "-".join(d.isoformat() for d in (filters.since, filters.until) if d) or "all"
    name = f"monitor-report-{period}{'-anonymised' if anonymise else ''}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)
