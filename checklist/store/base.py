"""What every part of the store shares: timestamps, the acting user and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from typing import Iterable

from sqlite_utils import Database


LOCATION_FIELDS = ("name", "type", "municipality", "province", "operator", "capacity", "children")
VISIT_FIELDS = ("visit_date", "organisation_id", "visitors", "announced", "children_present", "amv_present", "amv_resident", "impression")
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


def audit_event(db: Database, user_id: int | None, organisation_id: int | None, action: str, entity: str, entity_id: int | None, detail: str = "") -> None:
    """An audit row for something that is not a change (a sign-in, a failed sign-in, an export, a
    report download), in its own write. `detail` holds what the event was about in the app's own
    words (an address, the filters chosen from the app's lists), never text a user typed."""
    db["audit_log"].insert(
        {
            "at": now(),
            "user_id": user_id,
            "organisation_id": organisation_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "fields": "",
            "detail": detail or None,
        }
    )


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- audit log ------------------------------------------------------------------------------


def list_audit(
    db: Database, user_id: int | None = None, entity: str = "", action: str = "", since: str = "", until: str = "", limit: int = 200, organisation_id: int | None = None
) -> list[dict]:
    """Audit rows, newest first; with `organisation_id`, only those by that organisation's accounts."""
    where, params = ["1"], []
    for clause, value in (("a.organisation_id = ?", organisation_id), ("a.user_id = ?", user_id), ("a.entity = ?", entity), ("a.action = ?", action), ("a.at >= ?", since), ("a.at < ?", until)):
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
