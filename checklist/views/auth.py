"""Signing in and out, server-side sessions, login throttling, and the login wall.

Flask's session is a signed cookie: a copy stays valid after logout unless the server
checks something. So the cookie carries a random token whose SHA-256 is a row in
`sessions`; logout, deactivation and time-outs delete or refuse that row, and a copied
cookie stops working. Flask-Login carries the token as the user's id.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from functools import cached_property

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from checklist import store
from checklist.core.access import may
from checklist.core.access import visit_scope
from checklist.views.common import hash_password
from checklist.views.common import password_hasher
from checklist.views.common import verify_password
from checklist.views.database import get_db
from checklist.views.forms import LoginForm
from checklist.views.security import safe_next
from checklist.views.common import csrf

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
log = logging.getLogger("checklist.views.auth")

# Endpoints anyone may reach; everything else needs a signed-in user (tested over url_map).
PUBLIC_ENDPOINTS = {"auth.login", "static", "pages.health", "pages.set_language", "pages.favicon"}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class User:
    """The signed-in user of this request, with the session it came in on."""

    row: dict
    token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def role(self) -> str:
        return self.row["role"]

    @property
    def organisation_id(self) -> int:
        return self.row["organisation_id"]

    @cached_property
    def scope(self):
        blind = store.blind_visit_ids(get_db(), self.id) if self.role == "visitor" else frozenset()
        return visit_scope(self.role, self.organisation_id, blind)

    def may(self, action: str) -> bool:
        return may(self.role, action)


# -- passwords --------------------------------------------------------------------------


# Spent on unknown accounts too, so the answer time does not tell which emails exist.
_DUMMY_HASH: dict[tuple, str] = {}


def _dummy_hash() -> str:
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH[key]


# -- sessions ---------------------------------------------------------------------------


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user behind a session token, if the session is alive; every request runs this."""
    db = get_db()
    digest = token_hash(token)
    row = store.session_with_user(db, digest)
    if row is None or not row["active"]:
        return None
    now = utcnow()
    config = current_app.config
    created = datetime.fromisoformat(row["session_created"])
    last_seen = datetime.fromisoformat(row["last_seen"])
    idle = now - last_seen > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    if idle or now - created > timedelta(hours=config["SESSION_MAX_HOURS"]):
        store.delete_session(db, digest)
        # Said once (the row is gone, so the next request finds none), on the login page that follows.
        if idle:
            flash(_("You were signed out because nothing was done for %(minutes)s minutes. Sign in again to go on.", minutes=config["SESSION_IDLE_MINUTES"]), "notice")
        else:
            flash(_("You were signed out because a session lasts at most %(hours)s hours. Sign in again to go on.", hours=config["SESSION_MAX_HOURS"]), "notice")
        return None
    if now - last_seen > timedelta(seconds=60):  # one write a minute at most, not one per request
        store.touch_session(db, digest, stamp(now))
    return User(row=row, token=token)


def start_session(user_row: dict) -> None:
    """A fresh token on every sign-in (so a token seen before login is worthless)."""
    token = secrets.token_urlsafe(32)
    store.create_session(get_db(), user_row["id"], token_hash(token), stamp(utcnow()))
    session.clear()
    login_user(User(row=user_row, token=token))


def end_session() -> None:
    if current_user.is_authenticated:
        store.delete_session(get_db(), token_hash(current_user.token))
        store.audit_event(get_db(), current_user.id, current_user.organisation_id, "sign_out", "user", current_user.id)
    logout_user()
    session.clear()


# -- throttling -------------------------------------------------------------------------
#
# Two limits, both checked before any password is hashed (so a flood costs no CPU):
# - per account: LOGIN_MAX_PER_ACCOUNT failures in LOGIN_WINDOW_MINUTES lock that one account
#   for the rest of the window;
# - per address: LOGIN_MAX_PER_ADDRESS failures in LOGIN_ADDRESS_WINDOW_SECONDS slow that address
#   down to that rate, never lock it: many colleagues can share one address (an office, or every
#   user when the app sits behind a proxy without PROXY_FIX_X_FOR), and refused attempts do not
#   count, so the limit lifts within the short window after the failures stop. A browser in which
#   the account signed in before (the device cookie below) is not held to the address's rate for
#   that account, so other accounts' failures from the same address never refuse its correct
#   password; only that account's own lock does.


@dataclass(frozen=True)
class Throttle:
    message: str
    retry_after: int  # seconds


