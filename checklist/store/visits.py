"""Visits, their answers, what children said, and their revisions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Callable
from typing import Mapping

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.store.connection import immediate
from checklist.core.save_protocol import CONFLICT
from checklist.core.save_protocol import NONE
from checklist.core.save_protocol import SAME
from checklist.core.save_protocol import UNCHANGED
from checklist.core.save_protocol import Answer
from checklist.core.save_protocol import Version
from checklist.core.save_protocol import decide
from checklist.core.scoring import AnswerValue
from checklist.core.scoring import VisitScore
from checklist.store.base import VISIT_FIELDS
from checklist.store.base import Actor
from checklist.store.base import VisitLocked
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.scores import delete_scores
from checklist.store.scores import write_scores


# -- visits -----------------------------------------------------------------------

_VISIT_SELECT = """
    select v.*, o.name as organisation, cv.version as criteria_version
    from visits v
    join organisations o on o.id = v.organisation_id
    join criteria_versions cv on cv.hash = v.criteria_hash
"""


def location_visits(db: Database, location_id: int, scope: Scope) -> list[dict]:
    visible, params = scope.where("v")
    return list(db.query(_VISIT_SELECT + f" where v.location_id = ? and {visible} order by v.visit_date desc, v.id desc", [location_id, *params]))


def get_visit(db: Database, visit_id: int, scope: Scope) -> dict | None:
    """A visit the scope allows, else None: callers answer 404, so ids cannot be probed."""
    visible, params = scope.where("v")
    rows = list(db.query(_VISIT_SELECT + f" where v.id = ? and {visible}", [visit_id, *params]))
    return rows[0] if rows else None


def create_visit(db: Database, location_id: int, data: Mapping[str, Any], criteria_hash: str, actor: Actor | None = None) -> int:
    row = {k: data.get(k) for k in VISIT_FIELDS}
    row.update(location_id=location_id, criteria_hash=criteria_hash, status="draft", version=1)
    row["created_at"] = row["updated_at"] = now()
    with immediate(db):
        visit_id = db["visits"].insert(row).last_pk
        audit(db, actor, "create", "visit", visit_id, [k for k in VISIT_FIELDS if row.get(k) is not None])
    return visit_id


def update_visit_details(db: Database, visit_id: int, data: Mapping[str, Any], actor: Actor | None = None) -> None:
    row = {k: data.get(k) for k in VISIT_FIELDS if k in data}
    with immediate(db):
        _require_draft(db, visit_id)
        before = db["visits"].get(visit_id)
        db.execute(
            f"update visits set {', '.join(f'{k} = ?' for k in row)}, updated_at = ?, version = version + 1 where id = ?",
            [*row.values(), now(), visit_id],
        )
        audit(db, actor, "update", "visit", visit_id, [k for k in row if before[k] != row[k]])


def is_draft(db: Database, visit_id: int) -> bool:
    rows = list(db.query("select status from visits where id = ?", [visit_id]))
    return bool(rows) and rows[0]["status"] == "draft"


def _require_draft(db: Database, visit_id: int) -> None:
    if not is_draft(db, visit_id):
        raise VisitLocked(visit_id)


def visit_answers(db: Database, visit_id: int) -> dict[str, dict]:
    rows = db.query("select criterion_id, value, number, note, evidence, children_n, parents_n, rev, updated_at from answers where visit_id = ?", [visit_id])
    return {r["criterion_id"]: r for r in rows}


def answer_values(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, AnswerValue]:
    """Stored answer rows as the scoring module's input."""
    return {cid: AnswerValue(value=a.get("value"), number=a.get("number")) for cid, a in answers.items()}


@dataclass(frozen=True)
class Edit:
    """One criterion as a visitor posted it, with the version of it their page showed."""

    answer: Answer | None  # None: not posted (a partial save), so not a change
    started: Version = NONE


