"""Visits, their answers, what children said, and their revisions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Mapping

from sqlite_utils import Database

from checklist.access import Scope
from checklist.db import immediate
from checklist.scoring import AnswerValue
from checklist.store.base import VISIT_FIELDS
from checklist.store.base import Actor
from checklist.store.base import VisitLocked
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.scores import delete_scores
from checklist.store.scores import write_scores

__all__ = [
    "location_visits",
    "get_visit",
    "create_visit",
    "update_visit_details",
    "visit_answers",
    "answer_values",
    "fingerprint",
    "SaveResult",
    "save_answers",
    "submit_visit",
    "reopen_visit",
    "visit_history",
    "previous_submitted_visit",
    "visit_voices",
    "add_voice",
    "delete_voice",
]

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


def _require_draft(db: Database, visit_id: int) -> None:
    rows = list(db.query("select status from visits where id = ?", [visit_id]))
    if not rows or rows[0]["status"] != "draft":
        raise VisitLocked(visit_id)


def visit_answers(db: Database, visit_id: int) -> dict[str, dict]:
    rows = db.query("select criterion_id, value, number, note, rev, updated_at from answers where visit_id = ?", [visit_id])
    return {r["criterion_id"]: r for r in rows}


def answer_values(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, AnswerValue]:
    """Stored answer rows as the scoring module's input."""
    return {cid: AnswerValue(value=a.get("value"), number=a.get("number")) for cid, a in answers.items()}


def fingerprint(answer: Mapping[str, Any] | None) -> str:
    """A short digest of an answer as a visitor saw it, to tell later whether it changed."""
    answer = answer or {}
    number = answer.get("number")
    parts = [answer.get("value") or "", "" if number is None else f"{float(number):g}", (answer.get("note") or "").strip()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass
class SaveResult:
    changed: int = 0
    conflicts: dict = field(default_factory=dict)  # criterion id -> the stored answer that differs from both
    changed_ids: list = field(default_factory=list)


def save_answers(
    db: Database,
    visit_id: int,
    answers: Mapping[str, Mapping[str, Any]],
    current_domain: str | None = None,
    base: Mapping[str, str] | None = None,
    actor: Actor | None = None,
) -> SaveResult:
    """Store the given answers of a draft visit.

    `base` holds each answer's fingerprint as the visitor loaded it. An answer the visitor
    did not change is left as stored (someone else may have changed it meanwhile); an
    answer both changed differently is not written but returned as a conflict, so neither
    version is lost. An answer with no value, number or note removes the stored row.
    """
    result = SaveResult()
    stamp = now()
    with immediate(db):
        _require_draft(db, visit_id)
        stored = visit_answers(db, visit_id)
        for cid, answer in answers.items():
            row = {"value": answer.get("value") or None, "number": answer.get("number"), "note": (answer.get("note") or "").strip() or None}
            old = stored.get(cid)
            if base is not None and cid in base:
                mine, theirs = fingerprint(row), fingerprint(old)
                if mine == base[cid] or mine == theirs:
                    continue
                if theirs != base[cid]:
                    result.conflicts[cid] = old
                    continue
            if old and all(old[k] == row[k] for k in row):
                continue
            if not any(v is not None for v in row.values()):
                if old:
                    db.execute("delete from answers where visit_id = ? and criterion_id = ?", [visit_id, cid])
                    result.changed += 1
                    result.changed_ids.append(cid)
                continue
            db["answers"].upsert(
                {"visit_id": visit_id, "criterion_id": cid, **row, "rev": (old["rev"] + 1) if old else 1, "updated_at": stamp},
                pk=("visit_id", "criterion_id"),
            )
            result.changed += 1
            result.changed_ids.append(cid)
        if current_domain is not None:
            db.execute("update visits set current_domain = ?, updated_at = ? where id = ?", [current_domain, stamp, visit_id])
        if result.changed_ids:
            audit(db, actor, "answer", "visit", visit_id, result.changed_ids)
    return result


def submit_visit(db: Database, visit_id: int, actor: Actor | None = None, score=None) -> int:
    """Make the visit read-only, keep a copy of what was submitted and its scores; returns the revision.

    `score` is the VisitScore of the answers as submitted (scoring is not the store's job)."""
    with immediate(db):
        _require_draft(db, visit_id)
        if score is not None:
            write_scores(db, visit_id, score)
        stamp = now()
        db.execute(
            "update visits set status = 'submitted', submitted_at = ?, updated_at = ?, version = version + 1, revision = revision + 1 where id = ?",
            [stamp, stamp, visit_id],
        )
        visit = db["visits"].get(visit_id)
        snapshot = {"visit": visit, "answers": visit_answers(db, visit_id), "voices": visit_voices(db, visit_id)}
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
    return visit["revision"]


def reopen_visit(db: Database, visit_id: int, reason: str, actor: Actor | None = None) -> None:
    """Back to draft with a reason; the submitted revision stays in `visit_revisions`."""
    with immediate(db):
        rows = list(db.query("select status, revision from visits where id = ?", [visit_id]))
        if not rows or rows[0]["status"] != "submitted":
            raise VisitLocked(visit_id)
        stamp = now()
        db.execute("update visits set status = 'draft', submitted_at = null, updated_at = ?, version = version + 1 where id = ?", [stamp, visit_id])
        delete_scores(db, visit_id)
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


def add_voice(db: Database, visit_id: int, age_band: str, domain_id: str | None, text: str, actor: Actor | None = None) -> int:
    with immediate(db):
        _require_draft(db, visit_id)
        voice_id = db["child_voices"].insert(
            {"visit_id": visit_id, "age_band": age_band, "domain_id": domain_id or None, "text": text.strip(), "created_at": now()}
        ).last_pk
        audit(db, actor, "add_voice", "visit", visit_id, ["age_band", "domain_id", "text"])
    return voice_id


def delete_voice(db: Database, visit_id: int, voice_id: int, actor: Actor | None = None) -> None:
    with immediate(db):
        _require_draft(db, visit_id)
        if db.execute("delete from child_voices where id = ? and visit_id = ?", [voice_id, visit_id]).rowcount:
            audit(db, actor, "delete_voice", "visit", visit_id, ["child_voice"])
