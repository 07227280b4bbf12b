"""Visits: create a draft, walk the checklist domain by domain, review, submit, report."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from checklist import store
from checklist.auth import actor
from checklist.auth import require
from checklist.db import get_db
from checklist.forms import VisitForm
from checklist.forms import ReopenForm
from checklist.forms import VoiceForm
from checklist.forms import checklist_initial
from checklist.forms import checklist_values
from checklist.forms import choices
from checklist.forms import field_key
from checklist.forms import make_checklist_form
from checklist.cache import LRUCache
from checklist.i18n import current_language
from checklist.locations import get_location_or_404
from checklist.visit_data import load_visit
from checklist.visit_data import previous_answers
from checklist.visit_data import previous_visit
from checklist.visit_data import visit_report
from checklist.web import csrf
from checklist.web import get_criteria

bp = Blueprint("visits", __name__)


def get_bundle_or_404(visit_id: int):
    """The visit if this user may see it; otherwise 404, whether or not it exists."""
    bundle = load_visit(get_db(), visit_id, current_user.scope)
    if bundle is None:
        abort(404)
    return bundle


def refuse_if_submitted(bundle):
    """A submitted visit is read-only: every change is refused and nothing is stored.

    Also refuses roles that never change visits (monitor, admin)."""
    require("edit_visits")
    if not bundle.is_draft:
        flash(_("This visit has been submitted and can no longer be changed."), "error")
        abort(redirect(url_for("visits.detail", visit_id=bundle.visit["id"]), 303))


def _visit_form(**kwargs):
    return VisitForm(**kwargs)


@bp.route("/locations/<int:location_id>/visits/new", methods=["GET", "POST"])
@csrf.exempt  # forms check their own token (forms.Form), so an expired one loses nothing
def new(location_id: int):
    """Create a draft visit for a location, then start the checklist."""
    require("edit_visits")
    location = get_location_or_404(location_id)
    if location["closed_on"]:  # the location page offers no "New visit" for it; a direct request gets why
        flash(_("This location is closed, so no new visit can be recorded. Reopen the location first if it takes in residents again."), "error")
        return redirect(url_for("locations.detail", location_id=location_id), 303)
    form = _visit_form(data={"visit_date": date.today(), "children_present": None})
    if form.validate_on_submit():
        values = dict(form.values(), organisation_id=current_user.organisation_id)
        visit_id = store.create_visit(get_db(), location_id, values, get_criteria().hash, actor())
        return redirect(url_for("visits.detail", visit_id=visit_id))
    return render_template("visits/details.html", form=form, location=location, visit=None), form.status()


@bp.route("/visits/<int:visit_id>/details", methods=["GET", "POST"])
@csrf.exempt
def details(visit_id: int):
    bundle = get_bundle_or_404(visit_id)
    if request.method == "POST":
        refuse_if_submitted(bundle)
    visit = dict(bundle.visit, visit_date=date.fromisoformat(bundle.visit["visit_date"]), announced=str(bundle.visit["announced"]))
    form = _visit_form(data=visit)
    if form.validate_on_submit():
        store.update_visit_details(get_db(), visit_id, form.values(), actor())
        flash(_("Visit details saved."), "success")
        return redirect(url_for("visits.detail", visit_id=visit_id))
    return render_template("visits/details.html", form=form, location=bundle.location, visit=bundle.visit), form.status()


@bp.get("/visits/<int:visit_id>")
def detail(visit_id: int):
    """A draft's overview with where to continue; a submitted visit in full, read-only."""
    return _render_detail(get_bundle_or_404(visit_id))


def _render_detail(bundle, reopen_form=None):
    voices = store.visit_voices(get_db(), bundle.visit["id"])
    body = None if bundle.is_draft else _submitted_body(bundle, voices)
    if reopen_form is None and current_user.may("reopen_visits") and not bundle.is_draft:
        reopen_form = ReopenForm(formdata=None)
    return render_template(
        "visits/detail.html",
        bundle=bundle,
        voices=voices,
        continue_domain=_continue_domain(bundle),
        submitted_body=body,
        history=store.visit_history(get_db(), bundle.visit["id"]),
        reopen_form=reopen_form,
    )


