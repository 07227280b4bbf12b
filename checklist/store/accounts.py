"""Accounts, server-side sessions and failed logins."""

from __future__ import annotations

import hashlib
import hmac

from sqlite_utils import Database

from checklist.store.connection import immediate
from checklist.store.base import Actor
from checklist.store.base import audit
from checklist.store.base import now


# -- users, sessions, login failures --------------------------------------------------

_USER_SELECT = "select u.*, o.name as organisation from users u join organisations o on o.id = u.organisation_id"


def get_user(db: Database, user_id: int) -> dict | None:
    rows = list(db.query(_USER_SELECT + " where u.id = ?", [user_id]))
    return rows[0] if rows else None


def get_user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query(_USER_SELECT + " where u.email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def list_users(db: Database, organisation_id: int | None = None) -> list[dict]:
    """Every account, or one organisation's."""
    if organisation_id is None:
        return list(db.query(_USER_SELECT + " order by o.name, u.email"))
    return list(db.query(_USER_SELECT + " where u.organisation_id = ? order by u.email", [organisation_id]))


def create_user(
    db: Database, email: str, display_name: str, organisation_id: int, role: str, password_hash: str, actor: Actor | None = None, system_admin: bool = False
) -> int:
    """A new account; `system_admin` (with the admin role) only from the command line."""
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
                "system_admin": int(system_admin and role == "admin"),
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
        audit(db, actor, "create", "user", user_id, ["email", "display_name", "organisation_id", "role", "password"] + (["system_admin"] if system_admin else []))
    return user_id


def set_system_admin(db: Database, user_id: int, system_admin: bool, actor: Actor | None = None) -> None:
    """Make an account a system admin (its role becomes admin) or take that away (it stays an
    admin of its organisation). Ends the account's sessions, like a role change."""
    with immediate(db):
        before = db["users"].get(user_id)
        row = {"system_admin": int(system_admin), "role": "admin" if system_admin else before["role"]}
        db["users"].update(user_id, dict(row, updated_at=now()))
        db.execute("delete from sessions where user_id = ?", [user_id])
        audit(db, actor, "update", "user", user_id, [k for k in row if before[k] != row[k]])


def update_user(db: Database, user_id: int, display_name: str, organisation_id: int, role: str, active: bool, actor: Actor | None = None) -> None:
    """Change an account; deactivating it or changing its role or organisation ends its sessions."""
    row = {"display_name": display_name, "organisation_id": organisation_id, "role": role, "active": int(active)}
    with immediate(db):
        before = db["users"].get(user_id)
        db["users"].update(user_id, dict(row, updated_at=now()))
        if not active or before["role"] != role or before["organisation_id"] != organisation_id:
            db.execute("delete from sessions where user_id = ?", [user_id])
        audit(db, actor, "update", "user", user_id, [k for k in row if before[k] != row[k]])


def set_password(
    db: Database, user_id: int, password_hash: str, end_sessions: bool = True, actor: Actor | None = None, keep_session: str | None = None
) -> None:
    """A new password hash; ends the account's sessions, except the one whose token hash is
    `keep_session` (the user who changes their own password stays signed in there)."""
    with immediate(db):
        db["users"].update(user_id, {"password_hash": password_hash, "updated_at": now()})
        if end_sessions:
            db.execute("delete from sessions where user_id = ? and token_hash is not ?", [user_id, keep_session])
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


# -- failed logins ---------------------------------------------------------------------------
#
# What was typed as the email is kept only as a keyed digest (HMAC-SHA-256 with a key derived from
# the app's SECRET_KEY, set at start-up by `set_identifier_key`): the throttle only needs to count
# attempts per typed identifier, and someone who typed their password into the email field must
# not find it in the database, a backup or the log. Without the secret a digest cannot be tried
# against a list of guesses. Rows live no longer than the longest throttle window.

_identifier_key = [b"checklist.login-failures"]


def set_identifier_key(secret: str | bytes) -> None:
    """The key for the digests of typed identifiers (the app calls this with its SECRET_KEY)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    _identifier_key[0] = hmac.new(raw, b"checklist.login-failures", hashlib.sha256).digest()


def identifier_digest(email: str) -> str:
    """The keyed digest of what was typed as the email (trimmed, lower case)."""
    return hmac.new(_identifier_key[0], email.strip().lower().encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _account_key(email: str, trusted_device: bool) -> str:
    """The digest failures of this account are counted under: those from a browser in which the
    account signed in before (the device cookie) apart from all others, so failures elsewhere
    never lock the account out of its own device (OWASP's device cookies)."""
    return identifier_digest(email + "\x00trusted-device" if trusted_device else email)


def record_login_failure(db: Database, email: str, address: str, at: str, forget_before: str, trusted_device: bool = False) -> None:
    """Record a failed login (the typed email only as its digest) and forget the failures older
    than `forget_before` (the longest throttle window): they no longer count."""
    with immediate(db):
        db["login_failures"].insert({"account": _account_key(email, trusted_device), "remote_ip": address, "at": at})
        db.execute("delete from login_failures where at < ?", [forget_before])


def prune_login_failures(db: Database, forget_before: str) -> int:
    """Forget the failures older than `forget_before`; run on every login attempt and at start-up,
    so nothing stays longer than the throttle window even when no new failure comes."""
    return db.execute("delete from login_failures where at < ?", [forget_before]).rowcount


def login_failures_since(db: Database, email: str, email_since: str, address: str, address_since: str, trusted_device: bool = False) -> dict:
    """Failures for this account (from its trusted devices, or from anywhere else) since
    `email_since` and for this address since `address_since`: how many, and the oldest (which
    tells how long until a limit lifts)."""
    account = _account_key(email, trusted_device)
    return list(
        db.query(
            """select (select count(*) from login_failures where account = ? and at >= ?) as by_email,
                      (select min(at) from login_failures where account = ? and at >= ?) as oldest_by_email,
                      (select count(*) from login_failures where remote_ip = ? and at >= ?) as by_address,
                      (select min(at) from login_failures where remote_ip = ? and at >= ?) as oldest_by_address""",
            [account, email_since, account, email_since, address, address_since, address, address_since],
        )
    )[0]


def clear_login_failures(db: Database, email: str) -> None:
    db.execute("delete from login_failures where account in (?, ?)", [_account_key(email, False), _account_key(email, True)])
