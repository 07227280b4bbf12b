"""All data access: named reads and writes over sqlite-utils. Views never hold SQL.

Reads return plain dicts. Writes that depend on what is stored (a visit must still be a
draft, a revision counter goes up) run under BEGIN IMMEDIATE through `db.immediate`.
"""

from __future__ import annotations

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


def create_organisation(db: Database, name: str) -> int:
    with immediate(db):
        return db["organisations"].insert({"name": name.strip(), "created_at": now()}).last_pk


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


def create_location(db: Database, data: Mapping[str, Any]) -> int:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    row["created_at"] = row["updated_at"] = now()
    with immediate(db):
        table = db["locations"].insert(row)
    return table.last_pk


def update_location(db: Database, location_id: int, data: Mapping[str, Any]) -> None:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    row["updated_at"] = now()
    with immediate(db):
        db["locations"].update(location_id, row)


def set_location_closed(db: Database, location_id: int, closed_on: str | None) -> None:
    """Close (or reopen) a location; closed locations keep their visits and stay in history."""
    with immediate(db):
        db["locations"].update(location_id, {"closed_on": closed_on, "updated_at": now()})


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


def create_visit(db: Database, location_id: int, data: Mapping[str, Any], criteria_hash: str) -> int:
    row = {k: data.get(k) for k in VISIT_FIELDS}
    row.update(location_id=location_id, criteria_hash=criteria_hash, status="draft", version=1)
    row["created_at"] = row["updated_at"] = now()
    with immediate(db):
        table = db["visits"].insert(row)
    return table.last_pk


def update_visit_details(db: Database, visit_id: int, data: Mapping[str, Any]) -> None:
    row = {k: data.get(k) for k in VISIT_FIELDS if k in data}
    with immediate(db):
        _require_draft(db, visit_id)
        db.execute(
            f"update visits set {', '.join(f'{k} = ?' for k in row)}, updated_at = ?, version = version + 1 where id = ?",
            [*row.values(), now(), visit_id],
        )


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


def save_answers(db: Database, visit_id: int, answers: Mapping[str, Mapping[str, Any]], current_domain: str | None = None) -> int:
    """Store the given answers of a draft visit; returns how many rows changed.

    An answer with no value, number or note removes the stored row, so clearing a
    choice really clears it.
    """
    changed = 0
    stamp = now()
    with immediate(db):
        _require_draft(db, visit_id)
        stored = visit_answers(db, visit_id)
        for cid, answer in answers.items():
            row = {"value": answer.get("value") or None, "number": answer.get("number"), "note": (answer.get("note") or "").strip() or None}
            old = stored.get(cid)
            if old and all(old[k] == row[k] for k in row):
                continue
            if not any(v is not None for v in row.values()):
                if old:
                    db.execute("delete from answers where visit_id = ? and criterion_id = ?", [visit_id, cid])
                    changed += 1
                continue
            db["answers"].upsert(
                {"visit_id": visit_id, "criterion_id": cid, **row, "rev": (old["rev"] + 1) if old else 1, "updated_at": stamp},
                pk=("visit_id", "criterion_id"),
            )
            changed += 1
        if current_domain is not None:
            db.execute("update visits set current_domain = ?, updated_at = ? where id = ?", [current_domain, stamp, visit_id])
    return changed


def submit_visit(db: Database, visit_id: int) -> None:
    with immediate(db):
        _require_draft(db, visit_id)
        stamp = now()
        db.execute(
            "update visits set status = 'submitted', submitted_at = ?, updated_at = ?, version = version + 1 where id = ?",
            [stamp, stamp, visit_id],
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


def add_voice(db: Database, visit_id: int, age_band: str, domain_id: str | None, text: str) -> int:
    with immediate(db):
        _require_draft(db, visit_id)
        table = db["child_voices"].insert(
            {"visit_id": visit_id, "age_band": age_band, "domain_id": domain_id or None, "text": text.strip(), "created_at": now()}
        )
    return table.last_pk


def delete_voice(db: Database, visit_id: int, voice_id: int) -> None:
    with immediate(db):
        _require_draft(db, visit_id)
        db.execute("delete from child_voices where id = ? and visit_id = ?", [voice_id, visit_id])


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


def create_user(db: Database, email: str, display_name: str, organisation_id: int, role: str, password_hash: str) -> int:
    stamp = now()
    with immediate(db):
        table = db["users"].insert(
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
        )
    return table.last_pk


def update_user(db: Database, user_id: int, display_name: str, organisation_id: int, role: str, active: bool) -> None:
    """Change an account; deactivating it or changing its role or organisation ends its sessions."""
    with immediate(db):
        before = db["users"].get(user_id)
        db["users"].update(user_id, {"display_name": display_name, "organisation_id": organisation_id, "role": role, "active": int(active), "updated_at": now()})
        if not active or before["role"] != role or before["organisation_id"] != organisation_id:
            db.execute("delete from sessions where user_id = ?", [user_id])


def set_password(db: Database, user_id: int, password_hash: str, end_sessions: bool = True) -> None:
    with immediate(db):
        db["users"].update(user_id, {"password_hash": password_hash, "updated_at": now()})
        if end_sessions:
            db.execute("delete from sessions where user_id = ?", [user_id])


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


# -- meta ---------------------------------------------------------------------------


def get_meta(db: Database, key: str) -> str | None:
    rows = list(db.query("select value from meta where key = ?", [key]))
    return rows[0]["value"] if rows else None


def set_meta(db: Database, key: str, value: str) -> None:
    db["meta"].upsert({"key": key, "value": value}, pk="key")


def counts(db: Database, tables: Iterable[str] = ("locations", "visits", "answers", "child_voices")) -> dict[str, int]:
    return {t: db[t].count for t in tables}