def _submitted_body(bundle, voices):
    """A submitted visit never changes, so its long read-only body is rendered once.

    The key holds everything the body shows that could still change: the visit's version,
    the location (name), the previous visit, and the language.
    """
    previous = store.previous_submitted_visit(get_db(), bundle.visit, current_user.scope)
    key = (bundle.visit["id"], bundle.visit["version"], bundle.location["updated_at"], previous and previous["id"], current_language())
    bodies = current_app.extensions.setdefault("submitted_visit_bodies", LRUCache(maxsize=256))  # one per app: tests run many
    body = bodies.get(key)
    if body is None:
        previous_bundle = previous_visit(get_db(), bundle, current_user.scope) if previous else None
        body = Markup(render_template("visits/_submitted_body.html", bundle=bundle, voices=voices, previous=previous_bundle))
        bodies.put(key, body)
    return body


def _continue_domain(bundle):
    """Where the visitor stopped: the last domain saved, else the first."""
    ids = [d.id for d in bundle.domains]
    current = bundle.visit.get("current_domain")
    return current if current in ids else (ids[0] if ids else None)


@bp.route("/visits/<int:visit_id>/domains/<domain_id>", methods=["GET", "POST"])
@csrf.exempt
def domain(visit_id: int, domain_id: str):
    """One checklist page: the criteria of one domain that apply to the location's type."""
    bundle = get_bundle_or_404(visit_id)
    domains = bundle.domains
    current = next((d for d in domains if d.id == domain_id), None)
    if current is None:
        abort(404)
    if request.method == "POST":
        refuse_if_submitted(bundle)
    criteria_list = current.criteria_for(bundle.location["type"])
    note_max = _note_max()
    if request.method == "POST":
        form = make_checklist_form(criteria_list, note_max)
        form.validate()
        base = {c.id: request.form[f"base_{field_key(c.id)}"] for c in criteria_list if f"base_{field_key(c.id)}" in request.form}
        if form.csrf_expired:  # nothing saved: the page comes back as typed, with a fresh token
            return _render_domain(bundle, current, form, [c.id for c in criteria_list], {}, base), 400
        to_save, with_errors = checklist_values(form, criteria_list)
        go = request.form.get("go", "")
        # Remember where the visitor is going, so "continue" brings them back there.
        target = go[7:] if go.startswith("domain:") and not form.errors else domain_id
        result = store.save_answers(get_db(), visit_id, to_save, current_domain=target, base=base, actor=actor())
        if result.conflicts:
            flash(_("Someone else changed some of these answers while you were working. Both versions are shown: check them and save again."), "error")
            return _render_domain(load_visit(get_db(), visit_id, current_user.scope), current, form, with_errors, result.conflicts, base), 409
        if form.errors:
            flash(_("Not everything could be saved: check the marked fields. Your input is still here."), "error")
            return _render_domain(load_visit(get_db(), visit_id, current_user.scope), current, form, with_errors, {}, base), 422
        flash(_("Saved."), "success")
        return redirect(_after_save(visit_id, domains, current, go), 303)
    form = make_checklist_form(criteria_list, note_max, data=checklist_initial(criteria_list, bundle.answers))
    if not bundle.is_draft:
        return redirect(url_for("visits.detail", visit_id=visit_id, _anchor=f"domain-{domain_id}"))
    return _render_domain(bundle, current, form, [])


def _note_max():
    return current_app.config["NOTE_MAX_LENGTH"]


def _render_domain(bundle, current, form, with_errors, conflicts=None, posted_base=None):
    """The checklist page. Each criterion carries the fingerprint of the stored answer the
    visitor is editing (`base_*`), so a later save can tell their change from someone else's;
    after a conflict it is the other person's version, so saving again keeps the visitor's."""
    previous = previous_answers(get_db(), bundle, current_user.scope)
    domains = bundle.domains
    index = [d.id for d in domains].index(current.id)
    criteria_list = current.criteria_for(bundle.location["type"])
    fingerprints = {c.id: store.fingerprint(bundle.answers.get(c.id)) for c in criteria_list}
    for cid in with_errors:  # not saved: keep what the visitor started from
        if posted_base and cid in posted_base:
            fingerprints[cid] = posted_base[cid]
    return render_template(
        "visits/domain.html",
        bundle=bundle,
        domain=current,
        criteria_list=criteria_list,
        form=form,
        fingerprints=fingerprints,
        conflicts=conflicts or {},
        field_key=field_key,
        with_errors=with_errors,
        previous=previous,
        position=index + 1,
        prev_domain=domains[index - 1] if index > 0 else None,
        next_domain=domains[index + 1] if index + 1 < len(domains) else None,
    )


