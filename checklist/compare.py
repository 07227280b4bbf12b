"""The overview for coordinators: locations x domains, averages per type, who was not visited."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.auth import require
from checklist.db import get_db
from checklist.filters import Filters
from checklist.filters import parse_filters
from checklist.web import get_criteria

bp = Blueprint("compare", __name__, url_prefix="/compare")


def overview_filters() -> Filters:
    """The overview's filters from the URL; problems are shown, never fatal."""
    criteria = get_criteria()
    sorts = {"name", "type", "overall", "date"} | {d.id for d in criteria.domains}
    filters = parse_filters(request.args, {t.id for t in criteria.location_types}, sorts)
    for problem in filters.problems:
        flash(_("Filter ignored: %(problem)s", problem=problem), "error")
    return filters


def months_ago(today: date, months: int) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(today.day, 28))


def sort_rows(rows: list[dict], filters: Filters) -> list[dict]:
    """Sort by a column; locations without a score for it go last either way."""
    key = filters.sort

    def value(row):
        if key == "name":
            return row["name"].lower()
        if key == "type":
            return row["type"]
        if key == "date":
            return row["visit_date"]
        if key == "overall":
            return row["score"]
        cell = row["domains"].get(key)
        return cell["score"] if cell else None

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    # The name breaks ties, so equal scores keep a stable, predictable order.
    return sorted(present, key=lambda r: (value(r), r["name"].lower()), reverse=filters.descending) + sorted(missing, key=lambda r: r["name"].lower())


@bp.get("/")
def index():
    require("compare")
    filters = overview_filters()
    db, scope = get_db(), current_user.scope
    months = current_app.config["NOT_VISITED_MONTHS"]
    cutoff = months_ago(date.today(), months).isoformat()
    overdue = store.overdue_actions(db, scope, date.today().isoformat(), filters) if hasattr(store, "overdue_actions") else []
    return render_template(
        "compare/index.html",
        filters=filters,
        rows=sort_rows(store.heatmap(db, scope, filters), filters),
        averages=store.type_averages(db, scope, filters),
        not_visited=store.not_visited(db, scope, filters, cutoff),
        overdue=overdue,
        months=months,
        organisations=store.list_organisations(db),
        provinces=store.provinces_in_use(db),
        operators=store.operators_in_use(db),
    )
