"""The app's own scripts, styles and icons under one version in their path, cached for a year.

Every file under static/ is served at `/static/v/<version>/<path>`, where the version is a
hash of all of them. A page names its files with `asset(path)`; when any file changes, every
name changes, so a browser (and the service worker's copy) never mixes an old module with
a new one, and never has to ask whether a file changed: one round trip less per file on a
slow line. One version for all files rather than one hash per file keeps the modules'
relative imports (`import ... from "./outbox.js"`) working without an import map, at the
price of fetching all of them again after a deploy (about 30 KB compressed).

A request for another version (a page from before a deploy) gets today's file, uncached.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint
from flask import current_app
from flask import send_from_directory

bp = Blueprint("assets", __name__)

YEAR = 365 * 24 * 3600
# What the service worker keeps for a page to work offline (and for the app shell).
OFFLINE_ASSETS = ("style.css", "icons/icon-192.png")
SKIP = {".DS_Store"}


def static_files(folder: str) -> list[str]:
    """Every file under the static folder, as paths relative to it, sorted."""
    root = Path(folder)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name not in SKIP)


def version_of(folder: str) -> str:
    """A short hash of every static file's path and content."""
    digest = hashlib.sha256()
    for name in static_files(folder):
        digest.update(name.encode() + b"\0" + (Path(folder) / name).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def asset_version() -> str:
    return current_app.extensions["asset_version"]


def asset(path: str) -> str:
    """The URL of a static file for a page: under today's version."""
    return f"/static/v/{asset_version()}/{path}"


def module_assets() -> list[str]:
    """The browser's modules, which the service worker keeps so any page runs offline."""
    return [name for name in static_files(current_app.static_folder) if name.startswith("js/") and name.endswith(".js")]


@bp.get("/static/v/<version>/<path:filename>")
def versioned(version: str, filename: str):
    current = version == asset_version()
    response = send_from_directory(current_app.static_folder, filename, max_age=YEAR if current else 0)
    if current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app) -> None:
    app.extensions["asset_version"] = version_of(app.static_folder)
    app.register_blueprint(bp)
    app.add_template_global(asset, "asset")
