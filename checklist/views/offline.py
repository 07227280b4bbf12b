"""The app on a device without a connection: the web app manifest, the service worker, and
the list of pages a draft visit needs offline.

The service worker (static/sw.js) is served from the root so that it may answer for every
page of the app; it keeps only the pages of visits the signed-in visitor chose to take
offline (see the README's security section for the trade-off against `no-store`).
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import send_from_directory
from flask import url_for
from flask_babel import gettext as _

from checklist import store
from checklist.views.common import get_bundle_or_404
from checklist.views.common import require
from checklist.views.database import get_db

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#1f5f8b"


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root: its scope is the whole app. Like every page it is
    never kept by the browser's HTTP cache, so an update reaches each device at once."""
    return send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript")


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
        url_for("photos.show", visit_id=visit_id, photo_id=p["id"]) for ps in store.visit_photos(get_db(), visit_id).values() for p in ps
    ]
    return jsonify({"outcome": "ok", "visit": visit_id, "urls": urls, "files": photos})
