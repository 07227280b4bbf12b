"""The overview for coordinators: locations x domains, averages per type, who was not visited."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.core.filters import Filters
from checklist.views.forms import read_filters
from checklist.core.ids import parse_id
from checklist.reports.visit_data import load_visit
from checklist.reports.comparable import Mixed
from checklist.reports.comparable import lineage_for
from checklist.reports.comparable import overview_rows
from checklist.reports.comparable import shared_figures
from checklist.reports.comparable import versions_of
from checklist.core.comparable import rescore
from checklist.views.common import get_criteria
from checklist.views.i18n import current_language

bp = Blueprint("overview", __name__, url_prefix="/compare")


def overview_filters() -> Filters:
    """The overview's filters from the URL; problems are shown, never fatal."""
    criteria = get_criteria()
    sorts = {"name", "type", "overall", "date"} | {d.id for d in criteria.domains}
    form = read_filters(request.args, criteria, sorts)
    for problem in form.ignored():
        flash(_("Filter ignored: %(problem)s", problem=problem), "error")
    for problem in form.form_errors:  # a reversed period: nothing can match
        flash(problem, "error")
    return form.filters()


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
    context = overview_page(
        get_db(), current_user.scope, filters, get_criteria(), current_language(), date.today(),
        current_app.config["NOT_VISITED_MONTHS"], current_app.config["LOW_COVERAGE"],
    )
    return render_template("overview/index.html", **context)


def overview_page(db, scope, filters: Filters, criteria, lang: str, today: date, months: int, low_coverage: float) -> dict:
    """What the overview template renders (also what `bench.scale` renders alone)."""
    cutoff = (today - relativedelta(months=months)).isoformat()  # 31 March - 1 month = 28/29 February
    rows, averages, mixed = overview_rows(db, scope, filters, criteria, low_coverage)
    provinces, organisations, operators = store.provinces_in_use(db), store.list_organisations(db), store.operators_in_use(db)
    choices = {  # (value, label) per checkbox group of the filters
        "type": [(t.id, t.label.get(lang)) for t in criteria.location_types],
        "province": [(p, p) for p in provinces],
        "organisation": [(o["id"], o["name"]) for o in organisations],
        "operator": [(o, o) for o in operators],
    }
    return {
        "filters": filters,
        "rows": sort_rows(rows, filters),
        "averages": averages,
        "low_coverage": low_coverage,
        "left_out": sum(a.get("left_out", 0) for a in averages),
        "mixed": mixed,
        "not_visited": store.not_visited(db, scope, filters, cutoff),
        "overdue": store.overdue_actions(db, scope, today, filters),
        "months": months,
        "choices": choices,
    }


@bp.get("/side")
def side_by_side():
    """2-4 locations' latest visits next to each other, and the criteria where they differ most."""
    require("compare")
    db, scope = get_db(), current_user.scope
    wanted = []
    for value in request.args.getlist("location"):
        location_id = parse_id(value)  # anything else is not a location: left out, as an unknown id is
        if location_id is not None and location_id not in wanted:
            wanted.append(location_id)
    columns = []
    for location_id in wanted[:4]:
        location = store.get_location(db, location_id)
        trend = store.location_trend(db, location_id, scope) if location else []
        if location and trend:
            columns.append(load_visit(db, trend[-1]["visit_id"], scope))
    if wanted and len(columns) < 2:
        flash(_("Choose two to four locations that have a submitted visit you may see."), "error")
    columns = columns if len(columns) >= 2 else []
    key = lineage_for(db, get_criteria()).key
    red_flags = [b.score.red_flags for b in columns]
    versions = versions_of(db, (b.visit["criteria_hash"] for b in columns))
    common, shared_scores = None, [None] * len(columns)
    if len(versions) > 1:
        # Different checklists: beside each visit's own score, the same visit scored on the
        # criteria every visit has (after `replaces:`), labelled as such.
        shared = set.intersection(*({key(line.criterion_id) for d in b.score.domains for line in d.lines} for b in columns))
        common = len(shared)
        shared_scores = [shared_figures(rescore(b.score, lambda cid: key(cid) in shared, b.criteria)) for b in columns]
    partners = store.complete_partners(db, (b.visit["id"] for b in columns), scope)
    return render_template(
        "overview/side.html",
        columns=columns,
        shared=shared_scores,
        pairs=[partners.get(b.visit["id"]) for b in columns],
        red_flags=red_flags,
        mixed=Mixed(versions, common),
        differences=largest_differences(columns, key) if columns else [],
        choices=store.heatmap(db, scope, Filters(closed="all")),
        wanted=wanted,
    )


def largest_differences(bundles, key=lambda cid: cid, limit: int = 10) -> list[dict]:
    """Criteria scored at every visit (matched through `key`, the lineage across criteria
    versions), ordered by how far their points lie apart; `ids` holds each visit's own id."""
    points = [{key(line.criterion_id): (line.criterion_id, line.points) for d in b.score.domains for line in d.lines if line.points is not None} for b in bundles]
    shared = set(points[0]).intersection(*points[1:])
    rows = [
        {
            "criterion_id": points[0][k][0],
            "ids": [p[k][0] for p in points],
            "spread": max(p[k][1] for p in points) - min(p[k][1] for p in points),
        }
        for k in shared
    ]
    rows = [r for r in rows if r["spread"] > 0]
    rows.sort(key=lambda r: (-r["spread"], r["criterion_id"]))
    return rows[:limit]


@bp.get("/types.svg")
def types_svg():
    """Mean domain scores per location type for the overview's filters: the report's chart."""
    from checklist.views.i18n import current_language
    from checklist.reports.charts import chart_width
    from checklist.reports.charts import drawing_to_svg
    from checklist.reports.charts import type_domain_chart

    require("compare")
    _rows, rows, _mixed = overview_rows(get_db(), current_user.scope, overview_filters(), get_criteria(), current_app.config["LOW_COVERAGE"])
    phone = request.args.get("size") == "phone"
    drawing = type_domain_chart(rows, get_criteria(), current_language(), width=chart_width(phone))
    return Response(drawing_to_svg(drawing, phone=phone), mimetype="image/svg+xml")


@bp.get("/legend.svg")
def legend_svg():
    """The status colours with the thresholds from the criteria file, as in the PDFs."""
    from checklist.views.i18n import current_language
    from checklist.reports.charts import chart_width
    from checklist.reports.charts import drawing_to_svg
    from checklist.reports.charts import status_legend

    require("compare")
    phone = request.args.get("size") == "phone"
    drawing = status_legend(current_language(), get_criteria().scoring.status_bands, width=chart_width(phone))
    return Response(drawing_to_svg(drawing, phone=phone), mimetype="image/svg+xml")
