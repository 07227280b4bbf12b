"""Visits: create a draft, walk the checklist domain by domain, review, submit, report."""

from __future__ import annotations

import re
import threading
from datetime import date
from datetime import timedelta
from io import BytesIO

from cachetools import LRUCache
from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from markupsafe import escape

from checklist import store
from checklist.views.common import actor
from checklist.store import VisitLocked
from checklist.views.common import require
from checklist.views.common import get_bundle_or_404
from checklist.views.common import get_location_or_404
from checklist.views.database import get_db
from checklist.views.follow_up import checklist_open_actions
from checklist.views.follow_up import visit_action_panel
from checklist.views.forms import VisitForm
from checklist.views.forms import ReopenForm
from checklist.views.forms import VoiceForm
from checklist.views.forms import checklist_initial
from checklist.views.checklist_save import CONFLICT
from checklist.views.checklist_save import ERROR
from checklist.views.checklist_save import NOT_SAVED
from checklist.views.checklist_save import UNCHANGED
from checklist.views.checklist_save import field_names
from checklist.views.checklist_save import save_page
from checklist.views.forms import choices
from checklist.views.forms import expired_token_message
from checklist.views.forms import COUNT_FIELD
from checklist.views.forms import field_key
from checklist.views.forms import make_checklist_form
from checklist.views.forms import refresh_criterion
from checklist.core import wire
from checklist.core.ids import client_key
from checklist.core.labels import answer_labels
from checklist.core.labels import band_phrases
from checklist.core.labels import describe_answer
from checklist.core.labels import describe_evidence
from checklist.core.labels import evidence_labels
from checklist.core.labels import records_hint
from checklist.core.labels import sampling_marker
from checklist.core.evidence import EVIDENCE_TYPES
from checklist.core.save_protocol import Version
from checklist.core.scoring import low_coverage
from checklist.core.scoring import score_visit
from checklist.core.scoring import visit_facts
from checklist.views.i18n import current_language
from checklist.views.visit_state import visit_state
from checklist.views.limits import record_download
from checklist.reports.visit_data import load_visit
from checklist.views.calibration_panel import visit_calibration
from checklist.views.photo_panel import photo_panel
from checklist.views.photo_panel import thumb_size
from checklist.reports.visit_data import previous_answers
from checklist.reports.visit_data import previous_observation
from checklist.reports.visit_data import previous_observation_rows
from checklist.reports.visit_data import visit_report
from checklist.views.common import csrf
from checklist.views.common import get_criteria
from checklist.views.common import absolute_url
from checklist.views.common import send_mail_soon
from checklist.reports.follow_up import after_submit
from checklist.reports.follow_up import visit_reply_lines

bp = Blueprint("visits", __name__)


def refuse_if_submitted(bundle):
    """A submitted visit is read-only: every change is refused and nothing is stored.

    Also refuses roles that never change visits (monitor, admin)."""
    require("edit_visits")
    if not bundle.is_draft:
        flash(_("This visit has been submitted and can no longer be changed."), "error")
        abort(redirect(url_for("visits.detail", visit_id=bundle.visit["id"]), 303))


def locked_message():
    """What a visitor reads when their save arrived after someone submitted the visit."""
    return _("This visit has just been submitted, so nothing was saved. What you typed is shown below: copy what you need, or ask a coordinator to reopen the visit.")