@dataclass
class SaveResult:
    """Per criterion posted: what is stored now, and whether the visitor's answer is it.

    `saved`: the posted answer is stored (written now, or someone stored the same);
    `unchanged`: the visitor did not change it, so nothing was written;
    `conflicts`: someone else changed it after the visitor's page was made: not written.
    Each maps the criterion id to the row stored now (None: no answer stored).
    """

    saved: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)
    written: list = field(default_factory=list)


def save_answers(
    db: Database,
    visit_id: int,
    edits: Mapping[str, Edit],
    current_domain: str | None = None,
    actor: Actor | None = None,
) -> SaveResult:
    """Store a draft's answers by the save protocol (`checklist.core.save_protocol`).

    The only way answers are written. Everything is decided inside one BEGIN IMMEDIATE
    transaction, so two saves of one criterion are ordered and the second sees the first.
    Raises VisitLocked when the visit is no longer a draft: then nothing is written.
    """
    result = SaveResult()
    stamp = now()
    with immediate(db):
        _require_draft(db, visit_id)
        stored = visit_answers(db, visit_id)
        # Above every revision ever given in this visit, also by bulk loaders that wrote
        # answers without counting (demo data, imports): a revision is never reused.
        counter = list(db.query("select answers_rev from visits where id = ?", [visit_id]))[0]["answers_rev"]
        rev = max([counter, *(a["rev"] or 0 for a in stored.values())]) + 1
        for cid, edit in edits.items():
            old = stored.get(cid)
            if edit.answer is None:
                result.unchanged[cid] = old
                continue
            decision = decide(edit.answer, edit.started, Answer.of(old), old["rev"] if old else 0)
            if decision == UNCHANGED:
                result.unchanged[cid] = old
            elif decision == SAME:
                result.saved[cid] = old
            elif decision == CONFLICT:
                result.conflicts[cid] = old
            elif edit.answer.empty:
                db.execute("delete from answers where visit_id = ? and criterion_id = ?", [visit_id, cid])
                result.saved[cid] = None
                result.written.append(cid)
            else:
                row = {"visit_id": visit_id, "criterion_id": cid, **edit.answer.as_row(), "rev": rev, "updated_at": stamp}
                db["answers"].upsert(row, pk=("visit_id", "criterion_id"))
                result.saved[cid] = row
                result.written.append(cid)
        if result.written:
            db.execute("update visits set answers_rev = ? where id = ?", [rev, visit_id])
            audit(db, actor, "answer", "visit", visit_id, result.written)
        if current_domain is not None:
            db.execute("update visits set current_domain = ?, updated_at = ? where id = ?", [current_domain, stamp, visit_id])
    return result


def submit_visit(
    db: Database, visit_id: int, score_answers: Callable[[dict], VisitScore], actor: Actor | None = None, then: Callable | None = None
) -> tuple[int, VisitScore]:
    """Make the visit read-only, keep a copy of what was submitted and its scores.

    The answers are read and scored inside the submitting transaction
    (`score_answers(answers)`, pure), so a save that lands just before cannot leave stored
    scores that disagree with the answers, and one that lands after finds the visit locked.
    `then(db, visit, score)` runs in the same transaction after the visit is submitted (the
    re-checks, escalations and mails that follow a submission), so they happen with it or not
    at all. Returns the revision and the score.
    """
    with immediate(db):
        _require_draft(db, visit_id)
        answers = visit_answers(db, visit_id)
        score = score_answers(answers)
        write_scores(db, visit_id, score, answers)
        stamp = now()
        db.execute(
            "update visits set status = 'submitted', submitted_at = ?, updated_at = ?, version = version + 1, revision = revision + 1 where id = ?",
            [stamp, stamp, visit_id],
        )
        visit = db["visits"].get(visit_id)
        snapshot = {"visit": visit, "answers": answers, "voices": visit_voices(db, visit_id)}
        db["visit_revisions"].insert(
            {
                "visit_id": visit_id,
                "revision": visit["revision"],
                "event": "submitted",
                "at": stamp,
                "user_id": actor.user_id if actor else None,
                "snapshot": json.dumps(snapshot, ensure_ascii=False),
            }
        )
        audit(db, actor, "submit", "visit", visit_id, ["status", "revision"])
        if then is not None:
            then(db, visit, score)
    return visit["revision"], score


