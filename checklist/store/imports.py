"""Submissions from KoboToolbox or ODK Central written as draft visits (m015).

The file was read and checked in `checklist.core.submissions`; here every submission of
it becomes a draft visit in one transaction, through the same writes as the app's own
pages (`create_visit`, `save_answers` with the save protocol, `add_voice`), so an
imported visit is a draft like any other. Its history starts with an "imported" entry
that names the instance id and the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from typing import Iterable

from sqlite_utils import Database

from checklist.core.submissions import Reading
from checklist.core.submissions import Sheet
from checklist.core.submissions import read_submissions
from checklist.core.save_protocol import NONE
from checklist.core.save_protocol import Answer
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.connection import immediate
from checklist.store.places import stored_criteria
from checklist.store.visits import Edit
from checklist.store.visits import add_voice
from checklist.store.visits import create_visit
from checklist.store.visits import save_answers


@dataclass(frozen=True)
class Imported:
    """What an import did per submission: the visit it became, or the one it had become before."""

    instance_id: str
    visit_id: int
    new: bool


def read_import(db: Database, sheets: list[Sheet], note_max: int, gettext: Callable[[str], str], seconds: float | None = None) -> Reading:
    """The submissions of a file's tables against every stored criteria version (the one in
    use is stored at start-up, and a form made for another is stored when it is made) and
    every location; `seconds` bounds the reading (`core.submissions.read_submissions`)."""
    known = {c.hash: c for c in stored_criteria(db)}
    locations = db.query("select id, name, type, closed_on from locations order by id")
    return read_submissions(sheets, known, locations, note_max, gettext, seconds=seconds)


def imported_visits(db: Database, instance_ids: Iterable[str]) -> dict[str, int]:
    """Instance id -> visit id, for those of `instance_ids` imported before."""
    ids = list(instance_ids)
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.query(f"select instance_id, visit_id from imported_submissions where instance_id in ({', '.join('?' for _ in chunk)})", chunk)
        out.update({r["instance_id"]: r["visit_id"] for r in rows})
    return out


def import_submissions(
    db: Database,
    submissions: Iterable,
    organisation_id: int,
    file_name: str,
    actor: Actor | None = None,
) -> list[Imported]:
    """Write every submission not imported before as a draft visit of `organisation_id`,
    all in one transaction (all or nothing). `submissions` are `core.submissions.Submission`s
    read with `read_import`, so the criteria versions they name are stored ones."""
    out = []
    submissions = list(submissions)
    with immediate(db):
        before = imported_visits(db, [s.instance_id for s in submissions])
        for sub in submissions:
            if sub.instance_id in before:
                out.append(Imported(sub.instance_id, before[sub.instance_id], False))
                continue
            visit_id = create_visit(db, sub.location_id, dict(sub.facts, organisation_id=organisation_id), sub.criteria_hash, actor)
            if sub.answers:
                save_answers(db, visit_id, {cid: Edit(Answer.of(a), NONE) for cid, a in sub.answers.items()}, actor=actor)
            for voice in sub.voices:
                add_voice(db, visit_id, voice["age_band"], voice["domain_id"], voice["text"], actor)
            stamp = now()
            db["imported_submissions"].insert(
                {"instance_id": sub.instance_id, "visit_id": visit_id, "file_name": file_name, "imported_at": stamp, "imported_by": actor.user_id if actor else None}
            )
            db["visit_revisions"].insert(
                {
                    "visit_id": visit_id,
                    "revision": 0,
                    "event": "imported",
                    "at": stamp,
                    "user_id": actor.user_id if actor else None,
                    "reason": f"{file_name} ({sub.instance_id})",
                }
            )
            audit(db, actor, "import", "visit", visit_id, ["instance_id"])
            out.append(Imported(sub.instance_id, visit_id, True))
    return out