def _after_save(visit_id, domains, current, go):
    """Where a save button leads: the same page, a neighbour, any domain, or the review."""
    ids = [d.id for d in domains]
    if go == "review":
        return url_for("visits.review", visit_id=visit_id)
    if go == "children":
        return url_for("visits.children", visit_id=visit_id)
    if go.startswith("domain:") and go[7:] in ids:
        return url_for("visits.domain", visit_id=visit_id, domain_id=go[7:])
    return url_for("visits.domain", visit_id=visit_id, domain_id=current.id)


@bp.route("/visits/<int:visit_id>/children", methods=["GET", "POST"])
@csrf.exempt
def children(visit_id: int):
    """What children said: short entries with an age band and a domain, never names."""
    bundle = get_bundle_or_404(visit_id)
    if request.method == "POST":
        refuse_if_submitted(bundle)
    lang = current_language()
    form = VoiceForm()
    form.domain_id.choices = choices([("", "—")] + [(d.id, d.title.get(lang)) for d in bundle.domains])
    if form.validate_on_submit():
        store.add_voice(get_db(), visit_id, form.age_band.data, form.domain_id.data, form.text.data, actor())
        flash(_("Saved."), "success")
        return redirect(url_for("visits.children", visit_id=visit_id), 303)
    voices = store.visit_voices(get_db(), visit_id)
    return render_template("visits/children.html", bundle=bundle, form=form, voices=voices), form.status()


@bp.post("/visits/<int:visit_id>/children/<int:voice_id>/delete")
def delete_voice(visit_id: int, voice_id: int):
    bundle = get_bundle_or_404(visit_id)
    refuse_if_submitted(bundle)
    store.delete_voice(get_db(), visit_id, voice_id, actor())
    flash(_("Entry removed."), "success")
    return redirect(url_for("visits.children", visit_id=visit_id), 303)


@bp.get("/visits/<int:visit_id>/review")
def review(visit_id: int):
    """Scores, red flags, coverage and unanswered criteria before submitting."""
    bundle = get_bundle_or_404(visit_id)
    return render_template("visits/review.html", bundle=bundle, voices=store.visit_voices(get_db(), visit_id))


@bp.post("/visits/<int:visit_id>/submit")
def submit(visit_id: int):
    bundle = get_bundle_or_404(visit_id)
    refuse_if_submitted(bundle)
    store.submit_visit(get_db(), visit_id, actor(), score=bundle.score)
    flash(_("The visit has been submitted. It is now read-only."), "success")
    return redirect(url_for("visits.detail", visit_id=visit_id), 303)


@bp.post("/visits/<int:visit_id>/reopen")
@csrf.exempt  # the form checks its own token (forms.Form)
def reopen(visit_id: int):
    """A coordinator reopens a submitted visit of their organisation, with a reason."""
    require("reopen_visits")
    bundle = get_bundle_or_404(visit_id)
    form = ReopenForm()
    if not form.validate_on_submit():  # the reason typed comes back on the visit page
        return _render_detail(bundle, form if not bundle.is_draft else None), form.status()
    if bundle.is_draft:
        flash(_("This visit is not submitted."), "error")
    else:
        store.reopen_visit(get_db(), visit_id, form.reason.data, actor())
        flash(_("The visit is open for changes again. The submitted version stays in its history."), "success")
    return redirect(url_for("visits.detail", visit_id=visit_id), 303)


@bp.get("/visits/<int:visit_id>/report.pdf")
def report(visit_id: int):
    """The PDF visit report in the user's language; a draft's report is marked as draft."""
    from checklist.reports.visit_report import build_visit_report

    bundle = get_bundle_or_404(visit_id)
    pdf = build_visit_report(visit_report(get_db(), bundle, current_language(), current_user.scope))
    name = f"visit-{visit_id}-{bundle.visit['visit_date']}{'-draft' if bundle.is_draft else ''}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/visits/<int:visit_id>/chart.svg")
def chart(visit_id: int):
    """The domain score chart, the same drawing as in the PDF."""
    from checklist.reports.charts import domain_bar_chart
    from checklist.reports.charts import drawing_to_svg

    bundle = get_bundle_or_404(visit_id)
    svg = drawing_to_svg(domain_bar_chart(bundle.score, bundle.criteria, current_language()))
    return Response(svg, mimetype="image/svg+xml")
