"""The right of reply: coordinators send a visit's findings to the operator, operators reply
per finding and answer life-safety escalations, coordinators review the replies and follow
each finding's cycle.

What an operator sees here is built from the copy of the findings that was sent
(`store.send_findings`): the criteria not or partly met with the visitor's notes and the
actions recorded, for the operator's own locations, while the visit is submitted. Never a
draft, what children said, a photo, another location or another send's content.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from checklist import store
from checklist.core import replies as rules
from checklist.reports.follow_up import Words
from checklist.reports.follow_up import cycles
from checklist.reports.follow_up import finding_cycle
from checklist.reports.follow_up import reply_lines
from checklist.reports import mail
from checklist.views.common import absolute_url
from checklist.views.common import actor
from checklist.views.common import csrf
from checklist.views.common import get_bundle_or_404
from checklist.views.common import require
from checklist.views.common import send_mail_soon
from checklist.views.database import get_db
from checklist.views.follow_up import escalation_rows
from checklist.views.forms import NO_NAMES
from checklist.views.forms import Form
from checklist.views.forms import strip_text
from checklist.views.i18n import current_language

bp = Blueprint("replies", __name__)

TEXT_MAX = 2000
CHANGE_MAX = 1000


class SendForm(Form):
    reply_due = DateField(_l("Reply by"), validators=[InputRequired()])

    def validate_reply_due(self, field):
        if field.data and field.data < date.today():
            raise ValidationError(_l("The deadline cannot be in the past."))
        if field.data and field.data.year > 2100:
            raise ValidationError(_l("Enter a date before 2100."))


class ReviewForm(Form):
    review_text = TextAreaField(_l("What you ask (for the operator)"), validators=[Length(max=TEXT_MAX)], filters=[strip_text], description=NO_NAMES)


class EscalationForm(Form):
    answer = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=TEXT_MAX)], filters=[strip_text], description=NO_NAMES)


def today() -> str:
    return date.today().isoformat()


def send_form(visit_id: int) -> SendForm:
    """The form on a submitted visit's page, with the default deadline."""
    weeks = current_app.config["REPLY_DEADLINE_WEEKS"]
    return SendForm(formdata=None, data={"reply_due": rules.default_deadline(date.today(), weeks)})


# -- coordinators: send, review, follow up ---------------------------------------------------


@bp.post("/visits/<int:visit_id>/send")
def send(visit_id: int):
    """Put a submitted visit's findings to the location's operator, with a deadline."""
    require("send_findings")
    bundle = get_bundle_or_404(visit_id)
    form = SendForm()
    if not form.validate_on_submit():
        for error in form.reply_due.errors:
            flash(error, "error")
        return redirect(url_for("visits.detail", visit_id=visit_id, _anchor="send-findings"), 303)
    db = get_db()
    try:
        with store_transaction(db):  # the send and its mails, together or not at all
            send_id = store.send_findings(db, visit_id, form.reply_due.data.isoformat(), actor())
            sent = store.get_send(db, send_id)
            operators = store.location_operator_emails(db, bundle.location["id"])
            mail.queue(db, operators, mail.findings_sent_text(sent, absolute_url("replies.sent", send_id=send_id)), "findings_sent")
    except store.AlreadySent:
        flash(_("The findings of this visit were sent already."), "error")
        return redirect(url_for("visits.detail", visit_id=visit_id), 303)
    except store.NothingToSend:
        flash(_("This visit has no findings to send: nothing was found not met or partly met, or it is not submitted."), "error")
        return redirect(url_for("visits.detail", visit_id=visit_id), 303)
    if operators:
        send_mail_soon()
        flash(_("The findings are sent for reply, to answer by %(date)s. The operator is told by e-mail and on their start page.", date=sent["reply_due"]), "success")
    else:
        flash(_("The findings are sent for reply, but no operator account runs this location yet: invite one under Operators, and it will find them on its start page."), "notice")
    return redirect(url_for("replies.sent", send_id=send_id), 303)


def store_transaction(db):
    from checklist.store.connection import immediate

    return immediate(db)