def _written_unless_submitted(write, *args) -> bool:
    """Run a write to a draft. If someone submitted the visit meanwhile, nothing is stored:
    say so and return False, so the view shows the page again with what was typed (409)."""
    try:
        write(*args)
    except VisitLocked:
        flash(locked_message(), "error")
        return False
    return True


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
        require("edit_visits")
    visit = dict(bundle.visit, visit_date=date.fromisoformat(bundle.visit["visit_date"]), announced=str(bundle.visit["announced"]))
    form = _visit_form(data=visit)
    locked = False
    if form.validate_on_submit():
        if _written_unless_submitted(store.update_visit_details, get_db(), visit_id, form.values(), actor()):
            flash(_("Visit details saved."), "success")
            return redirect(url_for("visits.detail", visit_id=visit_id))
        locked = True
    page = render_template("visits/details.html", form=form, location=bundle.location, visit=bundle.visit)
    return page, 409 if locked else form.status()


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
        panel=visit_action_panel(bundle),
        replies={} if bundle.is_draft else visit_reply_lines(get_db(), bundle.visit["id"], current_language()),
        findings_send=None if bundle.is_draft else store.visit_send(get_db(), bundle.visit["id"]),
        default_reply_due=(date.today() + timedelta(weeks=current_app.config["REPLY_DEADLINE_WEEKS"])).isoformat(),
        calibration=visit_calibration(bundle),
        photos=photo_panel(bundle.visit["id"]),
        thumb_size=thumb_size,
        state=visit_state(bundle) if bundle.is_draft else None,
    )