def throttle(email: str, address: str, trusted_device: bool) -> Throttle | None:
    """Why this attempt must wait, if it must."""
    config = current_app.config
    now = utcnow()
    account_window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    address_window = timedelta(seconds=config["LOGIN_ADDRESS_WINDOW_SECONDS"])
    counts = store.login_failures_since(get_db(), email, stamp(now - account_window), address, stamp(now - address_window))
    if counts["by_email"] >= config["LOGIN_MAX_PER_ACCOUNT"]:
        message = _("Too many failed attempts. Wait a few minutes and try again.")
        return Throttle(message, _seconds_until(counts["oldest_by_email"], account_window, now))
    if not trusted_device and counts["by_address"] >= config["LOGIN_MAX_PER_ADDRESS"]:
        message = _("Many sign-ins failed from your network just now. Wait a minute and try again.")
        return Throttle(message, _seconds_until(counts["oldest_by_address"], address_window, now))
    return None


def _seconds_until(oldest: str, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest counted failure leaves the window."""
    return max(1, int((datetime.fromisoformat(oldest) + window - now).total_seconds()) + 1)


def forget_before() -> str:
    """Failures older than the longest window count for nothing and are deleted."""
    config = current_app.config
    longest = max(timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]), timedelta(seconds=config["LOGIN_ADDRESS_WINDOW_SECONDS"]))
    return stamp(utcnow() - longest)


# -- device cookie ----------------------------------------------------------------------
#
# After a successful sign-in the browser gets a signed cookie naming the accounts that signed
# in with it (OWASP's "device cookie"). It opens nothing by itself: it only exempts those accounts
# from the per-address rate in this browser. Per account, the lock still applies.

DEVICE_COOKIE_DAYS = 180
DEVICE_COOKIE_ACCOUNTS = 5  # a shared tablet remembers its last five accounts


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="checklist.login-device")


def _device_cookie_name() -> str:
    return "__Host-login-device" if current_app.config["SESSION_COOKIE_SECURE"] else "login-device"


def device_accounts() -> list[int]:
    """The accounts that signed in with this browser before (an invalid cookie counts as none)."""
    value = request.cookies.get(_device_cookie_name())
    if not value:
        return []
    try:
        ids = _device_serializer().loads(value, max_age=DEVICE_COOKIE_DAYS * 24 * 3600)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_device(response, user_id: int) -> None:
    ids = [user_id] + [i for i in device_accounts() if i != user_id]
    response.set_cookie(
        _device_cookie_name(),
        _device_serializer().dumps(ids[:DEVICE_COOKIE_ACCOUNTS]),
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )


# -- views ------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # LoginForm checks its own token, so an expired one shows the form again
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_db()
        email = form.email.data.strip().lower()
        address = request.remote_addr or "?"  # the client's, behind a proxy when PROXY_FIX_X_FOR says so
        user = store.get_user_by_email(db, email)
        # The log and the audit log name the account when there is one, never what was typed
        # (a password typed into the email field would otherwise be kept there).
        who = f"user={user['id']}" if user else "unknown account"
        store.prune_login_failures(db, forget_before())
        wait = throttle(email, address, trusted_device=user is not None and user["id"] in device_accounts())
        if wait:
            log.warning("login throttled %s address=%r", who, address)
            flash(wait.message, "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait.retry_after)}
        ok = verify_password(user["password_hash"] if user else _dummy_hash(), form.password.data)
        if not (ok and user and user["active"]):
            store.record_login_failure(db, email, address, stamp(utcnow()), forget_before())
            reason = "unknown account" if user is None else ("inactive account" if not user["active"] else "wrong password")
            store.audit_event(db, None, None, "sign_in_failed", "user", user["id"] if user else None, f"address={address}; {reason}")
            log.warning("login failed %s address=%r", who, address)
            flash(_("Email address or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 401
        store.clear_login_failures(db, email)
        if password_hasher().check_needs_rehash(user["password_hash"]):
            store.set_password(db, user["id"], hash_password(form.password.data), end_sessions=False)
        start_session(user)
        store.audit_event(db, user["id"], user["organisation_id"], "sign_in", "user", user["id"], f"address={address}")
        log.info("login ok user=%s address=%r", user["id"], address)
        response = redirect(safe_next(request.args.get("next")) or url_for("pages.index"))
        remember_device(response, user["id"])
        return response
    return render_template("auth/login.html", form=form), form.status()


@bp.post("/logout")
def logout():
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


def init_app(app) -> None:
    store.set_identifier_key(app.secret_key)  # the key of the digests of typed emails in login_failures
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)

    @app.before_request
    def login_wall():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            if request.accept_mimetypes.best == "application/json":  # the browser's background save
                return {"outcome": "signed_out"}, 401
            return login_manager.unauthorized()
        return None
