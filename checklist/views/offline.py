"""The app on a device without a connection: the web app manifest, the service worker, the
app shell, the key that lets a device open its user's work, and the list of pages a draft
visit needs offline.

The service worker (static/js/worker.js) is started from the root so that it may answer for
every page of the app; it keeps only the pages of visits the unlocked user chose to take
offline, encrypted with that user's key (see the README's security section).
"""

from __future__ import annotations

import hashlib
from base64 import urlsafe_b64encode
import hmac
import json
import re

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.views.common import get_bundle_or_404
from checklist.views.common import require
from checklist.views.assets import OFFLINE_ASSETS
from checklist.views.assets import asset
from checklist.views.assets import asset_version
from checklist.views.assets import module_assets
from checklist.views.database import get_db
from checklist.views.visit_state import visit_state

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#1f5f8b"


LANGUAGES = ("nl", "en")
VAULT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root: its scope is the whole app. It is a few lines that
    start the versioned module (worker.js) with what to keep; like every page it is never
    kept by the browser's HTTP cache, so a new version reaches each device at once."""
    config = {
        "version": asset_version(),
        "assets": [asset(name) for name in (*OFFLINE_ASSETS, *module_assets())],
        "shells": {lang: url_for("offline.shell", lang=lang) for lang in LANGUAGES},
        "urls": {"logout": url_for("auth.logout")},
    }
    body = f'import {{ start }} from "{asset("js/worker.js")}";\nstart({json.dumps(config)});\n'
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/offline/shell")
def shell():
    """The app shell: the start page a device shows offline for any address it has no page
    for. It names nobody and holds no data; its script lists the unlocked user's visits on
    the device, or lets the owner of the work there unlock it with their password."""
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else "nl"
    with force_locale(lang):
        response = make_response(render_template("offline/shell.html", lang=lang, shell=True))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/device/key")
def device_key():
    """The server's half of the lock on a user's work on one device: a key only this user,
    signed in, gets for that device's vault. A device that lost its unlock (the browser was
    closed) opens the user's work with it online, without the password; a stolen device
    offline cannot ask for it. Derived, not stored: HMAC(SECRET_KEY, user, vault)."""
    vault = request.args.get("vault", "")
    if not VAULT_ID.fullmatch(vault):
        abort(404)
    message = f"device-key:{current_user.id}:{vault}".encode()
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    response = jsonify({"key": urlsafe_b64encode(key).rstrip(b"=").decode()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to install the app on its home screen."""
    icon = lambda size, purpose: {  # noqa: E731
        "src": url_for("static", filename=f"icons/icon-{size}.png"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    body = {
        "name": _("Child-friendly reception checklist"),
        "short_name": _("Checklist"),
        "start_url": url_for("pages.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [icon(192, "any"), icon(512, "any"), icon(512, "maskable")],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/visits/<int:visit_id>/offline")
def visit_pages(visit_id: int):
    """The pages a draft visit needs to be finished without a connection: the visit, each
    domain that applies, what children said and the review. Each page carries its criteria
    texts, guidance, the previous visit's answers and the open actions. `files`: the photos
    those pages show."""
    require("edit_visits")
    bundle = get_bundle_or_404(visit_id)
    if not bundle.is_draft:
        return jsonify({"outcome": "locked"}), 409
    urls = [url_for("visits.detail", visit_id=visit_id)]
    urls += [url_for("visits.domain", visit_id=visit_id, domain_id=d.id) for d in bundle.domains]
    urls += [url_for("visits.children", visit_id=visit_id), url_for("visits.review", visit_id=visit_id)]
    photos = [
        url_for("photos.show", visit_id=visit_id, photo_id=p["id"])
        for ps in store.visit_photos(get_db(), visit_id).values()
        for p in ps
    ]
    body = {
        "outcome": "ok",
        "visit": visit_id,
        "urls": urls,
        "files": photos,
        "location": bundle.location["name"],
        "date": bundle.visit["visit_date"],
        "state": visit_state(bundle),
    }
    return jsonify(body)
