"""Calibration: a coordinator pairs two visits; the pair's agreement page and PDF; the
criteria across all pairs ordered by agreement.

Who sees what: coordinators of the organisation see every pair and pair visits. Anyone
else sees a pair only when both visits are submitted and in their scope; while a pair is
open, a visitor who works on one of its visits does not see the other one anywhere (the
scope hides it, `core.calibration.blind_visits`), so the pair page answers 404 for them.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.core import calibration
from checklist.core.agreement import format_alpha
from checklist.core.agreement import format_share
from checklist.core.i18n import translations_for
from checklist.reports.calibration_data import criteria_ranking
from checklist.reports.calibration_data import load_pair
from checklist.reports.calibration_data import pair_view
from checklist.reports.calibration_report import method_texts
from checklist.views.calibration_panel import problem_texts
from checklist.views.limits import record_download
from checklist.views.common import actor
from checklist.views.common import get_bundle_or_404
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.i18n import current_language

bp = Blueprint("calibration", __name__)


def _candidates(bundle) -> list[dict]:
    """The location's other visits this coordinator may see, each with what stops pairing it."""
    db, visit = get_db(), bundle.visit
    others = [v for v in store.location_visits(db, visit["location_id"], current_user.scope) if v["id"] != visit["id"]]
    workers = store.visit_workers(db, [visit["id"], *(v["id"] for v in others)])
    paired = store.paired_visit_ids(db)
    texts = problem_texts()
    out = []
    for other in others:
        problems = calibration.pair_problems(visit, other, workers[visit["id"]], workers[other["id"]], paired)
        out.append({"visit": other, "problems": [texts[p] for p in problems], "eligible": not problems})
    out.sort(key=lambda c: (not c["eligible"], calibration.days_apart(visit, c["visit"])))
    return out


@bp.route("/visits/<int:visit_id>/calibration", methods=["GET", "POST"])
def pair(visit_id: int):
    """Pair this visit with another for calibration: a form listing the eligible visits."""
    require("calibrate")
    bundle = get_bundle_or_404(visit_id)
    existing = store.visit_pair(get_db(), visit_id)
    if existing is not None:
        return redirect(url_for("calibration.detail", pair_id=existing["id"]))
    candidates = _candidates(bundle)
    status = 200
    if request.method == "POST":
        chosen = next((c for c in candidates if str(c["visit"]["id"]) == request.form.get("other", "")), None)
        if chosen is None:
            flash(_("Choose one of the visits listed."), "error")
            status = 400
        elif not chosen["eligible"]:
            flash(_("These two visits cannot be paired: %(reasons)s", reasons="; ".join(chosen["problems"])), "error")
            status = 400
        else:
            other = chosen["visit"]
            try:
                pair_id = store.create_pair(get_db(), visit_id, other["id"], bundle.visit["location_id"], bundle.visit["organisation_id"], actor())
            except store.AlreadyPaired:
                flash(_("One of these visits was paired meanwhile."), "error")
                return redirect(url_for("calibration.pair", visit_id=visit_id), 303)
            flash(_("Calibration pair made. Until both visits are submitted, neither visitor sees the other visit."), "success")
            return redirect(url_for("calibration.detail", pair_id=pair_id), 303)
    return (
        render_template(
            "calibration/pair.html",
            bundle=bundle,
            candidates=candidates,
            eligible=[c for c in candidates if c["eligible"]],
            max_days=calibration.PAIR_MAX_DAYS,
        ),
        status,
    )


def _pair_or_404(pair_id: int):
    """The pair with both visits, if this user may see it: coordinators always, others
    when both visits are submitted (and the scope shows both)."""
    loaded = load_pair(get_db(), pair_id, current_user.scope)
    if loaded is None:
        abort(404)
    pair, a, b = loaded
    if not current_user.may("calibrate") and not pair["complete"]:
        abort(404)
    return loaded


@bp.get("/calibration/<int:pair_id>")
def detail(pair_id: int):
    pair, a, b = _pair_or_404(pair_id)
    view = pair_view(pair, a, b, current_language(), _)
    return render_template("calibration/detail.html", view=view, method=method_texts(_), share=format_share, alpha=format_alpha)


@bp.get("/calibration/<int:pair_id>/report.pdf")
def report(pair_id: int):
    from checklist.reports.calibration_report import build_calibration_report

    pair, a, b = _pair_or_404(pair_id)
    lang = current_language()
    view = pair_view(pair, a, b, lang, translations_for(lang).gettext)
    pdf = build_calibration_report(view)
    record_download("calibration_report", pair_id)
    name = f"calibration-{pair_id}-{a.visit['visit_date']}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/calibration/")
def index():
    """Every pair of the organisation, and the criteria ordered by agreement, lowest first."""
    require("calibrate")
    db = get_db()
    ranking, counted = criteria_ranking(db, current_user.scope, current_language())
    return render_template(
        "calibration/index.html",
        pairs=store.list_pairs(db, current_user.scope),
        ranking=ranking,
        counted=counted,
        method=method_texts(_),
        share=format_share,
        alpha=format_alpha,
    )