def reopen_visit(db: Database, visit_id: int, reason: str, actor: Actor | None = None) -> None:
    """Back to draft with a reason; the submitted revision stays in `visit_revisions`."""
    with immediate(db):
        rows = list(db.query("select status, revision from visits where id = ?", [visit_id]))
        if not rows or rows[0]["status"] != "submitted":
            raise VisitLocked(visit_id)
        stamp = now()
        db.execute("update visits set status = 'draft', submitted_at = null, updated_at = ?, version = version + 1 where id = ?", [stamp, visit_id])
        delete_scores(db, visit_id)
        db.execute("delete from finding_rechecks where visit_id = ?", [visit_id])  # a draft re-checks nothing
        db["visit_revisions"].insert(
            {"visit_id": visit_id, "revision": rows[0]["revision"], "event": "reopened", "at": stamp, "user_id": actor.user_id if actor else None, "reason": reason.strip()}
        )
        audit(db, actor, "reopen", "visit", visit_id, ["status"])


def visit_history(db: Database, visit_id: int) -> list[dict]:
    """Submissions and reopenings, oldest first, with who did it (no snapshot text)."""
    return list(
        db.query(
            """select r.revision, r.event, r.at, r.reason, u.display_name as user_name
               from visit_revisions r left join users u on u.id = r.user_id
               where r.visit_id = ? order by r.id""",
            [visit_id],
        )
    )


def previous_submitted_visit(db: Database, visit: Mapping[str, Any], scope: Scope) -> dict | None:
    """The location's last submitted visit before this one (by date, then id) that the scope allows."""
    visible, params = scope.where("v")
    rows = list(
        db.query(
            _VISIT_SELECT
            + f""" where v.location_id = ? and v.status = 'submitted' and v.id != ?
                  and (v.visit_date < ? or (v.visit_date = ? and v.id < ?)) and {visible}
                  order by v.visit_date desc, v.id desc limit 1""",
            [visit["location_id"], visit["id"], visit["visit_date"], visit["visit_date"], visit["id"], *params],
        )
    )
    return rows[0] if rows else None


# -- what children said -------------------------------------------------------------


def visit_voices(db: Database, visit_id: int) -> list[dict]:
    return list(db.query("select * from child_voices where visit_id = ? order by id", [visit_id]))


class TooManyStatements(Exception):
    """The visit already has as many statements of children as the configuration allows."""


def add_voice(
    db: Database,
    visit_id: int,
    age_band: str,
    domain_id: str | None,
    text: str,
    actor: Actor | None = None,
    most: int | None = None,
    client_key: str | None = None,
) -> int:
    """Store a statement of a draft; VisitLocked after submission, TooManyStatements when the visit
    has `most` already (counted in the same transaction, so two at once cannot pass it together).
    With a `client_key` (sent by a device that wrote it offline) a second send of the same
    statement stores nothing and returns the first."""
    with immediate(db):
        _require_draft(db, visit_id)
        if client_key:
            for row in db.query("select id from child_voices where visit_id = ? and client_key = ?", [visit_id, client_key]):
                return row["id"]
        if most is not None and db.execute("select count(*) from child_voices where visit_id = ?", [visit_id]).fetchone()[0] >= most:
            raise TooManyStatements()
        voice_id = db["child_voices"].insert(
            {
                "visit_id": visit_id,
                "age_band": age_band,
                "domain_id": domain_id or None,
                "text": text.strip(),
                "created_at": now(),
                "client_key": client_key or None,
            }
        ).last_pk
        audit(db, actor, "add_voice", "visit", visit_id, ["age_band", "domain_id", "text"])
    return voice_id


def delete_voice(db: Database, visit_id: int, voice_id: int, actor: Actor | None = None) -> None:
    with immediate(db):
        _require_draft(db, visit_id)
        if db.execute("delete from child_voices where id = ? and visit_id = ?", [voice_id, visit_id]).rowcount:
            audit(db, actor, "delete_voice", "visit", visit_id, ["child_voice"])
