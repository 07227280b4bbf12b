"""Photos of what was seen: added to a criterion of a draft, shown and served within the
visit's scope, deleted from a draft. The image handling is `checklist.core.photos`."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import generate_csrf
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import ValidationError

from checklist import store
from checklist.core.ids import client_key
from checklist.core.photos import TOO_MANY_PIXELS
from checklist.core.photos import PhotoRefused
from checklist.core.photos import clean_photo
from checklist.store import TooManyPhotos
from checklist.store import VisitLocked
from checklist.views.common import actor
from checklist.views.common import csrf
from checklist.views.common import get_bundle_or_404
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.forms import field_key
from checklist.views.photo_panel import set_notice

bp = Blueprint("photos", __name__)

FORM_OVERHEAD = 64 * 1024  # the token, the tick box and the multipart framing around the file


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _criterion_domain(bundle, criterion_id: str):
    """The domain page a criterion of this visit is on, or 404."""
    for d in bundle.criteria.domains_for(bundle.location["type"]):
        if any(c.id == criterion_id for c in d.criteria_for(bundle.location["type"])):
            return d
    abort(404)


def _back(visit_id: int, domain_id: str, criterion_id: str):
    return redirect(url_for("visits.domain", visit_id=visit_id, domain_id=domain_id, _anchor=f"photos-{field_key(criterion_id)}"), 303)


@bp.post("/visits/<int:visit_id>/criteria/<criterion_id>/photos")
@csrf.exempt  # checked below, after the request may be as large as a photo
def upload(visit_id: int, criterion_id: str):
    """Add a photo to a criterion of a draft: cleaned (`clean_photo`) or refused with why.

    A device sending a photo taken offline asks for JSON and gives the photo a
    `client_key`: the answer says what happened, and a photo sent twice is stored once."""
    require("edit_visits")
    bundle = get_bundle_or_404(visit_id)
    domain = _criterion_domain(bundle, criterion_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not bundle.is_draft:
        if wants_json:
            return jsonify({"outcome": "locked", "message": _("This visit has been submitted meanwhile, so the photo was not stored."), "csrf_token": generate_csrf()}), 409
        raise VisitLocked(visit_id)
    try:
        kind, text = _receive(visit_id, criterion_id)
    except CSRFError:
        if not wants_json:
            raise  # the app's 400 page; answers typed meanwhile wait on the device
        return jsonify({"outcome": "expired", "csrf_token": generate_csrf()}), 400
    set_notice(criterion_id, kind, text)
    back = _back(visit_id, domain.id, criterion_id)
    if wants_json:
        body = {"outcome": "saved" if kind == "success" else "refused", "message": text, "next": back.location, "csrf_token": generate_csrf()}
        return jsonify(body), 200 if kind == "success" else 422
    return back


def _receive(visit_id: int, criterion_id: str) -> tuple[str, str]:
    """Read, check, clean and store one upload: ("success" | "error", what to tell the visitor)."""
    config = current_app.config
    max_bytes = config["PHOTO_MAX_BYTES"]
    too_large = _("The photo is larger than %(mb)s MB. Take it again at a lower resolution, or choose a smaller file.", mb=_megabytes(max_bytes))
    # Only this route takes a photo: the rest of the app keeps MAX_CONTENT_LENGTH.
    request.max_content_length = max_bytes + FORM_OVERHEAD
    try:
        if request.content_length is not None and request.content_length > request.max_content_length:
            raise RequestEntityTooLarge()
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        return "error", too_large
    if config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(form.get("csrf_token"))
        except ValidationError as err:
            raise CSRFError(str(err)) from None
    upload = files.get("photo")
    if form.get("no_person") != "1":
        return "error", _("Nothing was stored: tick that no person is recognisable in the photo. Photograph facilities only, never people.")
    if upload is None or not upload.filename:
        return "error", _("Choose a photo first.")
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return "error", too_large
    key = client_key(form.get("client_key"))
    # Before the image is decoded (up to a second or two and hundreds of MB): a photo this
    # device sent before, or a visit that is full, costs nothing. `add_photo` checks again
    # in its transaction, for two uploads at once.
    if key and store.photo_with_key(get_db(), visit_id, key) is not None:
        return "success", _("Photo added.")
    if store.photo_count(get_db(), visit_id) >= config["PHOTO_MAX_PER_VISIT"]:
        return "error", _("Nothing was stored: this visit already has %(n)s photos, the most it can have. Delete one first.", n=config["PHOTO_MAX_PER_VISIT"])
    try:
        photo = clean_photo(data, max_px=config["PHOTO_MAX_PX"])
    except PhotoRefused as refused:
        if refused.reason == TOO_MANY_PIXELS:
            return "error", _("Nothing was stored: the image has too many pixels to process. Take the photo again at a lower resolution.")
        return "error", _("Nothing was stored: this file could not be read as a photo. Choose a JPEG, PNG or HEIC photo.")
    try:
        store.add_photo(get_db(), visit_id, criterion_id, photo.jpeg, photo.width, photo.height, config["PHOTO_MAX_PER_VISIT"], actor(), key)
    except TooManyPhotos:
        return "error", _("Nothing was stored: this visit already has %(n)s photos, the most it can have. Delete one first.", n=config["PHOTO_MAX_PER_VISIT"])
    return "success", _("Photo added.")


@bp.get("/visits/<int:visit_id>/photos/<int:photo_id>.jpg")
def show(visit_id: int, photo_id: int):
    """The cleaned JPEG, to whoever may see the visit (404 otherwise), never cached."""
    if store.get_visit(get_db(), visit_id, current_user.scope) is None:
        abort(404)
    photo = store.get_photo(get_db(), visit_id, photo_id)
    if photo is None:
        abort(404)
    response = Response(photo["jpeg"], mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'inline; filename="visit-{visit_id}-photo-{photo_id}.jpg"'
    return response


@bp.post("/visits/<int:visit_id>/photos/<int:photo_id>/delete")
def delete(visit_id: int, photo_id: int):
    """Delete a photo of a draft; back to its criterion."""
    require("edit_visits")
    bundle = get_bundle_or_404(visit_id)
    if not bundle.is_draft:
        raise VisitLocked(visit_id)
    photo = store.get_photo(get_db(), visit_id, photo_id)
    if photo is None:
        abort(404)
    store.delete_photo(get_db(), visit_id, photo_id, actor())
    criterion_id = photo["criterion_id"]
    domain = next((d for d in bundle.criteria.domains_for(bundle.location["type"]) if any(c.id == criterion_id for c in d.criteria_for(bundle.location["type"]))), None)
    if domain is None:
        return redirect(url_for("visits.detail", visit_id=visit_id), 303)
    set_notice(criterion_id, "success", _("Photo deleted."))
    return _back(visit_id, domain.id, criterion_id)