@bp.post("/findings/<int:finding_id>/review")
def review(finding_id: int):
    """A coordinator accepts an operator's plan, or asks once more (one more round)."""
    require("send_findings")
    db = get_db()
    finding = store.get_finding(db, finding_id)
    send_row = store.get_send(db, finding["send_id"]) if finding else None
    if send_row is None or not store.may_read_send(db, send_row, current_user.row):
        abort(404)
    form = ReviewForm()
    choice = request.form.get("review")
    if not form.validate_on_submit() or choice not in ("accepted", "asked_again"):
        flash(_("Nothing was changed: choose to accept the plan or to ask once more."), "error")
        return redirect(url_for("replies.sent", send_id=send_row["id"]), 303)
    if not finding["replies"] or finding["review"] is not None:
        flash(_("This reply was reviewed already, or there is no reply yet."), "error")
        return redirect(url_for("replies.sent", send_id=send_row["id"]), 303)
    due = None
    if choice == "asked_again":
        if not form.review_text.data:
            flash(_("Say what you ask the operator."), "error")
            return redirect(url_for("replies.sent", send_id=send_row["id"], _anchor=f"finding-{finding_id}"), 303)
        due = (date.today() + timedelta(weeks=current_app.config["REPLY_AGAIN_WEEKS"])).isoformat()
    store.review_finding(db, finding_id, choice, form.review_text.data or "", due, actor())
    if choice == "asked_again":
        operators = store.location_operator_emails(db, send_row["location_id"])
        with store_transaction(db):
            mail.queue(db, operators, mail.asked_again_text(send_row, due, absolute_url("replies.sent", send_id=send_row["id"])), "asked_again")
        send_mail_soon()
        flash(_("The operator is asked once more, to answer by %(date)s.", date=due), "success")
    else:
        flash(_("The plan is accepted."), "success")
    return redirect(url_for("replies.sent", send_id=send_row["id"], _anchor=f"finding-{finding_id}"), 303)


@bp.get("/follow-up/")
def follow_up():
    """A coordinator's follow-up: escalations, findings sent and their replies, each open
    finding's cycle (overdue first)."""
    require("send_findings")
    db, lang = get_db(), current_language()
    org = current_user.organisation_id
    return render_template(
        "replies/follow_up.html",
        escalations=escalation_rows(store.organisation_escalations(db, org, open_only=False)),
        sends=store.organisation_sends(db, org),
        cycles=cycles(db, store.organisation_findings(db, org), lang),
    )


# -- operators: the start page, replies, escalations --------------------------------------------


@bp.get("/operator/")
def operator_home():
    """An operator's start page: open escalations first, the findings sent for reply, and
    each open finding's cycle at its locations."""
    return _operator_home_page()


def _operator_home_page(typed_answers: dict | None = None) -> str:
    require("reply_findings")
    db, lang = get_db(), current_language()
    places = [store.get_location(db, i) for i in store.operator_location_ids(db, current_user.id)]
    return render_template(
        "replies/operator_home.html",
        escalations=escalation_rows(store.operator_escalations(db, current_user.id)),
        sends=store.operator_sends(db, current_user.id),
        cycles=cycles(db, store.operator_findings(db, current_user.id), lang),
        places=places,
        form=EscalationForm(formdata=None),
        typed_answers=typed_answers or {},
    )


@bp.post("/escalations/<int:escalation_id>/answer")
@csrf.exempt
def answer_escalation(escalation_id: int):
    require("reply_findings")
    db = get_db()
    form = EscalationForm()
    valid = form.validate_on_submit()
    if form.csrf_expired:  # nothing stored; the answer typed comes back in its field
        return _operator_home_page({escalation_id: request.form.get("answer", "")}), 400
    escalation = store.get_escalation(db, escalation_id)
    if escalation is None or escalation["location_id"] not in store.operator_location_ids(db, current_user.id):
        abort(404)
    if not valid:
        flash(_("Say what was done."), "error")
        return redirect(url_for("replies.operator_home", _anchor=f"escalation-{escalation_id}"), 303)
    if store.answer_escalation(db, escalation_id, form.answer.data, current_user.row):
        answered = store.get_escalation(db, escalation_id)
        with store_transaction(db):
            text = mail.escalation_answered_text(answered, absolute_url("replies.follow_up"))
            mail.queue(db, store.coordinator_emails(db, escalation["organisation_id"]), text, "escalation_answered")
        send_mail_soon()
        flash(_("Thank you: your answer is recorded and the coordinators are told."), "success")
    else:
        flash(_("This escalation was answered already."), "notice")
    return redirect(url_for("replies.operator_home"), 303)


# -- the findings sent: read by the operator (who replies) and the coordinator (who reviews) -----


