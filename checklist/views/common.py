"""What every blueprint shares: the CSRF guard, the criteria in use, who is acting, the
checks that refuse a request, and the lookups that answer 404 for what a user may not see.

Blueprints import this module and never each other (import-linter checks it).
"""

from __future__ import annotations

import hashlib

from flask import abort
from flask import current_app
from flask import request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from checklist import store
from checklist.core import passwords
from checklist.reports.visit_data import load_visit
from checklist.store import Actor
from checklist.views.database import get_db

csrf = CSRFProtect()


def get_criteria():
    """The criteria version in use for new visits."""
    return current_app.extensions["criteria"]


def actor() -> Actor:
    """The signed-in user as the audit log records them."""
    return Actor(user_id=current_user.id, organisation_id=current_user.organisation_id)


def require(action: str) -> None:
    """Refuse a request the user's role may not make (404, like an object they cannot see)."""
    if not current_user.may(action):
        # Logged (ASVS 16.3.2): a role asking for what it may not do; who, what and where, no data.
        current_app.logger.warning("refused %s to user=%s role=%s on %s", action, current_user.id, current_user.role, request.path)
        abort(404)


def get_location_or_404(location_id: int) -> dict:
    location = store.get_location(get_db(), location_id)
    if location is None:
        abort(404)
    return location


def get_bundle_or_404(visit_id: int):
    """The visit if this user may see it; otherwise 404, whether or not it exists."""
    bundle = load_visit(get_db(), visit_id, current_user.scope)
    if bundle is None:
        abort(404)
    return bundle


def password_hasher():
    """argon2id at the configured cost (see `checklist.core.passwords`)."""
    return passwords.password_hasher(current_app.config)


def hash_password(password: str) -> str:
    return passwords.hash_password(password, current_app.config)


def verify_password(password_hash: str, password: str) -> bool:
    return passwords.verify_password(password_hash, password, current_app.config)


def token_hash(token: str) -> str:
    """What `sessions` stores of a session's token (`checklist.views.auth`)."""
    return hashlib.sha256(token.encode()).hexdigest()


def absolute_url(endpoint: str, **values) -> str:
    """An address for a mail: under BASE_URL when configured, else this request's host."""
    from flask import url_for

    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def send_mail_soon() -> None:
    """Once this request's work is committed, try to send the mail outbox once, on a thread of
    its own (what fails stays queued for `flask send-mail`, which retries). The request never
    waits for a mail server. Not `response.call_on_close`: a server skips it when the browser
    drops the connection early, as Werkzeug's does after a redirect."""
    import threading

    from flask import after_this_request

    if not current_app.config["MAIL_SEND_AFTER_REQUEST"]:
        return
    app = current_app._get_current_object()

    @after_this_request
    def hook(response):
        threading.Thread(target=deliver_outbox, args=(app,), name="mail-after-request", daemon=True).start()
        return response


def deliver_outbox(app) -> dict:
    """Send what is due in the outbox on a connection of its own."""
    from checklist.reports.mail import deliver_due
    from checklist.store.connection import connect

    db = connect(app.config["DATABASE"])
    try:
        return deliver_due(db, app.config)
    except Exception:  # never let mail break a response that is already sent
        app.logger.exception("mail: delivering the outbox failed")
        return {"sent": 0, "failed": 0}
    finally:
        db.conn.close()
