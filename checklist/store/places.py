"""Criteria versions, organisations and locations."""

from __future__ import annotations

from typing import Any
from typing import Mapping

from sqlite_utils import Database

from checklist.core.access import Scope
from checklist.core.criteria import Criteria
from checklist.core.criteria import parse_criteria
from checklist.core.text import name_key
from checklist.store.connection import immediate
from checklist.store.base import LOCATION_FIELDS
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now


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


def find_criteria_versions(db: Database, token: str) -> list[dict]:
    """Stored criteria versions named by a version string ("2026.1") or a hash prefix
    (4 or more hex digits): hash, version, created_at; oldest first."""
    token = token.strip()
    prefix = token.lower() if len(token) >= 4 and all(ch in "0123456789abcdef" for ch in token.lower()) else None
    return list(
        db.query(
            """select hash, version, created_at from criteria_versions
               where version = ? or (? is not null and hash like ? || '%')
               order by created_at, hash""",
            [token, prefix, prefix],
        )
    )


def stored_criteria(db: Database) -> list[Criteria]:
    """Every criteria version stored, parsed (cached by hash): what lineage follows."""
    return [criteria_for_hash(db, r["hash"]) for r in db.query("select hash from criteria_versions order by created_at, hash")]


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


def operators_in_use(db: Database) -> list[str]:
    """Operators of registered locations, for the filters' choices."""
    return [r["operator"] for r in db.query("select distinct operator from locations where operator is not null and operator != '' order by operator")]


def form_locations(db: Database) -> list[dict]:
    """The open locations an XLSForm lets a visitor choose from: id, name, type."""
    return list(db.query("select id, name, type from locations where closed_on is null order by name collate nocase, id"))


def get_location(db: Database, location_id: int) -> dict | None:
    rows = list(db.query("select * from locations where id = ?", [location_id]))
    return rows[0] if rows else None


def locations_named(db: Database, name: str) -> list[dict]:
    """Locations (open or closed) whose name is `name` up to case and whitespace (`core.text.name_key`).
    Compared in Python: SQLite's lower() and nocase know ASCII only, and locations are few."""
    key = name_key(name)
    rows = db.query("select id, name, type, municipality, province, closed_on from locations order by id")
    return [r for r in rows if name_key(r["name"]) == key]


def create_location(db: Database, data: Mapping[str, Any], actor: Actor | None = None) -> int:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    row["created_at"] = row["updated_at"] = now()
    with immediate(db):
        location_id = db["locations"].insert(row).last_pk
        audit(db, actor, "create", "location", location_id, LOCATION_FIELDS)
        record_location_changes(db, location_id, actor, "create", [(k, None, row[k]) for k in LOCATION_FIELDS if row[k] not in (None, "")], row["created_at"])
    return location_id


def update_location(db: Database, location_id: int, data: Mapping[str, Any], actor: Actor | None = None) -> None:
    row = {k: data.get(k) for k in LOCATION_FIELDS}
    with immediate(db):
        before = db["locations"].get(location_id)
        changed = [k for k in LOCATION_FIELDS if before[k] != row[k]]
        stamp = now()
        db["locations"].update(location_id, dict(row, updated_at=stamp))
        audit(db, actor, "update", "location", location_id, changed)
        record_location_changes(db, location_id, actor, "update", [(k, before[k], row[k]) for k in changed], stamp)


def set_location_closed(db: Database, location_id: int, closed_on: str | None, actor: Actor | None = None) -> None:
    """Close (or reopen) a location; closed locations keep their visits and stay in history."""
    with immediate(db):
        before = db["locations"].get(location_id)
        stamp = now()
        db["locations"].update(location_id, {"closed_on": closed_on, "updated_at": stamp})
        action = "reopen" if closed_on is None else "close"
        audit(db, actor, action, "location", location_id, ["closed_on"])
        record_location_changes(db, location_id, actor, action, [("closed_on", before["closed_on"], closed_on)], stamp)


def record_location_changes(db: Database, location_id: int, actor: Actor | None, action: str, changes: list[tuple], at: str) -> None:
    """The location's history, in the caller's transaction: one row per field (field, before,
    after). The functions above call it; the demo data, which inserts locations itself, too."""
    def text(value):
        return None if value is None else str(value)

    db["location_changes"].insert_all(
        {
            "location_id": location_id,
            "at": at,
            "user_id": actor.user_id if actor else None,
            "organisation_id": actor.organisation_id if actor else None,
            "action": action,
            "field": field,
            "old_value": text(old),
            "new_value": text(new),
        }
        for field, old, new in changes
    )


def location_changes(db: Database, location_id: int) -> list[dict]:
    """Every recorded change to a location, newest first, with who made it (name and
    organisation; none for the command line and the demo data)."""
    return list(
        db.query(
            """select c.*, u.display_name as user_name, o.name as organisation
               from location_changes c left join users u on u.id = c.user_id left join organisations o on o.id = c.organisation_id
               where c.location_id = ? order by c.id desc""",
            [location_id],
        )
    )
