"""The right of reply and the follow-up cycle, as rules: no Flask, no SQL.

A coordinator sends a submitted visit's findings (the criteria not or partly met) to the
location's operator with a deadline. Per finding the operator agrees or disagrees, with a
text, and where it agrees says what will change and by when (the plan date). A reply never
changes the finding. The coordinator accepts a plan or asks once more (a second round with a
deadline of its own). After the deadline without a reply the report states "no reply
received". A sent finding stays open until a later submitted visit of the location answers
the same criterion (followed through `replaces:`): met closes it, anything else keeps it
open, "not fixed at re-check on DATE".

A life-safety failure (a red flag whose cap is red: drinking water, a safe bed, fire
safety, ...) starts an escalation at submission, open until the operator says what was done.

The words for every state are here once (`state_labels`), for the pages, the PDFs and the
monitor report alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Iterable
from typing import Mapping
from typing import Sequence

from checklist.core.i18n import N_

FINDING_RESULTS = ("partly", "fails")  # what is put to the operator: a criterion not or partly met
STANCES = ("agree", "disagree")
LAST_ROUND = 2  # the first reply, and one more when the coordinator asks again

# Reply states of a finding, in the order the follow-up pages sort them (most urgent first).
NO_REPLY = "no_reply"  # the deadline passed without a reply: final
AWAITED = "awaited"  # the operator may still reply
DISPUTED = "disputed"
PLANNED = "planned"  # agreed, with what will change and a plan date
ASKED_AGAIN = "asked_again"  # the coordinator asked once more; the operator may reply again
STATES = (NO_REPLY, AWAITED, ASKED_AGAIN, DISPUTED, PLANNED)


def state_labels(_) -> dict[str, str]:
    """The words for a finding's reply state (`_` is the reader's gettext)."""
    return {
        NO_REPLY: _("no reply received"),
        AWAITED: _("reply awaited"),
        ASKED_AGAIN: _("asked once more"),
        DISPUTED: _("disputed"),
        PLANNED: _("agreed, with a plan"),
    }


def stance_labels(_) -> dict[str, str]:
    return {"agree": _("Agrees"), "disagree": _("Disagrees")}


def review_labels(_) -> dict[str, str]:
    return {"accepted": _("plan accepted"), "asked_again": _("asked once more")}


def default_deadline(today: date, weeks: int) -> date:
    return today + timedelta(weeks=weeks)


def escalation_due(started: str, hours: int) -> str:
    """The deadline of an escalation started at the ISO timestamp `started`."""
    from datetime import datetime

    return (datetime.fromisoformat(started) + timedelta(hours=hours)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Reply:
    round: int
    stance: str
    text: str
    change: str | None
    plan_date: str | None
    replied_at: str
    organisation: str


def reply_state(replies: Sequence[Reply], review: str | None, reply_due: str, today: str) -> str:
    """The state of a finding from its replies (oldest first), the coordinator's review and the
    deadline of the round now open (ISO dates; `today` too)."""
    last = replies[-1] if replies else None
    if review == "asked_again" and (last is None or last.round < LAST_ROUND):
        return ASKED_AGAIN if today <= reply_due else NO_REPLY if last is None else _state_of(last)
    if last is None:
        return AWAITED if today <= reply_due else NO_REPLY
    return _state_of(last)


def _state_of(reply: Reply) -> str:
    return PLANNED if reply.stance == "agree" and reply.plan_date else DISPUTED


def may_reply(replies: Sequence[Reply], review: str | None, reply_due: str, today: str) -> int | None:
    """The round the operator may answer now, or None (answered, the deadline passed)."""
    if today > reply_due:
        return None
    if not replies:
        return 1
    if review == "asked_again" and replies[-1].round < LAST_ROUND:
        return replies[-1].round + 1
    return None


def reply_problems(stance: str | None, text: str, change: str, plan_date: date | None, sent_on: str) -> list[str]:
    """Why a reply cannot be stored, as English msgids (none: it can)."""
    problems = []
    if stance not in STANCES:
        problems.append(N_("Choose whether you agree or disagree."))
    if not text.strip():
        problems.append(N_("Write your reply."))
    if stance == "agree":
        if not change.strip():
            problems.append(N_("Say what will change."))
        if plan_date is None:
            problems.append(N_("Give the date by which it will have changed."))
        elif plan_date.isoformat() < sent_on[:10]:
            problems.append(N_("The plan date cannot be before the findings were sent."))
        elif plan_date.year > 2100:
            problems.append(N_("Enter a date before 2100."))
    return problems


# -- re-check ---------------------------------------------------------------------------

CLOSES = "meets"  # the one result at a later visit that closes a finding


@dataclass(frozen=True)
class Recheck:
    visit_id: int
    visit_date: str
    result: str


def is_closed(rechecks: Iterable[Recheck]) -> bool:
    return any(r.result == CLOSES for r in rechecks)


def recheck_results(open_findings: Iterable[Mapping], answered: Mapping[str, str], key) -> dict[int, str]:
    """finding id -> this visit's result for the same criterion, for the open findings this
    visit answers: `answered` maps this visit's criterion ids to their result (unanswered ones
    left out), `key` is the lineage key (`Lineage.key`) that follows `replaces:`."""
    by_key = {key(cid): result for cid, result in answered.items() if result is not None}
    return {f["id"]: by_key[key(f["criterion_id"])] for f in open_findings if key(f["criterion_id"]) in by_key}


# -- the cycle, as the follow-up pages show it --------------------------------------------


@dataclass(frozen=True)
class Cycle:
    """One sent finding's way: found -> sent -> reply -> plan date -> re-check result."""

    state: str
    closed: bool
    overdue: bool  # the reply's deadline or the plan date passed, and it is not closed
    plan_date: str | None
    last_recheck: Recheck | None

    @property
    def sort_key(self) -> tuple:
        return (self.closed, not self.overdue, STATES.index(self.state) if self.state in STATES else len(STATES))


def cycle(replies: Sequence[Reply], review: str | None, reply_due: str, rechecks: Sequence[Recheck], today: str) -> Cycle:
    """Where a sent finding stands (rechecks in any order)."""
    state = reply_state(replies, review, reply_due, today)
    ordered = sorted(rechecks, key=lambda r: (r.visit_date, r.visit_id))
    closed = is_closed(ordered)
    plan = replies[-1].plan_date if replies and state == PLANNED else None
    overdue = not closed and (state == NO_REPLY or (plan is not None and plan < today))
    return Cycle(state=state, closed=closed, overdue=overdue, plan_date=plan, last_recheck=ordered[-1] if ordered else None)


# -- life safety ------------------------------------------------------------------------


def life_safety_failures(score) -> list:
    """The lines of a `VisitScore` that start an escalation: red flags that cap the overall
    status at red (the criteria marked `cap: red`)."""
    return [line for line in score.red_flags if line.cap == "red"]
