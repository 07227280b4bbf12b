"""Planning the next visits (coordinators): every open location where children live, by how
long ago it was last visited, with its open escalations and overdue replies; as a page and
as CSV. The rules of the order are in `checklist.core.planning`."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_login import current_user

from checklist import store
from checklist.core import planning
from checklist.core import replies as rules
from checklist.reports.csv_export import csv_chunks
from checklist.reports.follow_up import finding_cycle
from checklist.views.common import get_criteria
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.limits import record_download

bp = Blueprint("planning", __name__, url_prefix="/planning")

CSV_COLUMNS = (
    "location_id", "location", "type", "municipality", "province", "operator", "children", "unaccompanied_minors_first",
    "last_visit", "months_since", "past_floor", "floor_months", "criteria_version", "open_escalations", "overdue_replies",
)


@bp.before_request
def coordinators_only():
    require("plan_visits")


def _floor() -> int:
    chosen = request.args.get("floor", type=int)
    return chosen if chosen is not None and 1 <= chosen <= 60 else current_app.config["PLANNING_FLOOR_MONTHS"]


def _rows(floor: int) -> list[dict]:
    db, org, today = get_db(), current_user.organisation_id, date.today()
    escalations = Counter(e["location_id"] for e in store.organisation_escalations(db, org))
    cycles = ((f["location_id"], finding_cycle(f, today.isoformat())) for f in store.organisation_findings(db, org))
    overdue = Counter(location for location, c in cycles if c.state == rules.NO_REPLY and not c.closed)
    rows = store.planning_rows(db, current_user.scope)
    return [dict(r, open_escalations=escalations[r["id"]], overdue_replies=overdue[r["id"]]) for r in planning.plan(rows, today, floor)]


@bp.get("/")
def index():
    floor = _floor()
    rows = _rows(floor)
    return render_template("planning/index.html", rows=rows, floor=floor, past=sum(r["past_floor"] for r in rows))


@bp.get("/planning.csv")
def csv():
    """The same rows as CSV (cells that start like a formula are written as text)."""
    floor, lang = _floor(), current_language()
    criteria = get_criteria()
    rows = [
        {
            "location_id": r["id"], "location": r["name"], "type": criteria.location_type_label(r["type"], lang), "municipality": r["municipality"],
            "province": r["province"], "operator": r["operator"], "children": r["children"], "unaccompanied_minors_first": r["priority"],
            "last_visit": r["last_visit"], "months_since": r["months"], "past_floor": r["past_floor"], "floor_months": floor,
            "criteria_version": r["criteria_version"], "open_escalations": r["open_escalations"], "overdue_replies": r["overdue_replies"],
        }
        for r in _rows(floor)
    ]
    record_download("planning_csv", None, f"floor={floor}")
    response = Response(stream_with_context(csv_chunks(CSV_COLUMNS, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="planning-{date.today().isoformat()}.csv"'
    return response
