"""All data access: named reads and writes over sqlite-utils. Views never hold SQL.

Reads return plain dicts. Writes that depend on what is stored (a visit must still be a
draft, a revision counter goes up) run under BEGIN IMMEDIATE through `db.immediate`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from typing import Any
from typing import Iterable
from typing import Mapping

from sqlite_utils import Database

from checklist.access import Scope
from checklist.criteria import Criteria
from checklist.criteria import parse_criteria
from checklist.db import immediate
from checklist.scoring import AnswerValue

LOCATION_FIELDS = ("name", "type", "municipality", "province", "operator", "capacity", "children")
VISIT_FIELDS = ("visit_date", "organisation_id", "visitors", "announced", "children_present", "amv_present", "impression")
AGE_BANDS = ("0-3", "4-7", "8-12", "13-17")


class VisitLocked(Exception):
    """The visit was submitted: it is read-only."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for the audit log; None in the command line and demo data."""

    user_id: int
    organisation_id: int


def audit(db: Database, actor: Actor | None, action: str, entity: str, entity_id: int | None, fields: Iterable[str] = ()) -> None:
    """One audit row, in the caller's transaction: ids and field names, never the text typed."""
    db["audit_log"].insert(
        {
            "at": now(),
            "user_id": actor.user_id if actor else None,
            "organisation_id": actor.organisation_id if actor else None,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "fields": ",".join(sorted(fields)),
        }
    )


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- criteria versions ----------------------------------------------------------

_parsed_versions: dict[str, Criteria] = {}


def record_criteria_version(db: Database, criteria: Criteria) -> None:
    """Keep the text of every criteria version a visit may be made with."""
    _parsed_versions[criteria.hash] = criteria
    db["criteria_versions"].insert(
        {"hash": criteria.hash, "version": criteria.version, "source_text": criteria.text, "created_at": now()},
        ignore=True,
    )


def criteria_for_hash(db: Database, digest: str) -> Criteria:
    """The criteria a visit was made with, parsed from the stored text (cached by hash)."""
    if digest not in _parsed_versions:
        row = db["criteria_versions"].get(digest)
        _parsed_versions[digest] = parse_criteria(row["source_text"], f"criteria version {row['version']}")
    return _parsed_versions[digest]


# -- organisations --------------------------------------------------------------


def list_organisations(db: Database) -> list[dict]:
    return list(db.query("select id, name from organisations order by name"))


def create_organisation(db: Database, name: str, actor: Actor | None = None) -> int:
    with immediate(db):
        organisation_id = db["organisations"].insert({"name": name.strip(), "created_at": now()}).last_pk
        audit(db, actor, "create", "organisation", organisation_id, ["name"])
    return organisation_id


def organisation_id(db: Database, name: str) -> int | None:
    rows = list(db.query("select id from organisations where name = ?", [name]))
    return rows[0]["id"] if rows else None


# -- locations --------------------------------------------------------------------


def list_locations(
    db: Database, scope: Scope, q: str = "", type_: str = "", province: str = "", include_closed: bool = False
) -> list[dict]:
    """Locations with the latest visit date and the number of visits the user may see."""
    visible, visible_params = scope.where("v")
    where, params = ["1 = 1"], []
    if q:
        where.append("(l.name like ? or l.municipality like ?)")
        params += [f"%{q}%", f"%{q}%"]
    if type_:
        where.append("l.type = ?")
        params.append(type_)
    if province:
        where.append("l.province = ?")
        params.append(province)
    if not include_closed:
        where.append("l.closed_on is null")
    sql = f"""
        select l.*,
               (select max(v.visit_date) from visits v where v.location_id = l.id and v.status = 'submitted' and {visible}) as last_visit,
               (select count(*) from visits v where v.location_id = l.id and v.status = 'submitted' and {visible}) as visit_count,
               (select count(*) from visits v where v.location_id = l.id and v.status = 'draft' and {visible}) as draft_count
        from locations l
        where {' and '.join(where)}
        order by l.name collate nocase
    """
    return list(db.query(sql, visible_params * 3 + params))


def provinces_in_use(db: Database) -> list[str]:
    return [r["province"] for r in db.query("select distinct province from locations where province is not null and province != '' order by province")]


def get_location(db: Database, location_id: int) -> dict | None:
    rows = list(db.query("select * from locations where id = ?", [location_id]))
    return rows[0] if rows else None


def create_location(db: Database, data: Mapping[str, Any], actor: Actor | None = None) -> int:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    row["created_at"] = row["updated_at"] = now()
    with immediate(db):
        location_id = db["locations"].insert(row).last_pk
        audit(db, actor, "create", "location", location_id, LOCATION_FIELDS)
    return location_id


def update_location(db: Database, location_id: int, data: Mapping[str, Any], actor: Actor | None = None) -> None:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    with immediate(db):
        before = db["locations"].get(location_id)
        changed = [k for k in LOCATION_FIELDS if before[k] != row[k]]
        db["locations"].update(location_id, dict(row, updated_at=now()))
        audit(db, actor, "update", "location", location_id, changed)


def set_location_closed(db: Database, location_id: int, closed_on: str | None, actor: Actor | None = None) -> None:
    """Close (or reopen) a location; closed locations keep their visits and stay in history."""
    with immediate(db):
        db["locations"].update(location_id, {"closed_on": closed_on, "updated_at": now()})
        audit(db, actor, "reopen" if closed_on is None else "close", "location", location_id, ["closed_on"])


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


