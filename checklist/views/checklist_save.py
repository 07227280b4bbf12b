"""Saving one checklist page: the one path for the HTML form and the browser's background save.

Both post the same fields (named by `checklist.core.wire`): per criterion the answer, the
number (counts), the note, the evidence (the ticked types, as repeated checkboxes or one
comma-separated value, and how many children or parents said so) and the version of the
stored answer the page showed (see `checklist.core.save_protocol`). This
validates them with the page's form, saves the valid ones in one transaction and says
per criterion what happened. The views only choose how to show that: a page or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sqlite_utils import Database

from checklist import store
from checklist.core import wire
from checklist.core.criteria import Criterion
from checklist.views.forms import checklist_values
from checklist.views.forms import evidence_field_names
from checklist.views.forms import make_checklist_form
from checklist.core.save_protocol import Answer
from checklist.core.save_protocol import Version
from checklist.store import Actor
from checklist.store import Edit
from checklist.store import VisitLocked

# Per criterion
SAVED = "saved"  # the visitor's answer is the one stored
UNCHANGED = "unchanged"  # the visitor did not change it: nothing written
CONFLICT = "conflict"  # someone else changed it meanwhile: not written, both versions shown
ERROR = "error"  # not valid: not written, shown as typed with the message
NOT_SAVED = "not_saved"  # the whole save was refused (expired token, submitted visit)



@dataclass(frozen=True)
class CriterionResult:
    status: str
    started: Version  # the version the visitor's page carried
    stored: Mapping | None = None  # the answer stored now, when the save looked (None: none)

    @property
    def version(self) -> Version:
        """The version the page shows after this save: the one its fields start from.

        A conflict's page starts from the other person's version, which it shows next to
        the visitor's: saving that page again is a deliberate choice for the visitor's."""
        if self.status in (SAVED, UNCHANGED, CONFLICT):
            return Version.of(self.stored)
        return self.started


@dataclass
class PageSave:
    form: object  # the checklist form, validated, with what was typed
    outcome: str  # locked | expired | conflict | invalid | saved
    results: dict[str, CriterionResult]



def save_page(
    db: Database,
    visit_id: int,
    criteria_list: list[Criterion],
    formdata: Mapping[str, str],
    note_max: int,
    current_domain: str | None,
    actor: Actor | None,
) -> PageSave:
    """Validate and save one checklist page as posted; valid answers are saved beside invalid ones."""
    form = make_checklist_form(criteria_list, note_max, announce_expiry=False)  # the view says what happened
    form.validate()
    started = {c.id: Version.parse(formdata.get(wire.name(wire.VERSION, c.id))) for c in criteria_list}
    if form.csrf_expired:  # nothing is saved; a submitted visit says so rather than "press save again"
        return _refused(form, "expired" if store.is_draft(db, visit_id) else "locked", started)
    valid, with_errors = checklist_values(form, criteria_list)
    # A criterion none of whose fields were posted is not a change (a background save sends
    # only what was typed): leaving a field out never clears an answer.
    posted = {c.id for c in criteria_list if any(name in formdata for name in field_names(c))}
    edits = {cid: Edit(Answer.of(answer) if cid in posted else None, started[cid]) for cid, answer in valid.items()}
    try:
        saved = store.save_answers(db, visit_id, edits, current_domain=current_domain, actor=actor)
    except VisitLocked:
        return _refused(form, "locked", started)
    results = {cid: CriterionResult(ERROR, started[cid]) for cid in with_errors}
    for status, rows in ((SAVED, saved.saved), (UNCHANGED, saved.unchanged), (CONFLICT, saved.conflicts)):
        results.update({cid: CriterionResult(status, started[cid], row) for cid, row in rows.items()})
    outcome = "conflict" if saved.conflicts else "invalid" if with_errors else "saved"
    return PageSave(form, outcome, {c.id: results[c.id] for c in criteria_list})


def field_names(criterion: Criterion) -> list[str]:
    own = [wire.VALUE, wire.NOTE] + ([wire.NUMBER] if criterion.kind == "count" else [])
    return [wire.name(part, criterion.id) for part in own] + evidence_field_names(criterion.id)


def _refused(form, outcome: str, started: dict[str, Version]) -> PageSave:
    return PageSave(form, outcome, {cid: CriterionResult(NOT_SAVED, version) for cid, version in started.items()})