@bp.get("/visits/<int:visit_id>/state")
def state(visit_id: int):
    """The draft's state as the server has it now: the page's script fetches it after what
    waited reached the server, so the counts it shows are the server's again."""
    response = jsonify(visit_state(get_bundle_or_404(visit_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _submitted_body(bundle, voices) -> list[tuple[Markup, str | None]]:
    """A submitted visit never changes, so its long read-only body is rendered once.

    The key holds everything the body shows that could still change: the visit's version,
    the location (name), the previous visit, and the language. What depends on the reader
    (the actions under each criterion, with their buttons and CSRF tokens) is not in it:
    the body is kept in parts, each followed by the id of the criterion whose row it ends
    with (None after the last), and the page puts that criterion's actions between them.
    """
    previous = tuple(v["id"] for v in previous_observation_rows(get_db(), bundle.visit, current_user.scope))
    key = (bundle.visit["id"], bundle.visit["version"], bundle.location["updated_at"], previous, current_language())
    bodies, lock = _submitted_bodies()
    with lock:
        body = bodies.get(key)
    if body is None:
        observed = previous_observation(get_db(), bundle, current_user.scope) if previous else None
        html = render_template("visits/_submitted_body.html", bundle=bundle, voices=voices, previous=observed, action_slot=_action_slot)
        body = _split_at_slots(html)
        with lock:
            bodies[key] = body
    return body


_SLOT = "<!--criterion-actions:{}-->"
_SLOT_PATTERN = re.compile(r"<!--criterion-actions:([^<>]*?)-->")


def _action_slot(criterion_id: str) -> Markup:
    """Where a criterion's actions go in the cached body. User text is escaped before it
    reaches the body, so no answer or note can make one."""
    return Markup(_SLOT.format(escape(criterion_id)))


def _split_at_slots(html: str) -> list[tuple[Markup, str | None]]:
    parts = _SLOT_PATTERN.split(html)  # text, id, text, id, ..., text
    ids = [Markup(cid).unescape() for cid in parts[1::2]]
    return [(Markup(text), cid) for text, cid in zip(parts[0::2], [*ids, None])]


def _submitted_bodies() -> tuple[LRUCache, threading.Lock]:
    """This app's rendered bodies (one cache per app: tests make many), with the lock its
    request threads share; the 256 most recently shown are kept, the least recent dropped."""
    extensions = current_app.extensions
    if "submitted_visit_bodies" not in extensions:
        extensions.setdefault("submitted_visit_bodies", (LRUCache(maxsize=256), threading.Lock()))
    return extensions["submitted_visit_bodies"]


def _continue_domain(bundle):
    """Where the visitor stopped: the last domain saved, else the first."""
    ids = [d.id for d in bundle.domains]
    current = bundle.visit.get("current_domain")
    return current if current in ids else (ids[0] if ids else None)


@bp.route("/visits/<int:visit_id>/domains/<domain_id>", methods=["GET", "POST"])
@csrf.exempt
def domain(visit_id: int, domain_id: str):
    """One checklist page: the criteria of one domain that apply to the location's type."""
    bundle, current = _domain_or_404(visit_id, domain_id)
    if request.method == "GET":
        if not bundle.is_draft:
            return redirect(url_for("visits.detail", visit_id=visit_id, _anchor=f"domain-{domain_id}"))
        criteria_list = current.criteria_for(bundle.location["type"])
        form = make_checklist_form(criteria_list, _note_max(), data=checklist_initial(criteria_list, bundle.answers))
        return _render_domain(bundle, current, form)
    require("edit_visits")
    go = _go()
    page = _save(bundle, current, go)
    if page.outcome == "saved":
        flash(_("Saved."), "success")
        return redirect(_after_save(visit_id, bundle.domains, current, go), 303)
    message = {
        "locked": locked_message,
        "expired": expired_token_message,
        "conflict": lambda: _("Someone else changed some of these answers while you were working. Both versions are shown: check them and save again."),
        "invalid": lambda: _("Not everything could be saved: check the marked fields. Your input is still here."),
    }.get(page.outcome)
    if message:
        flash(message(), "error")
    status = {"locked": 409, "expired": 400, "conflict": 409, "invalid": 422}[page.outcome]
    return _render_domain(load_visit(get_db(), visit_id, current_user.scope), current, page.form, page), status


@bp.post("/visits/<int:visit_id>/domains/<domain_id>/answers")
@csrf.exempt  # the form checks its own token and answers "expired" with a fresh one
def save_answers_json(visit_id: int, domain_id: str):
    """The browser's background save: the same fields and the same save as the page's form,
    answered with what happened to each criterion instead of a page."""
    bundle, current = _domain_or_404(visit_id, domain_id)
    require("edit_visits")
    go = _go()
    page = _save(bundle, current, go)
    lang = current_language()
    criteria = {c.id: c for c in current.criteria_for(bundle.location["type"])}
    body = {"outcome": page.outcome, "csrf_token": generate_csrf(), "criteria": {}}
    for cid, result in page.results.items():
        entry = {"key": wire.key(cid), "status": result.status, "version": result.version.token}
        if result.status == CONFLICT:
            entry["theirs"] = {"answer": answer_text(criteria[cid], result.stored, lang) or _("no answer"), "note": (result.stored or {}).get("note")}
            if evidence := describe_evidence(result.stored, evidence_labels(_)):
                entry["theirs"]["evidence"] = evidence
        if result.status == ERROR:
            entry["errors"] = [str(e) for name in field_names(criteria[cid]) for e in page.form[name].errors]
        body["criteria"][cid] = entry
    if page.outcome == "saved" and go:  # a button was pressed: the page it leads to says so
        flash(_("Saved."), "success")
        body["next"] = _after_save(visit_id, bundle.domains, current, go)
    status = {"saved": 200, "locked": 409, "expired": 400, "conflict": 409, "invalid": 422}[page.outcome]
    return jsonify(body), status


def _go() -> str:
    """Where a save button leads. The phone's domain control posts go=jump with the
    chosen domain in `jump`; it means the same as that domain's own button."""
    go = request.form.get("go", "")
    return f"domain:{request.form.get('jump', '')}" if go == "jump" else go


def _domain_or_404(visit_id: int, domain_id: str):
    bundle = get_bundle_or_404(visit_id)
    # Also a domain the visit's facts have just left out (0 unaccompanied minors recorded
    # by a colleague): a page already open there still saves, nothing typed is lost.
    current = next((d for d in bundle.criteria.domains_for(bundle.location["type"]) if d.id == domain_id), None)
    if current is None:
        abort(404)
    return bundle, current


def _save(bundle, current, go: str):
    """The one save of a checklist page, for the form and for the background save."""
    ids = [d.id for d in bundle.domains]
    # Remember where the visitor is going, so "continue" brings them back there.
    target = go[7:] if go.startswith("domain:") and go[7:] in ids else current.id
    return save_page(
        get_db(),
        bundle.visit["id"],
        current.criteria_for(bundle.location["type"]),
        request.form,
        _note_max(),
        current_domain=target,
        actor=actor(),
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


def answer_text(criterion, answer, lang):
    """An answer in words, as the pages say it."""
    return describe_answer(criterion, answer, lang, answer_labels(_))


def band_data(criterion, labels) -> list[dict]:
    """A count's bands with the words of their answers, for the browser's live result (js/bands.js)."""
    return [{"from": b.from_, "to": b.to, "answer": b.answer, "label": labels[b.answer]} for b in criterion.bands or ()]


def _note_max():
    return current_app.config["NOTE_MAX_LENGTH"]


def _render_domain(bundle, current, form, page=None):
    """The checklist page. Each criterion carries the version of the stored answer its
    fields start from (`rev_*`, see `checklist.core.save_protocol`), so a later save can tell
    the visitor's change from someone else's.

    After a save that did not go through (`page`), every criterion shows what the visitor
    typed with the version they started from; a criterion they did not change shows what
    is stored now, with its version; a conflict shows both versions and starts from the
    other person's, so saving it again is a deliberate choice."""
    previous = previous_answers(get_db(), bundle, current_user.scope)
    lang = current_language()
    domains = bundle.domains
    ids = [d.id for d in domains]
    # -1: a domain the visit's facts leave out, still open in someone's browser.
    index = ids.index(current.id) if current.id in ids else -1
    criteria_list = current.criteria_for(bundle.location["type"])
    versions = {c.id: Version.of(bundle.answers.get(c.id)) for c in criteria_list}
    conflicts, with_errors, typed = {}, [], set()  # typed: shows what is not stored; the browser keeps its copy
    for c in criteria_list if page is not None else ():
        result = page.results[c.id]
        versions[c.id] = result.version
        if result.status == UNCHANGED:
            refresh_criterion(form, c, result.stored)
        if result.status == CONFLICT:
            conflicts[c.id] = result.stored
        if result.status == ERROR:
            with_errors.append(c.id)
        if result.status in (CONFLICT, ERROR, NOT_SAVED):
            typed.add(c.id)
    return render_template(
        "visits/domain.html",
        bundle=bundle,
        domain=current,
        criteria_list=criteria_list,
        form=form,
        versions=versions,
        conflicts=conflicts,
        field_key=field_key,
        wire=wire,
        count_part=COUNT_FIELD,
        with_errors=with_errors,
        typed=typed,
        open_actions=checklist_open_actions(bundle),
        locked=page is not None and page.outcome == "locked",
        previous=previous,
        evidence_types=EVIDENCE_TYPES,
        sampling_rule=bundle.criteria.spec.sampling,
        sampling_marker=lambda c: sampling_marker(c, _),
        records_hint=lambda c: records_hint(c, lang, _, answer_labels(_)),
        band_phrases=lambda c: band_phrases(c, lang, _),
        band_data=lambda c: band_data(c, answer_labels(_)),
        position=index + 1,
        left_out=index < 0,
        prev_domain=domains[index - 1] if index > 0 else None,
        next_domain=domains[index + 1] if 0 <= index and index + 1 < len(domains) else None,
        photos=photo_panel(bundle.visit["id"], with_notice=True),
        thumb_size=thumb_size,
        state=visit_state(bundle),
    )


@bp.route("/visits/<int:visit_id>/children", methods=["GET", "POST"])
@csrf.exempt
def children(visit_id: int):
    """What children said: short entries with an age band and a domain, never names.

    A device that wrote statements offline sends each later with `client_key` and asks for
    JSON: the answer says what happened, and a statement sent twice is stored once."""
    bundle = get_bundle_or_404(visit_id)
    wants_json = request.method == "POST" and request.accept_mimetypes.best == "application/json"
    if request.method == "POST":
        require("edit_visits")
    lang = current_language()
    form = VoiceForm()
    form.announce_expiry = not wants_json
    form.domain_id.choices = choices([("", "—")] + [(d.id, d.title.get(lang)) for d in bundle.domains])
    locked = full = False
    most = current_app.config["STATEMENTS_MAX_PER_VISIT"]
    if form.validate_on_submit():
        key = client_key(request.form.get("client_key"))
        try:
            written = _written_unless_submitted(
                store.add_voice, get_db(), visit_id, form.age_band.data, form.domain_id.data, form.text.data, actor(), most, key
            )
        except store.TooManyStatements:
            written, full = False, True  # the page comes back with the entry as typed
        if written:
            if wants_json:
                return jsonify({"outcome": "saved", "csrf_token": generate_csrf()})
            flash(_("Saved."), "success")
            return redirect(url_for("visits.children", visit_id=visit_id), 303)
        locked = not full
    if wants_json:
        outcome = "locked" if locked else "full" if full else "expired" if form.csrf_expired else "invalid"
        errors = [str(e) for field in form for e in field.errors]
        if full:
            errors.append(_("Not added: this visit already has %(most)s statements, the most one visit can have.", most=most))
        return jsonify({"outcome": outcome, "csrf_token": generate_csrf(), "errors": errors}), 409 if locked or full else form.status()
    voices = store.visit_voices(get_db(), visit_id)
    state = visit_state(bundle) if bundle.is_draft else None
    page = render_template("visits/children.html", bundle=bundle, form=form, voices=voices, locked=locked, most=most, full=full, state=state)
    return page, 409 if locked or full else form.status()


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
    score = bundle.score
    low = low_coverage(score.scored, score.assessable, current_app.config["LOW_COVERAGE"])  # the overview's and the report's rule
    state = visit_state(bundle) if bundle.is_draft else None
    return render_template("visits/review.html", bundle=bundle, voices=store.visit_voices(get_db(), visit_id), low=low, state=state)


@bp.post("/visits/<int:visit_id>/submit")
def submit(visit_id: int):
    bundle = get_bundle_or_404(visit_id)
    refuse_if_submitted(bundle)
    criteria, location_type, facts = bundle.criteria, bundle.location["type"], visit_facts(bundle.visit)
    # In the same transaction: the location's open findings this visit re-checks, an escalation
    # per failed life-safety criterion and its mails (sent after the response, never awaited).
    then = after_submit(criteria, current_app.config["ESCALATION_HOURS"], _mail_link)
    store.submit_visit(get_db(), visit_id, lambda answers: score_visit(criteria, location_type, store.answer_values(answers), facts), actor(), then=then)
    send_mail_soon()
    flash(_("The visit has been submitted. It is now read-only."), "success")
    return redirect(url_for("visits.detail", visit_id=visit_id), 303)


def _mail_link(kind: str) -> str:
    return absolute_url("replies.operator_home" if kind == "operator" else "replies.follow_up")


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
    record_download("visit_report", visit_id)
    name = f"visit-{visit_id}-{bundle.visit['visit_date']}{'-draft' if bundle.is_draft else ''}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/visits/<int:visit_id>/report-short.pdf")
def report_short(visit_id: int):
    """The short version for a location manager: summary, red flags, what was not met, actions."""
    from checklist.reports.visit_report import build_visit_report

    bundle = get_bundle_or_404(visit_id)
    pdf = build_visit_report(visit_report(get_db(), bundle, current_language(), current_user.scope), short=True)
    record_download("visit_report_short", visit_id)
    name = f"visit-{visit_id}-{bundle.visit['visit_date']}-short{'-draft' if bundle.is_draft else ''}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.get("/visits/<int:visit_id>/chart.svg")
def chart(visit_id: int):
    """The domain score chart, the same drawing as in the PDF."""
    from checklist.reports.charts import chart_width
    from checklist.reports.charts import domain_bar_chart
    from checklist.reports.charts import drawing_to_svg

    bundle = get_bundle_or_404(visit_id)
    phone = request.args.get("size") == "phone"
    drawing = domain_bar_chart(bundle.score, bundle.criteria, current_language(), width=chart_width(phone))
    svg = drawing_to_svg(drawing, phone=phone)
    return Response(svg, mimetype="image/svg+xml")