def submit_visit(db: Database, visit_id: int, actor: Actor | None = None) -> int:
    """Make the visit read-only and keep a copy of what was submitted; returns the revision."""
    with immediate(db):
        _require_draft(db, visit_id)
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


# -- users, sessions, login failures --------------------------------------------------

_USER_SELECT = "select u.*, o.name as organisation from users u join organisations o on o.id = u.organisation_id"


def get_user(db: Database, user_id: int) -> dict | None:
    rows = list(db.query(_USER_SELECT + " where u.id = ?", [user_id]))
    return rows[0] if rows else None


def get_user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query(_USER_SELECT + " where u.email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def list_users(db: Database) -> list[dict]:
    return list(db.query(_USER_SELECT + " order by o.name, u.email"))


def create_user(db: Database, email: str, display_name: str, organisation_id: int, role: str, password_hash: str, actor: Actor | None = None) -> int:
    stamp = now()
    with immediate(db):
        user_id = db["users"].insert(
            {
                "email": email.strip().lower(),
                "display_name": display_name.strip(),
                "organisation_id": organisation_id,
                "role": role,
                "active": 1,
                "password_hash": password_hash,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        audit(db, actor, "create", "user", user_id, ["email", "display_name", "organisation_id", "role", "password"])
    return user_id


def update_user(db: Database, user_id: int, display_name: str, organisation_id: int, role: str, active: bool, actor: Actor | None = None) -> None:
    """Change an account; deactivating it or changing its role or organisation ends its sessions."""
    row = {"display_name": display_name, "organisation_id": organisation_id, "role": role, "active": int(active)}
    with immediate(db):
        before = db["users"].get(user_id)
        db["users"].update(user_id, dict(row, updated_at=now()))
        if not active or before["role"] != role or before["organisation_id"] != organisation_id:
            db.execute("delete from sessions where user_id = ?", [user_id])
        audit(db, actor, "update", "user", user_id, [k for k in row if before[k] != row[k]])


def set_password(db: Database, user_id: int, password_hash: str, end_sessions: bool = True, actor: Actor | None = None) -> None:
    with immediate(db):
        db["users"].update(user_id, {"password_hash": password_hash, "updated_at": now()})
        if end_sessions:
            db.execute("delete from sessions where user_id = ?", [user_id])
        audit(db, actor, "set_password", "user", user_id, ["password"])


def create_session(db: Database, user_id: int, token_hash: str, at: str) -> None:
    with immediate(db):
        db["sessions"].insert({"token_hash": token_hash, "user_id": user_id, "created_at": at, "last_seen": at})


def session_with_user(db: Database, token_hash: str) -> dict | None:
    """The session and its user, in one query: this runs on every request."""
    rows = list(
        db.query(
            """select s.created_at as session_created, s.last_seen, u.*, o.name as organisation
               from sessions s join users u on u.id = s.user_id join organisations o on o.id = u.organisation_id
               where s.token_hash = ?""",
            [token_hash],
        )
    )
    return rows[0] if rows else None


def touch_session(db: Database, token_hash: str, at: str) -> None:
    db.execute("update sessions set last_seen = ? where token_hash = ?", [at, token_hash])


def delete_session(db: Database, token_hash: str) -> None:
    db.execute("delete from sessions where token_hash = ?", [token_hash])


def record_login_failure(db: Database, email: str, address: str, at: str) -> None:
    db["login_failures"].insert({"email": email.strip().lower(), "remote_ip": address, "at": at})


def login_failures_since(db: Database, email: str, address: str, since: str) -> tuple[int, int]:
    """Recent failures for this account and for this address."""
    row = list(
        db.query(
            """select (select count(*) from login_failures where email = ? and at >= ?) as by_email,
                      (select count(*) from login_failures where remote_ip = ? and at >= ?) as by_address""",
            [email.strip().lower(), since, address, since],
        )
    )[0]
    return row["by_email"], row["by_address"]


def clear_login_failures(db: Database, email: str) -> None:
    db.execute("delete from login_failures where email = ?", [email.strip().lower()])


# -- audit log ------------------------------------------------------------------------------


def list_audit(db: Database, user_id: int | None = None, entity: str = "", action: str = "", since: str = "", until: str = "", limit: int = 200) -> list[dict]:
    where, params = ["1"], []
    for clause, value in (("a.user_id = ?", user_id), ("a.entity = ?", entity), ("a.action = ?", action), ("a.at >= ?", since), ("a.at < ?", until)):
        if value:
            where.append(clause)
            params.append(value)
    sql = f"""select a.*, u.display_name as user_name, u.email as user_email from audit_log a left join users u on u.id = a.user_id
              where {' and '.join(where)} order by a.id desc limit ?"""
    return list(db.query(sql, [*params, limit]))


# -- meta ---------------------------------------------------------------------------


def get_meta(db: Database, key: str) -> str | None:
    rows = list(db.query("select value from meta where key = ?", [key]))
    return rows[0]["value"] if rows else None


def set_meta(db: Database, key: str, value: str) -> None:
    db["meta"].upsert({"key": key, "value": value}, pk="key")


def counts(db: Database, tables: Iterable[str] = ("locations", "visits", "answers", "child_voices")) -> dict[str, int]:
    return {t: db[t].count for t in tables}
