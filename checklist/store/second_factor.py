"""The second factor of an account: its TOTP secret, the last step accepted, recovery codes (m016).

Accepting a code and using a recovery code are single conditional UPDATEs, so two requests
(two gunicorn workers) can never both accept the same code.
"""

from __future__ import annotations

from sqlite_utils import Database

from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now
from checklist.store.connection import immediate

_CLEARED = {"totp_secret": None, "totp_pending_secret": None, "totp_last_step": None, "totp_enabled_at": None}


def set_pending_secret(db: Database, user_id: int, secret: str) -> None:
    """A secret being enrolled: shown to the user, switched on only once a code of it is confirmed."""
    db.execute("update users set totp_pending_secret = ? where id = ?", [secret, user_id])


def enable_second_factor(db: Database, user_id: int, secret: str, step: int, code_hashes: list[str], actor: Actor | None) -> bool:
    """Switch the factor on with the pending `secret` (whose code of `step` was just confirmed)
    and replace the recovery codes. False when the pending secret changed meanwhile."""
    stamp = now()
    with immediate(db):
        cursor = db.execute(
            """update users set totp_secret = ?, totp_pending_secret = null, totp_last_step = ?, totp_enabled_at = ?,
                      totp_must_enrol = 0, updated_at = ?
               where id = ? and totp_pending_secret = ?""",
            [secret, step, stamp, stamp, user_id, secret],
        )
        if cursor.rowcount != 1:
            return False
        _replace_codes(db, user_id, code_hashes, stamp)
        audit(db, actor, "enable_second_factor", "user", user_id, ["totp", "recovery_codes"])
    return True


def accept_totp_step(db: Database, user_id: int, step: int) -> bool:
    """Record `step` as used; False if a code of this step or a later one was accepted already."""
    cursor = db.execute(
        "update users set totp_last_step = ? where id = ? and totp_secret is not null and (totp_last_step is null or totp_last_step < ?)",
        [step, user_id, step],
    )
    return cursor.rowcount == 1


def unused_recovery_codes(db: Database, user_id: int) -> list[dict]:
    """id and code_hash of each recovery code not used yet."""
    return list(db.query("select id, code_hash from recovery_codes where user_id = ? and used_at is null order by id", [user_id]))


def use_recovery_code(db: Database, user_id: int, code_id: int, actor: Actor | None) -> bool:
    """Mark a recovery code used; False if it was used already (by a request just before)."""
    with immediate(db):
        cursor = db.execute("update recovery_codes set used_at = ? where id = ? and user_id = ? and used_at is null", [now(), code_id, user_id])
        if cursor.rowcount != 1:
            return False
        audit(db, actor, "use_recovery_code", "user", user_id, ["recovery_codes"])
    return True


def replace_recovery_codes(db: Database, user_id: int, code_hashes: list[str], actor: Actor | None) -> None:
    with immediate(db):
        _replace_codes(db, user_id, code_hashes, now())
        audit(db, actor, "new_recovery_codes", "user", user_id, ["recovery_codes"])


def _replace_codes(db: Database, user_id: int, code_hashes: list[str], stamp: str) -> None:
    db.execute("delete from recovery_codes where user_id = ?", [user_id])
    for code_hash in code_hashes:
        db["recovery_codes"].insert({"user_id": user_id, "code_hash": code_hash, "created_at": stamp})


def disable_second_factor(db: Database, user_id: int, actor: Actor | None) -> None:
    """The user turns the factor off themselves (only where their role does not require it)."""
    with immediate(db):
        db["users"].update(user_id, dict(_CLEARED, totp_must_enrol=0, updated_at=now()))
        db.execute("delete from recovery_codes where user_id = ?", [user_id])
        audit(db, actor, "disable_second_factor", "user", user_id, ["totp", "recovery_codes"])


def reset_second_factor(db: Database, user_id: int, actor: Actor | None) -> None:
    """An admin's reset (a lost phone): the factor and the recovery codes are gone, every session
    of the user ends, and the next sign-in goes through enrolment, whatever the role."""
    with immediate(db):
        db["users"].update(user_id, dict(_CLEARED, totp_must_enrol=1, updated_at=now()))
        db.execute("delete from recovery_codes where user_id = ?", [user_id])
        db.execute("delete from sessions where user_id = ?", [user_id])
        audit(db, actor, "reset_second_factor", "user", user_id, ["totp", "recovery_codes"])


def end_other_sessions(db: Database, user_id: int, keep_token_hash: str) -> None:
    """After the user changes a factor: every other session of theirs ends (another device, or
    whoever had the password), this one stays."""
    db.execute("delete from sessions where user_id = ? and token_hash != ?", [user_id, keep_token_hash])
