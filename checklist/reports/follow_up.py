"""What follows a submitted visit, and how the replies and cycles read, for pages and PDFs alike.

- `after_submit` runs inside the submitting transaction: the location's open findings that
  this visit answers are re-checked (through `replaces:`), each failed life-safety
  criterion starts an escalation, and the mails that causes are queued;
- `reply_lines` is the one wording of a finding's reply, its state and its re-check, used by
  the visit page, the visit PDF, the short PDF and the follow-up pages;
- `cycles` gives each sent finding's way (found -> sent -> reply -> plan date -> re-check),
  overdue first; `reply_summary` counts them for the monitor report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable
from typing import Mapping

from sqlite_utils import Database

from checklist import store
from checklist.core import replies as rules
from checklist.core.lineage import build_lineage
from checklist.reports import mail
from checklist.reports.mail import Words


# -- after a submission ---------------------------------------------------------------------


def after_submit(criteria, escalation_hours: int, links: Callable[[str], str]) -> Callable:
    """The `then` of `store.submit_visit`: re-checks, escalations and their mails.

    `links(kind)` gives the address a mail points to: "operator" (the operator's start page)
    or "coordinator" (the follow-up page)."""

    def then(db: Database, visit: Mapping, score) -> None:
        lineage = build_lineage(criteria, store.stored_criteria(db))
        answered = {line.criterion_id: line.result for d in score.domains for line in d.lines if line.result is not None}
        store.record_rechecks(db, visit, rules.recheck_results(store.open_findings_before(db, visit), answered, lineage.key))
        failures = rules.life_safety_failures(score)
        if not failures:
            return
        due = rules.escalation_due(store.now(), escalation_hours)
        started = store.start_escalations(db, visit, [line.criterion_id for line in failures], due)
        for escalation_id in started:
            facts = store.get_escalation(db, escalation_id)
            text = mail.escalation_text(facts, criteria.criterion(facts["criterion_id"]).text, links("operator"))
            mail.queue(db, store.location_operator_emails(db, visit["location_id"]), text, "escalation")
            text = mail.escalation_text(facts, criteria.criterion(facts["criterion_id"]).text, links("coordinator"))
            mail.queue(db, store.coordinator_emails(db, visit["organisation_id"]), text, "escalation")

    return then


# -- how a reply reads ------------------------------------------------------------------------


def _replies(finding: Mapping) -> list[rules.Reply]:
    return [rules.Reply(r["round"], r["stance"], r["text"], r["change"], r["plan_date"], r["replied_at"], r["organisation"]) for r in finding["replies"]]


def _rechecks(finding: Mapping) -> list[rules.Recheck]:
    return [rules.Recheck(r["visit_id"], r["visit_date"], r["result"]) for r in finding["rechecks"]]


def finding_cycle(finding: Mapping, today: str) -> rules.Cycle:
    return rules.cycle(_replies(finding), finding["review"], finding["reply_due"], _rechecks(finding), today)


@dataclass(frozen=True)
class Line:
    kind: str  # reply | plan | review | state | recheck
    text: str


def reply_lines(finding: Mapping, words: Words, today: str) -> list[Line]:
    """A finding's reply as every page and PDF writes it: each reply (dated, with the
    operator's organisation), the coordinator's review, the state when no reply stands, and
    the last re-check."""
    _ = words._
    stances = rules.stance_labels(_)
    lines = []
    for r in finding["replies"]:
        head = _("Reply of %(organisation)s, %(date)s", organisation=r["organisation"], date=words.date(r["replied_at"]))
        if r["round"] > 1:
            head = _("Second reply of %(organisation)s, %(date)s", organisation=r["organisation"], date=words.date(r["replied_at"]))
        lines.append(Line("reply", f"{head}: {stances[r['stance']]}. {r['text']}"))
        if r["stance"] == "agree" and r["plan_date"]:
            lines.append(Line("plan", _("What will change: %(change)s. Plan date: %(date)s.", change=r["change"] or "–", date=words.date(r["plan_date"]))))
    if finding["review"] == "accepted":
        lines.append(Line("review", _("Plan accepted by the coordinator on %(date)s.", date=words.date(finding["reviewed_at"]))))
    elif finding["review"] == "asked_again":
        asked = _("Asked once more on %(date)s, to answer by %(due)s", date=words.date(finding["reviewed_at"]), due=words.date(finding["reply_due"]))
        lines.append(Line("review", f"{asked}: {finding['review_text']}" if finding["review_text"] else asked + "."))
    state = finding_cycle(finding, today).state
    if state == rules.NO_REPLY and not finding["replies"]:
        lines.append(Line("state", _("No reply received (deadline %(date)s).", date=words.date(finding["reply_due"]))))
    elif state in (rules.AWAITED, rules.ASKED_AGAIN) and (not finding["replies"] or state == rules.ASKED_AGAIN):
        lines.append(Line("state", _("Sent for reply on %(sent)s; reply awaited until %(due)s.", sent=words.date(finding["sent_at"]), due=words.date(finding["reply_due"]))))
    lines += recheck_lines(finding, words)
    return lines


def recheck_lines(finding: Mapping, words: Words) -> list[Line]:
    _ = words._
    if not finding["rechecks"]:
        return []
    checks = sorted(finding["rechecks"], key=lambda r: (r["visit_date"], r["visit_id"]))
    closing = next((r for r in checks if r["result"] == rules.CLOSES), None)
    if closing:
        return [Line("recheck", _("Fixed at re-check on %(date)s.", date=words.date(closing["visit_date"])))]
    return [Line("recheck", _("Not fixed at re-check on %(date)s.", date=words.date(checks[-1]["visit_date"])))]


def visit_reply_lines(db: Database, visit_id: int, lang: str, today: str | None = None) -> dict[str, list[Line]]:
    """criterion id -> the lines that stand beside that finding of this visit."""
    words, today = Words(lang), today or date.today().isoformat()
    return {cid: reply_lines(f, words, today) for cid, f in store.visit_findings(db, visit_id).items()}


# -- the cycle, for the follow-up pages ----------------------------------------------------------


def cycles(db: Database, findings, lang: str, today: str | None = None, open_only: bool = True) -> list[dict]:
    """Each finding's cycle as a row: where, which criterion, found, sent, the reply, the plan
    date, the last re-check; overdue first, then by state, then the oldest first."""
    words, today = Words(lang), today or date.today().isoformat()
    states = rules.state_labels(words._)
    rows = []
    for f in findings:
        c = finding_cycle(f, today)
        if open_only and c.closed:
            continue
        criterion = store.criteria_for_hash(db, f["criteria_hash"]).criterion(f["criterion_id"])
        rows.append(
            {
                "finding": f,
                "cycle": c,
                "criterion": criterion.text.get(words.lang) if criterion else f["criterion_id"],
                "found": f["visit_date"],
                "sent": f["sent_at"][:10],
                "state": states[c.state],
                "replied": f["replies"][-1]["replied_at"][:10] if f["replies"] else None,
                "plan_date": c.plan_date,
                "recheck": [line.text for line in recheck_lines(f, words)],
            }
        )
    return sorted(rows, key=lambda r: (*r["cycle"].sort_key, r["found"], r["finding"]["id"]))


def reply_summary(findings, today: str | None = None) -> dict[str, int]:
    """For the monitor report: findings put to operators, answered in time (by the deadline of
    their first round), disputed, agreed with a plan, no reply by the deadline, awaiting a
    reply, plans past their date still open, closed at a re-check."""
    today = today or date.today().isoformat()
    out = dict.fromkeys(("sent", "in_time", "disputed", "planned", "no_reply", "awaited", "plan_overdue", "closed"), 0)
    for f in findings:
        c = finding_cycle(f, today)
        out["sent"] += 1
        out["in_time"] += bool(f["replies"])  # a reply is taken only before its deadline
        out["disputed"] += c.state == rules.DISPUTED
        out["planned"] += c.state == rules.PLANNED
        out["no_reply"] += c.state == rules.NO_REPLY
        out["awaited"] += c.state in (rules.AWAITED, rules.ASKED_AGAIN)
        out["plan_overdue"] += c.state == rules.PLANNED and c.overdue
        out["closed"] += c.closed
    return out
