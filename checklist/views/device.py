"""What a page tells its script about the device's user: who is signed in (a stable id, and
the SHA-256 of their email for finding their vault on the sign-in form), which kind of
page this is, the language, the unlock window and the URLs the script needs. Written into
every page as `<meta name="checklist-context">` (base.html) and read by js/page.js.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from flask import g
from flask import request
from flask import url_for
from flask_login import current_user

from checklist.views.i18n import current_language

# The CSRF token a page stored on the device carries instead of a real one: the script then
# knows the page came from the device and uses the token it kept (outbox.js's meta).
PLACEHOLDER_TOKEN = "stored-on-device"
OFFLINE_HEADER = "X-Checklist-Offline"  # js/offline-pages.js asks for a page to keep with it
SIGN_IN_STEPS = {"auth.second_factor", "auth.enrol_at_sign_in"}


def stored_copy() -> bool:
    """This page is fetched to be kept on the device (js/offline-pages.js)."""
    return request.headers.get(OFFLINE_HEADER) == "1"


def page_kind() -> str:
    if request.endpoint == "auth.login":
        return "login"
    if request.endpoint in SIGN_IN_STEPS:
        return "sign-in-step"
    if request.endpoint == "offline.shell":
        return "shell"
    return "app"


def device_context() -> str:
    """The page's context as JSON (escaped by the attribute it goes in)."""
    user = None
    legacy = ""
    if current_user.is_authenticated and page_kind() != "shell":  # the shell names nobody: it is kept for anyone
        row = current_user.row
        user = {
            "id": row["id"],
            "lookup": hashlib.sha256(row["email"].strip().lower().encode()).hexdigest(),
            "unlockMinutes": current_app.config["DEVICE_UNLOCK_MINUTES"],
        }
        legacy = f"{row['display_name']} · {row['organisation']}"  # how the app's earlier version named the owner
    body = {
        "user": user,
        "page": page_kind(),
        "lang": current_language(),
        "unlockMinutes": current_app.config["DEVICE_UNLOCK_MINUTES"],
        "urls": {
            "login": url_for("auth.login"),
            "logout": url_for("auth.logout"),
            "deviceKey": url_for("offline.device_key"),
            "health": url_for("pages.health"),
            "shell": url_for("offline.shell"),
            "worker": url_for("offline.service_worker"),
        },
        "placeholderToken": PLACEHOLDER_TOKEN,
        "legacyWho": legacy,
    }
    return json.dumps(body, ensure_ascii=False)


def stored_copy_response(response):
    """A page fetched to be kept on the device carries the placeholder in place of this
    session's CSRF token (the device keeps its own, fresher one) and an ETag of what it
    shows, so the device fetches it again only when it changed (304 otherwise)."""
    if not stored_copy() or response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough:
        return response
    token = g.get("csrf_token")
    if token:
        response.set_data(response.get_data().replace(token.encode(), PLACEHOLDER_TOKEN.encode()))
    response.add_etag()
    return response.make_conditional(request)


def init_app(app) -> None:
    app.after_request(stored_copy_response)
    app.add_template_global(device_context, "device_context")
    app.add_template_global(stored_copy, "stored_copy")
    app.add_template_global(PLACEHOLDER_TOKEN, "placeholder_token")
