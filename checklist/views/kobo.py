"""KoboToolbox and ODK for coordinators: download the checklist as an XLSForm, upload the
submissions it collected as draft visits of their organisation.

- `/kobo/`: both forms;
- `/kobo/form.xlsx?version=HASH&type=T&lang=nl`: the XLSForm of a stored criteria version
  (default the one in use), for one location type or all (`core/xlsform.py`);
- `POST /kobo/import`: an XLSX, CSV or zip export; every problem is listed with its row and
  column and nothing is written (422), or every new submission becomes a draft visit
  (`store.import_submissions`); "check only" writes nothing and says what would happen.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import send_file
from flask_babel import gettext as _
from flask_login import current_user

from checklist import store
from checklist.core.i18n import LANGUAGES
from checklist.core.submissions import FileError
from checklist.core.submissions import read_tables
from checklist.core.xlsform import UnnamedCriterion
from checklist.core.xlsform import build_form
from checklist.reports.xlsform import write_xlsform
from checklist.views.common import actor
from checklist.views.common import get_criteria
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations

bp = Blueprint("kobo", __name__, url_prefix="/kobo")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _versions():
    """The stored criteria versions, the one in use first."""
    current = get_criteria()
    others = [c for c in store.stored_criteria(get_db()) if c.hash != current.hash]
    return [current, *reversed(others)]


def _page(result=None, status: int = 200):
    return (
        render_template("kobo/index.html", versions=_versions(), current=get_criteria(), result=result, languages=LANGUAGES, lang=current_language()),
        status,
    )


@bp.get("/")
def index():
    """Download the XLSForm; upload what it collected."""
    require("exchange_forms")
    return _page()


@bp.get("/form.xlsx")
def form_xlsx():
    require("exchange_forms")
    digest = request.args.get("version") or get_criteria().hash
    criteria = next((c for c in _versions() if c.hash == digest), None)
    if criteria is None:
        abort(400, description=_("There is no stored criteria version %(version)s.", version=digest[:12]))
    location_type = request.args.get("type") or None
    if location_type is not None and location_type not in [t.id for t in criteria.location_types]:
        abort(400, description=_("Unknown type of location: %(type)s", type=location_type))
    lang = request.args.get("lang") or current_language()
    if lang not in LANGUAGES:
        abort(400)
    try:
        form = build_form(criteria, store.form_locations(get_db()), location_type, lang)
    except UnnamedCriterion as err:
        abort(400, description=str(err))
    return send_file(BytesIO(write_xlsform(form)), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=form.file_name)


@bp.post("/import")
def upload():
    """Import an export of the form's submissions, all or nothing."""
    require("exchange_forms")
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    gettext = request_translations().gettext
    result = {"file_name": upload.filename if upload else "", "dry_run": dry_run, "problems": [], "unmatched": [], "new": [], "before": {}}
    if upload is None or not upload.filename:
        result["problems"] = [_("Choose a file to import.")]
        return _page(result, 422)
    try:
        sheets = read_tables(upload.read(), upload.filename, gettext)
    except FileError as err:
        result["problems"] = [str(err)]
        return _page(result, 422)
    db = get_db()
    reading = store.read_import(db, sheets, current_app.config["NOTE_MAX_LENGTH"], gettext, seconds=current_app.config["IMPORT_SECONDS"])
    if reading.problems:
        result.update(problems=reading.problem_lines(gettext), unmatched=reading.unmatched_locations)
        return _page(result, 422)
    before = store.imported_visits(db, [s.instance_id for s in reading.submissions])
    result["before"] = before
    if dry_run:
        result["new"] = [{"row": s.row, "instance_id": s.instance_id, "visit_id": None, "location": store.get_location(db, s.location_id)["name"], "date": s.facts["visit_date"]} for s in reading.submissions if s.instance_id not in before]
        return _page(result)
    done = store.import_submissions(db, reading.submissions, current_user.organisation_id, upload.filename, actor())
    rows = {s.instance_id: s for s in reading.submissions}
    result["new"] = [
        {"row": rows[d.instance_id].row, "instance_id": d.instance_id, "visit_id": d.visit_id, "location": store.get_location(db, rows[d.instance_id].location_id)["name"], "date": rows[d.instance_id].facts["visit_date"]}
        for d in done
        if d.new
    ]
    return _page(result)
