"""Signing in and out, server-side sessions, login throttling, and the login wall.

Flask's session is a signed cookie: a copy stays valid after logout unless the server
checks something. So the cookie carries a random token whose SHA-256 is a row in
`sessions`; logout, deactivation and time-outs delete or refuse that row, and a copied
cookie stops working. Flask-Login carries the token as the user's id.

With a second factor (TOTP, `checklist.core.totp`) the password step does not start a
session: it leaves the browser half signed in (`session["second_step"]`, the user's id and
when, for SECOND_STEP_MINUTES) and the code step or, for an account that must enrol, the
enrolment page starts it. Until then the login wall lets through only those two pages and
sign-out. Wrong codes count as failed logins of the account, throttled the same way.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from functools import cached_property

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import make_response
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
from checklist.core.access import Account
from checklist.core import totp
from checklist.core.access import OPERATOR_PAGES
from checklist.core.access import may
from checklist.core.access import visit_scope
from checklist.store import Actor
from checklist.views.common import hash_password
from checklist.views.common import password_hasher
from checklist.views.common import verify_password
from checklist.views.database import get_db
from checklist.views.common import token_hash
from checklist.views.forms import ChangePasswordForm
from checklist.views.forms import CodeForm
from checklist.views.forms import FactorChangeForm
from checklist.views.forms import LoginForm
from checklist.views.security import safe_next
from checklist.views.common import csrf
from checklist.views.common import actor

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
log = logging.getLogger("checklist.views.auth")

# Endpoints anyone may reach; everything else needs a signed-in user (tested over url_map).
PUBLIC_ENDPOINTS = {"auth.login", "static", "assets.versioned", "offline.shell", "pages.health", "pages.set_language", "pages.favicon", "offline.service_worker", "offline.manifest"}
# What a half-signed-in browser (password right, code not yet given) may reach besides those.
SECOND_STEP_ENDPOINTS = {"auth.second_factor", "auth.enrol_at_sign_in", "auth.logout"}
SECOND_STEP_MINUTES = 5
OWNER_HEADER = "X-Checklist-Owner"  # whose item a device sends (static/js/sender.js)
UNLOCK_COOKIE = "checklist-unlock"  # the device's unlock window for one user (static/js/vault.js)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


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

    @property
    def account(self) -> Account:
        return Account.of(self.row)

    @property
    def is_system_admin(self) -> bool:
        return self.account.is_system_admin

    @cached_property
    def scope(self):
        blind = store.blind_visit_ids(get_db(), self.id) if self.role == "visitor" else frozenset()
        return visit_scope(self.role, self.organisation_id, blind)

    def may(self, action: str) -> bool:
        return may(self.role, action, self.is_system_admin)


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
    # Flask-WTF keeps this request's CSRF token in `g`; its secret was in the session just
    # emptied, so a page rendered now (the recovery codes) must get a token of the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
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
#   for the rest of the window, counted apart for the browsers in which it signed in before (the
#   device cookie) and for everywhere else: a stranger who types wrong passwords for a known
#   address locks only the strangers' way in, never the owner's own tablet (issue 23 §5);
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
    counts = store.login_failures_since(get_db(), email, stamp(now - account_window), address, stamp(now - address_window), trusted_device)
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
        trusted = user is not None and user["id"] in device_accounts()
        wait = throttle(email, address, trusted_device=trusted)
        if wait:
            log.warning("login throttled %s address=%r", who, address)
            flash(wait.message, "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait.retry_after)}
        ok = verify_password(user["password_hash"] if user else _dummy_hash(), form.password.data)
        if not (ok and user and user["active"]):
            store.record_login_failure(db, email, address, stamp(utcnow()), forget_before(), trusted_device=trusted)
            reason = "unknown account" if user is None else ("inactive account" if not user["active"] else "wrong password")
            store.audit_event(db, None, None, "sign_in_failed", "user", user["id"] if user else None, f"address={address}; {reason}")
            log.warning("login failed %s address=%r", who, address)
            flash(_("Email address or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 401
        if password_hasher().check_needs_rehash(user["password_hash"]):
            store.set_password(db, user["id"], hash_password(form.password.data), end_sessions=False)
        next_url = safe_next(request.args.get("next")) or url_for("pages.index")
        if user["totp_secret"] or second_factor_required(user):
            # The failures are kept until the code is right too: else a known password would
            # reset the count before every few guesses of the code.
            session.clear()
            session["second_step"] = {"user_id": user["id"], "at": stamp(utcnow()), "next": next_url}
            log.info("login password ok user=%s address=%r, second factor next", user["id"], address)
            return redirect(url_for("auth.second_factor" if user["totp_secret"] else "auth.enrol_at_sign_in"))
        log.info("login ok user=%s address=%r", user["id"], address)
        return complete_sign_in(user, lambda: redirect(next_url))
    return render_template("auth/login.html", form=form), form.status()


def complete_sign_in(user: dict, respond):
    """Both factors (or the one the account needs) are right: a fresh session, the failures
    forgotten; `respond` makes the response once the user is signed in."""
    db = get_db()
    store.clear_login_failures(db, user["email"])
    start_session(user)
    store.audit_event(db, user["id"], user["organisation_id"], "sign_in", "user", user["id"], f"address={request.remote_addr or '?'}")
    response = make_response(respond())
    remember_device(response, user["id"])
    return response


@bp.post("/logout")
def logout():
    """End the session. The page's script has sent what waited on the device first, and
    removed the user's stored pages. What could not be sent stays on the device, encrypted
    for its owner (never deleted by someone else's sign-out): so the browser's HTTP cache is
    cleared, not its storage, and the unlock cookie goes, which locks that work."""
    end_session()
    flash(_("You are signed out."), "success")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache"'
    response.delete_cookie(UNLOCK_COOKIE, path="/", samesite="Strict")
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token (forms.Form)
def change_password():
    """The signed-in user changes their own password: the current one is asked first (a wrong
    one counts as a failed sign-in of the account, so the account's lock applies here too),
    and every other session of the account ends."""
    form = ChangePasswordForm()
    form.account_email, form.account_name = current_user.row["email"], current_user.row["display_name"]
    if form.validate_on_submit():
        db = get_db()
        email, address = current_user.row["email"], request.remote_addr or "?"
        wait = throttle(email, address, trusted_device=True)  # signed in: its own device's lock, not the address's rate
        if wait:
            flash(wait.message, "error")
            return render_template("auth/password.html", form=form), 429, {"Retry-After": str(wait.retry_after)}
        if not verify_password(current_user.row["password_hash"], form.current_password.data):
            store.record_login_failure(db, email, address, stamp(utcnow()), forget_before(), trusted_device=True)
            log.warning("password change: wrong current password user=%s address=%r", current_user.id, address)
            form.current_password.errors.append(_("This is not your current password."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("Choose a new password that differs from the current one."))
        else:
            store.set_password(db, current_user.id, hash_password(form.new_password.data), actor=actor(), keep_session=token_hash(current_user.token))
            log.info("password changed user=%s", current_user.id)
            flash(_("Your password is changed. Everywhere else you were signed in, you are now signed out."), "success")
            return redirect(url_for("pages.index"))
    return render_template("auth/password.html", form=form), form.status()


# -- the second factor -------------------------------------------------------------------


def second_factor_required(user: dict) -> bool:
    """Whether this account must sign in with a code: its role says so (TOTP_REQUIRED_ROLES), or
    an admin reset its factor and it must enrol again."""
    return bool(user["totp_must_enrol"]) or user["role"] in current_app.config["TOTP_REQUIRED_ROLES"]


def half_signed_in_user() -> dict | None:
    """The account whose password was right in this browser in the last SECOND_STEP_MINUTES,
    if it may still sign in; the half-signed-in state is dropped otherwise."""
    pending = session.get("second_step")
    if not isinstance(pending, dict):
        return None
    user = store.get_user(get_db(), pending.get("user_id"))
    fresh = utcnow() - datetime.fromisoformat(pending["at"]) <= timedelta(minutes=SECOND_STEP_MINUTES)
    if user is None or not user["active"] or not fresh:
        session.pop("second_step", None)
        return None
    return user


def code_throttled(user: dict):
    """A 429 page if this account or address must wait, as at the password step; else None."""
    address = request.remote_addr or "?"
    wait = throttle(user["email"], address, trusted_device=user["id"] in device_accounts())
    if wait is None:
        return None
    log.warning("second factor throttled user=%s address=%r", user["id"], address)
    flash(wait.message, "error")
    return wait


def code_failed(user: dict) -> None:
    address = request.remote_addr or "?"
    store.record_login_failure(get_db(), user["email"], address, stamp(utcnow()), forget_before(), trusted_device=user["id"] in device_accounts())
    log.warning("second factor failed user=%s address=%r", user["id"], address)


def check_code(user: dict, code: str, recovery: bool) -> str | None:
    """"totp" or "recovery" when `code` is a current code of the user's app not used before (or,
    with `recovery`, an unused recovery code, which is used up by this); None otherwise."""
    db = get_db()
    if totp.is_totp_code(code):
        step = totp.matching_step(user["totp_secret"], code, user["totp_last_step"])
        return "totp" if step is not None and store.accept_totp_step(db, user["id"], step) else None
    if recovery and totp.looks_like_recovery_code(code):
        for row in store.unused_recovery_codes(db, user["id"]):
            if totp.recovery_code_matches(row["code_hash"], code, current_app.config):
                used = store.use_recovery_code(db, user["id"], row["id"], Actor(user_id=user["id"], organisation_id=user["organisation_id"]))
                return "recovery" if used else None
    return None


def enrolment(user: dict) -> dict:
    """What the enrolment page shows: the QR code and the secret being enrolled (made here once)."""
    secret = user["totp_pending_secret"]
    if not secret:
        secret = totp.new_secret()
        store.set_pending_secret(get_db(), user["id"], secret)
    uri = totp.provisioning_uri(secret, user["email"], current_app.config["TOTP_ISSUER"])
    return {"qr_svg": totp.qr_svg(uri), "secret": totp.grouped_secret(secret), "pending_secret": secret}


def confirm_enrolment(user: dict, pending_secret: str, code: str, acting) -> list[str] | None:
    """Switch the factor on if `code` is a current code of the secret shown; the new recovery codes."""
    step = totp.matching_step(pending_secret, code, None)
    if step is None:
        return None
    codes = totp.new_recovery_codes()
    hashes = [totp.hash_recovery_code(c, current_app.config) for c in codes]
    if not store.enable_second_factor(get_db(), user["id"], pending_secret, step, hashes, acting):
        return None
    return codes


def wrong_code() -> str:
    return _("This code is not right, or it was used already. Wait for the next code of your app and try again.")


def second_step_user():
    """(the half-signed-in user, None), or (None, the response that sends this browser where it
    belongs: signed in already, or its second step expired)."""
    if current_user.is_authenticated:
        return None, redirect(url_for("pages.index"))
    user = half_signed_in_user()
    if user is None:
        flash(_("Sign in again: the second step waits %(minutes)s minutes at most.", minutes=SECOND_STEP_MINUTES), "notice")
        return None, redirect(url_for("auth.login"))
    return user, None


@bp.route("/login/code", methods=["GET", "POST"])
@csrf.exempt  # CodeForm checks its own token
def second_factor():
    """The second step of signing in: a code of the app, or a recovery code."""
    user, elsewhere = second_step_user()
    if elsewhere:
        return elsewhere
    if not user["totp_secret"]:
        return redirect(url_for("auth.enrol_at_sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        wait = code_throttled(user)
        if wait:
            return render_template("auth/second_factor.html", form=form), 429, {"Retry-After": str(wait.retry_after)}
        used = check_code(user, form.code.data, recovery=True)
        if used is None:
            code_failed(user)
            form.code.errors.append(wrong_code())
            return render_template("auth/second_factor.html", form=form), 401
        log.info("login ok user=%s with %s", user["id"], used)
        next_url = session["second_step"]["next"]

        def respond():
            if used == "recovery":  # after start_session, which empties the session and its flashes
                left = len(store.unused_recovery_codes(get_db(), user["id"]))
                flash(_("You used a recovery code; %(count)s are left. Make new ones under Second factor.", count=left), "notice")
            return redirect(next_url)

        return complete_sign_in(user, respond)
    return render_template("auth/second_factor.html", form=form), form.status()


@bp.route("/login/enrol", methods=["GET", "POST"])
@csrf.exempt
def enrol_at_sign_in():
    """An account that must have a second factor and has none sets it up before it gets in."""
    user, elsewhere = second_step_user()
    if elsewhere:
        return elsewhere
    if user["totp_secret"]:
        return redirect(url_for("auth.second_factor"))
    form = CodeForm()
    shown = enrolment(user)
    if form.validate_on_submit():
        wait = code_throttled(user)
        if wait:
            return render_template("auth/enrol.html", form=form, at_sign_in=True, **shown), 429, {"Retry-After": str(wait.retry_after)}
        codes = confirm_enrolment(user, shown["pending_secret"], form.code.data, Actor(user_id=user["id"], organisation_id=user["organisation_id"]))
        if codes is None:
            code_failed(user)
            form.code.errors.append(wrong_code())
            return render_template("auth/enrol.html", form=form, at_sign_in=True, **shown), 401
        log.info("second factor enrolled at sign-in user=%s", user["id"])
        next_url = session["second_step"]["next"]
        return complete_sign_in(user, lambda: render_template("auth/recovery_codes.html", codes=codes, next_url=next_url))
    return render_template("auth/enrol.html", form=form, at_sign_in=True, **shown), form.status()


@bp.route("/account/second-factor", methods=["GET", "POST"])
@csrf.exempt
def second_factor_settings():
    """A signed-in user's own second factor: set it up, make new recovery codes, turn it off
    (only where the role does not require it). Each change asks for the password and a current
    code, and ends the user's other sessions."""
    db = get_db()
    user = store.get_user(db, current_user.id)
    required = second_factor_required(user)
    form = FactorChangeForm()
    shown = {} if user["totp_secret"] else enrolment(user)
    action = request.form.get("action", "")
    valid = form.validate_on_submit()
    status = form.status()
    if valid and action in ("enable", "recovery", "disable"):
        wait = code_throttled(user)
        if wait:
            page = render_template("auth/second_factor_settings.html", form=form, user=user, required=required, action=action, unused=0, **shown)
            return page, 429, {"Retry-After": str(wait.retry_after)}
        if action == "disable" and required:
            abort(403)  # the page offers no such button: the role requires the factor
        if not verify_password(user["password_hash"], form.password.data):
            codes = None
            form.password.errors.append(_("Type your current password to change your second factor."))
        elif not user["totp_secret"]:
            codes = confirm_enrolment(user, shown["pending_secret"], form.code.data, actor()) if action == "enable" else None
        elif action in ("recovery", "disable") and check_code(user, form.code.data, recovery=False):
            codes = totp.new_recovery_codes() if action == "recovery" else []
        else:
            codes = None
        if codes is not None:
            store.clear_login_failures(db, user["email"])
            store.end_other_sessions(db, user["id"], token_hash(current_user.token))
            if action == "recovery":
                store.replace_recovery_codes(db, user["id"], [totp.hash_recovery_code(c, current_app.config) for c in codes], actor())
            if action == "disable":
                store.disable_second_factor(db, user["id"], actor())
                flash(_("The second factor is off. You sign in with your password only."), "success")
                return redirect(url_for("auth.second_factor_settings"))
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.second_factor_settings"))
        code_failed(user)
        if not form.password.errors:
            form.code.errors.append(wrong_code())
        status = 401
    unused = len(store.unused_recovery_codes(db, user["id"])) if user["totp_secret"] else 0
    return render_template("auth/second_factor_settings.html", form=form, user=user, required=required, action=action, unused=unused, **shown), status


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
            if "second_step" in session:
                if request.endpoint in SECOND_STEP_ENDPOINTS:
                    return None
                return redirect(url_for("auth.second_factor"))  # which sends on to enrolment when needed
            return login_manager.unauthorized()
        if current_user.role == "operator" and request.endpoint not in OPERATOR_PAGES:
            # Deny by default: an operator reads only its own pages, whatever a view would allow.
            log.warning("refused %s to operator user=%s", request.endpoint, current_user.id)
            abort(404)
        return refuse_other_owner()


def refuse_other_owner():
    """A device sends what waited with the id of the user who typed it (`X-Checklist-Owner`):
    when that is not the user signed in now (a shared tablet), nothing is written, and the
    device keeps the item for its owner."""
    owner = request.headers.get(OWNER_HEADER)
    if owner is None or owner == str(current_user.id):
        return None
    log.warning("refused a device's item of user %r sent by user=%s", owner[:20], current_user.id)
    message = _("This was typed by another user on this device. It waits there until they sign in.")
    return {"outcome": "not_owner", "message": message, "errors": [message]}, 403
