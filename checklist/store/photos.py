"""Photos of a visit's criteria: the cleaned JPEG bytes and their size (m013)."""

from __future__ import annotations

from sqlite_utils import Database

from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.connection import immediate
from checklist.store.visits import _require_draft


class TooManyPhotos(Exception):
    """The visit already has as many photos as the configuration allows."""


_LIST = "select id, visit_id, criterion_id, width, height, created_at from photos"


def add_photo(
    db: Database,
    visit_id: int,
    criterion_id: str,
    jpeg: bytes,
    width: int,
    height: int,
    max_per_visit: int,
    actor: Actor | None = None,
    client_key: str | None = None,
) -> int:
    """Store a cleaned photo of a draft; VisitLocked after submission, TooManyPhotos past the limit
    (counted in the same transaction, so two uploads at once cannot pass it together). With a
    `client_key` (a device sending a photo taken offline) a second send stores nothing."""
    with immediate(db):
        _require_draft(db, visit_id)
        if client_key and (earlier := photo_with_key(db, visit_id, client_key)) is not None:
            return earlier
        if db.execute("select count(*) from photos where visit_id = ?", [visit_id]).fetchone()[0] >= max_per_visit:
            raise TooManyPhotos()
        photo_id = db["photos"].insert(
            {
                "visit_id": visit_id,
                "criterion_id": criterion_id,
                "jpeg": jpeg,
                "width": width,
                "height": height,
                "created_at": now(),
                "created_by": actor.user_id if actor else None,
                "client_key": client_key,
            }
        ).last_pk
        audit(db, actor, "add_photo", "visit", visit_id, ["photo"])
    return photo_id


def visit_photos(db: Database, visit_id: int) -> dict[str, list[dict]]:
    """criterion id -> its photos (without the bytes), oldest first."""
    out: dict[str, list[dict]] = {}
    for row in db.query(_LIST + " where visit_id = ? order by id", [visit_id]):
        out.setdefault(row["criterion_id"], []).append(row)
    return out


def photo_with_key(db: Database, visit_id: int, client_key: str) -> int | None:
    """The id of the photo a device sent before with this key, if it was stored."""
    for row in db.query("select id from photos where visit_id = ? and client_key = ?", [visit_id, client_key]):
        return row["id"]
    return None


def photo_count(db: Database, visit_id: int) -> int:
    return db.execute("select count(*) from photos where visit_id = ?", [visit_id]).fetchone()[0]


def get_photo(db: Database, visit_id: int, photo_id: int) -> dict | None:
    """One photo with its bytes, only if it belongs to that visit (the caller checked the visit's scope)."""
    rows = list(db.query("select * from photos where id = ? and visit_id = ?", [photo_id, visit_id]))
    return rows[0] if rows else None


def report_photos(db: Database, visit_id: int) -> dict[str, list[dict]]:
    """criterion id -> its photos with the bytes, for the visit report's appendix."""
    out: dict[str, list[dict]] = {}
    for row in db.query("select id, criterion_id, jpeg, width, height from photos where visit_id = ? order by id", [visit_id]):
        out.setdefault(row["criterion_id"], []).append(row)
    return out


def delete_photo(db: Database, visit_id: int, photo_id: int, actor: Actor | None = None) -> bool:
    """Delete a photo of a draft; VisitLocked after submission. False if there was no such photo."""
    with immediate(db):
        _require_draft(db, visit_id)
        deleted = db.execute("delete from photos where id = ? and visit_id = ?", [photo_id, visit_id]).rowcount > 0
        if deleted:
            audit(db, actor, "delete_photo", "visit", visit_id, ["photo"])
    return deleted
