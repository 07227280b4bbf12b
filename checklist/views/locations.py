"""Locations: list with search and filters, create, edit, close."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from checklist import store
from checklist.views.common import actor
from checklist.views.common import require
from checklist.views.common import get_location_or_404
from checklist.views.database import get_db
from checklist.views.follow_up import location_actions
from checklist.core.history import location_history
from checklist.reports.visit_data import load_visit
from checklist.reports.observations import bundle_observations
from checklist.reports.observations import location_observations
from checklist.reports.comparable import lineage_for
from checklist.reports.follow_up import cycles
from checklist.views.follow_up import start_page_escalations
from checklist.reports.comparable import versions_of
from checklist.views.forms import LocationForm
from checklist.views.i18n import current_language
from checklist.views.common import csrf
from checklist.views.common import get_criteria

bp = Blueprint("locations", __name__, url_prefix="/locations")
HISTORY_VISITS = 12  # the observations read for "what changed" and "failing again and again"


@bp.get("/")
def index():
    """All locations; search by name or municipality, filter by type and province."""
    args = request.args
    q = args.get("q", "").strip()
    type_ = args.get("type", "")
    province = args.get("province", "")
    include_closed = args.get("closed") == "1"
    locations = store.list_locations(get_db(), current_user.scope, q=q, type_=type_, province=province, include_closed=include_closed)
    return render_template(
        "locations/index.html",
        locations=locations,
        provinces=store.provinces_in_use(get_db()),
        filters={"q": q, "type": type_, "province": province, "closed": include_closed},
        escalations=start_page_escalations(),
    )


def _location_form(location=None):
    form = LocationForm(data=location)
    form.set_type_choices(get_criteria(), current_language())
    return form


@bp.route("/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token (forms.Form)
def new():
    require("edit_locations")
    form = _location_form()
    if form.validate_on_submit():
        # The same name (up to case and spaces) is most often the same place typed twice: it is
        # named and has to be confirmed, with everything typed kept in the form.
        same_name = store.locations_named(get_db(), form.name.data)
        if same_name and not form.different_location.data:
            return render_template("locations/form.html", form=form, location=None, same_name=same_name), 409
        location_id = store.create_location(get_db(), form.data, actor())
        flash(_("Location saved."), "success")
        return redirect(url_for("locations.detail", location_id=location_id))
    return render_template("locations/form.html", form=form, location=None), form.status()


# The history of a location's facts: what each field is called and the words for each action.
FIELD_LABELS = {
    "name": _l("Name"),
    "type": _l("Type of location"),
    "municipality": _l("Municipality"),
    "province": _l("Province"),
    "operator": _l("Operator"),
    "capacity": _l("Capacity (places)"),
    "children": _l("Number of children living there"),
    "closed_on": _l("Closed on"),
}
ACTION_LABELS = {"create": _l("Created"), "update": _l("Changed"), "close": _l("Closed"), "reopen": _l("Reopened")}


def location_changes(location_id: int) -> list[dict]:
    """The location's history, newest first: one entry per change (who, when, what) with its
    fields, from `store.location_changes` (one row per field). Type ids read as their labels."""
    criteria, lang = get_criteria(), current_language()

    def shown(field, value):
        if value is None or value == "":
            return "–"
        return criteria.location_type_label(value, lang) if field == "type" else value

    entries: list[dict] = []
    for row in store.location_changes(get_db(), location_id):
        key = (row["at"], row["action"], row["user_id"])
        if not entries or entries[-1]["key"] != key:
            entries.append({"key": key, "at": row["at"], "action": ACTION_LABELS[row["action"]], "created": row["action"] == "create", "user": row["user_name"], "organisation": row["organisation"], "fields": []})
        if row["field"]:
            entries[-1]["fields"].append(
                {"field": row["field"], "label": FIELD_LABELS.get(row["field"], row["field"]), "old": shown(row["field"], row["old_value"]), "new": shown(row["field"], row["new_value"]), "known": row["new_value"] is not None or row["old_value"] is not None}
            )
    order = list(FIELD_LABELS)
    for entry in entries:
        entry["fields"].sort(key=lambda f: order.index(f["field"]) if f["field"] in order else len(order))
    return entries


@bp.get("/<int:location_id>")
def detail(location_id: int):
    location = get_location_or_404(location_id)
    visits = store.location_visits(get_db(), location_id, current_user.scope)
    trend = location_observations(get_db(), location_id, current_user.scope)
    recent = [load_visit(get_db(), v["visit_id"], current_user.scope) for o in trend[-HISTORY_VISITS:] for v in o["visits"]]
    observed = bundle_observations(get_db(), recent)
    return render_template(
        "locations/detail.html",
        location=location,
        visits=visits,
        trend=trend,
        history=location_history(observed, lineage_for(get_db(), get_criteria()).key),
        history_pairs=[o for o in observed[-2:] if o.is_pair],
        trend_versions=versions_of(get_db(), (o["criteria_hash"] for o in trend for _visit in o["visits"])),
        latest=recent[-1] if recent else None,
        open_actions=[] if current_user.scope.nothing else location_actions(location, get_criteria()),
        changes=location_changes(location_id),
        cycles=[] if current_user.scope.nothing else cycles(get_db(), store.location_findings(get_db(), location_id, current_user.scope), current_language()),
    )


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit(location_id: int):
    require("edit_locations")
    location = get_location_or_404(location_id)
    form = _location_form(location)
    if form.validate_on_submit():
        store.update_location(get_db(), location_id, form.data, actor())
        flash(_("Location saved."), "success")
        return redirect(url_for("locations.detail", location_id=location_id))
    return render_template("locations/form.html", form=form, location=location), form.status()


@bp.post("/<int:location_id>/close")
def close(location_id: int):
    """Close a location (or reopen it); its visits stay in the history."""
    require("edit_locations")
    location = get_location_or_404(location_id)
    reopen = request.form.get("reopen") == "1"
    store.set_location_closed(get_db(), location_id, None if reopen else date.today().isoformat(), actor())
    flash(_("Location reopened.") if reopen else _("Location closed. Its visits stay in the history."), "success")
    return redirect(url_for("locations.detail", location_id=location["id"]))


@bp.get("/<int:location_id>/trend.svg")
def trend_svg(location_id: int):
    """Domain scores over the visits this user may see: the same drawing code as the PDFs."""
    from datetime import date as date_type

    from checklist.views.i18n import current_language
    from checklist.reports.charts import chart_width
    from checklist.reports.charts import drawing_to_svg
    from checklist.reports.charts import trend_chart

    location = get_location_or_404(location_id)
    lang = current_language()
    series = {}
    trend = location_observations(get_db(), location_id, current_user.scope)  # a calibration pair is one point
    for domain in get_criteria().domains_for(location["type"]):
        points = [(date_type.fromisoformat(v["visit_date"]), v["domains"][domain.id]["score"]) for v in trend if v["domains"].get(domain.id, {}).get("score") is not None]
        if points:
            series[domain.title.get(lang)] = points
    phone = request.args.get("size") == "phone"
    size = {"width": chart_width(True), "height": chart_width(True) * 0.7} if phone else {}
    return Response(drawing_to_svg(trend_chart(series, lang, **size), phone=phone), mimetype="image/svg+xml")