@bp.route("/sent/<int:send_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token
def sent(send_id: int):
    db = get_db()
    send_row = store.get_send(db, send_id)
    if send_row is None or not store.may_read_send(db, send_row, current_user.row):
        abort(404)
    operator = current_user.may("reply_findings")
    findings = store.send_findings_rows(db, send_id)
    form = Form()
    typed, problems = {}, {}
    if request.method == "POST":
        if not operator:
            abort(404)
        if form.validate_on_submit():
            typed, problems, ready = _read_replies(findings, send_row)
            if ready and not problems:
                stored = store.add_replies(db, send_id, ready, lambda f: _round(f), current_user.row)
                flash(_("Your replies are recorded: %(n)s.", n=stored), "success")
                return redirect(url_for("replies.sent", send_id=send_id), 303)
            if not ready and not problems:
                flash(_("Nothing was recorded: choose agree or disagree for a finding and write your reply."), "error")
            else:
                flash(_("Not recorded: check the marked findings. What you typed is still here."), "error")
        elif form.csrf_expired:  # nothing stored; what was typed comes back
            typed, _problems, _ready = _read_replies(findings, send_row)
        status = form.status() if form.csrf_expired else 422
    else:
        status = 200
    page = render_template("replies/sent.html", **_sent_page(db, send_row, findings, operator, typed, problems), form=form)
    return page, status


def _round(finding) -> int | None:
    """The round this finding may be answered in now (None: not)."""
    replies = [rules.Reply(r["round"], r["stance"], r["text"], r["change"], r["plan_date"], r["replied_at"], r["organisation"]) for r in finding["replies"]]
    return rules.may_reply(replies, finding["review"], finding["reply_due"], today())


def _read_replies(findings, send_row):
    """What the operator typed per finding, the problems, and the replies ready to store."""
    typed, problems, ready = {}, {}, {}
    for f in findings:
        if _round(f) is None:
            continue
        fid = f["id"]
        stance = request.form.get(f"stance_{fid}") or None
        text = (request.form.get(f"text_{fid}") or "").strip()[: TEXT_MAX + 1]
        change = (request.form.get(f"change_{fid}") or "").strip()[: CHANGE_MAX + 1]
        raw_plan = request.form.get(f"plan_{fid}") or ""
        typed[fid] = {"stance": stance, "text": text, "change": change, "plan": raw_plan}
        if stance is None and not text and not change and not raw_plan:
            continue  # not answered now
        try:
            plan = date.fromisoformat(raw_plan) if raw_plan else None
        except ValueError:
            plan = None
        found = [_(p) for p in rules.reply_problems(stance, text, change, plan, send_row["sent_at"])]
        if len(text) > TEXT_MAX or len(change) > CHANGE_MAX:
            found.append(_("Keep the reply under %(n)s characters.", n=TEXT_MAX))
        if raw_plan and plan is None:
            found.append(_("Enter the plan date as a date."))
        if found:
            problems[fid] = found
        else:
            ready[fid] = {"stance": stance, "text": text, "change": change, "plan_date": plan.isoformat() if plan else None}
    return typed, problems, ready


def _sent_page(db, send_row, findings, operator: bool, typed, problems) -> dict:
    """The findings grouped per domain in the criteria's order, with their replies, the
    actions recorded for them at the visit, and what this reader may do with each."""
    lang, now = current_language(), today()
    words = Words(lang)
    criteria = store.criteria_for_hash(db, send_row["criteria_hash"])
    actions: dict[str, list] = {}
    for a in store.visit_actions(db, send_row["visit_id"], _send_scope(send_row)):
        actions.setdefault(a["criterion_id"], []).append(a)
    by_id = {f["criterion_id"]: f for f in findings}
    groups = []
    for domain in criteria.domains:
        rows = []
        for criterion in domain.criteria:
            f = by_id.get(criterion.id)
            if f is None:
                continue
            c = finding_cycle(f, now)
            rows.append(
                {
                    "finding": f,
                    "criterion": criterion,
                    "lines": reply_lines(f, words, now),
                    "actions": actions.get(criterion.id, []),
                    "may_reply": operator and _round(f) is not None,
                    "may_review": not operator and bool(f["replies"]) and f["review"] is None and c.state in (rules.PLANNED, rules.DISPUTED),
                    "typed": typed.get(f["id"], {}),
                    "problems": problems.get(f["id"], []),
                }
            )
        if rows:
            groups.append({"domain": domain, "rows": rows})
    return {"send": send_row, "groups": groups, "operator": operator, "review_form": ReviewForm(formdata=None), "overdue": now > send_row["reply_due"]}


def _send_scope(send_row):
    """The visit's own organisation's actions, as the visit report has them."""
    from checklist.core.access import Scope

    return Scope(organisation_id=send_row["organisation_id"])
