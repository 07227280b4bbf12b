"""CSV and XLSX exports of visits and answers with the overview's filters: the blueprint.

Routes (stable URLs; the same query parameters as `/compare/`: type, province,
organisation, operator, from, to, closed):

- `/exports/visits.csv`, `/exports/visits.xlsx`: one row per submitted visit in the period
  (all of them, not only the latest per location; `latest_in_period` marks the one the
  overview and the aggregate report use), location fields, scores, one `score_<domain>`
  and `status_<domain>` column per domain;
- `/exports/answers.csv`, `/exports/answers.xlsx`: one row per stored answer of those
  visits, with criterion text, domain title and result from the visit's criteria version;
- `/exports/visits-semicolon.csv`, `/exports/answers-semicolon.csv`: the same rows as the
  CSV for Dutch Excel (`;`, decimal commas; see `reports/csv_export.py`).

Coordinators export their organisation's submitted visits, monitors those of every
organisation (permission "export"); others get 404 like any page they may not see.
The files themselves are made in the reports layer: `reports/csv_export.py` (the CSV
text, its format and why) and `reports/spreadsheet.py` (safe cells, the XLSX and its
About sheet).

Choices:

- Invalid filters answer 400 with the problems instead of silently exporting more than
  was asked for (a dropped `type=` would export every type). `sort` is accepted and
  ignored: exports are ordered by location name, visit date and visit id.
- CSV is streamed from the database (`stream_with_context`): 470,000 answers (the
  `make bench` data set) in about 6 s at constant memory. XLSX is built with a write-only
  openpyxl workbook and sent from memory; openpyxl makes some 50,000 cells a second, so
  an XLSX above `EXPORT_XLSX_MAX_CELLS` (default 1,000,000 cells, about 20 s) is refused
  with a 400 that points to the CSV rather than running into gunicorn's 60 s worker timeout.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Callable
from typing import Iterable
from typing import Iterator

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask import send_file
from flask import stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlite_utils import Database

from checklist import store
from checklist.core.filters import Filters
from checklist.views.forms import read_filters
from checklist.core.labels import answer_labels
from checklist.core.labels import evidence_labels
from checklist.reports import spreadsheet
from checklist.reports.csv_export import ANSWER_CSV_BLOCKS
from checklist.reports.csv_export import DUTCH_EXCEL
from checklist.reports.csv_export import STANDARD
from checklist.reports.csv_export import CsvFormat
from checklist.reports.csv_export import csv_chunks
from checklist.reports.spreadsheet import XLSX_MAX_CELLS
from checklist.reports.spreadsheet import XLSX_MAX_ROWS
from checklist.views.common import get_criteria
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations
from checklist.views.limits import record_download

bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- request ----------------------------------------------------------------------------


def request_filters() -> Filters:
    """The overview's filters; a malformed one is refused (400), not dropped."""
    form = read_filters(request.args, get_criteria())
    filters, problems = form.filters(), form.problems()
    if problems:
        abort(400, description="; ".join(problems))
    return filters


def file_name(kind: str, extension: str) -> str:
    return f"checklist-{kind}-{date.today().isoformat()}.{extension}"


def _csv_response(
    columns: tuple[str, ...], make_rows: Callable[[Database], Iterable[dict]], kind: str, blocks=(), form: CsvFormat = STANDARD
) -> Response:
    """Stream the CSV. The view's request has ended (and its database connection closed)
    by the time the body is sent, so the rows are read on the connection `get_db()` opens
    inside the re-entered context, closed again when the stream ends."""

    def generate() -> Iterator[str]:
        yield from csv_chunks(columns, make_rows(get_db()), blocks, form)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(kind, "csv")}"'
    return response


def _xlsx_response(
    columns: tuple[str, ...], make_rows: Callable[[Database], Iterable[dict]], kind: str, title: str, filters: Filters, help_: dict
) -> Response:
    about = spreadsheet.About(title, filters, help_, _organisation_name(filters), current_user.role == "monitor", _)
    buffer = io.BytesIO(spreadsheet.write_xlsx(columns, make_rows(get_db()), kind, about))
    return send_file(buffer, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=file_name(kind, "xlsx"))


def _organisation_name(filters: Filters) -> str:
    """The names of the organisations filtered on, for the About sheet; "" for none."""
    if not filters.organisation_ids:
        return ""
    names = {o["id"]: o["name"] for o in store.list_organisations(get_db())}
    return ", ".join(names.get(i, str(i)) for i in filters.organisation_ids)


def _record(filters: Filters) -> None:
    """The audit row: which file (this route's own name) with which filters (as validated)."""
    record_download("export", None, f"{request.path.rsplit('/', 1)[-1]} {filters.query(sort='name')}".strip())


def refuse_large_xlsx(rows: int, columns: int) -> None:
    """An XLSX past the cell limit is refused (400) before any work, pointing to the CSV.

    openpyxl writes some 50,000 cells a second on the 2-core development machine (the
    XML of every cell is made in Python), so the default limit of 1,000,000 cells takes
    about 20 s and stays well inside gunicorn's 60 s worker timeout; the CSV of the same
    rows streams at about 90,000 answers a second. `EXPORT_XLSX_MAX_CELLS` in the
    configuration changes the limit; Excel's own limit of 1,048,575 rows always holds.
    """
    limit = current_app.config.get("EXPORT_XLSX_MAX_CELLS", XLSX_MAX_CELLS)
    if rows > XLSX_MAX_ROWS or rows * columns > limit:
        most = min(XLSX_MAX_ROWS, limit // columns)
        abort(
            400,
            description=_(
                "This export has %(rows)s rows; an XLSX file made here holds at most %(most)s. Choose a shorter period or fewer locations, or download the CSV, which has no limit.",
                rows=rows,
                most=most,
            ),
        )


def column_help(columns: Iterable[str], domain_titles: dict[str, str]) -> dict[str, str]:
    """Each column's meaning in the request's language."""
    return spreadsheet.column_help(columns, domain_titles, get_criteria(), current_language(), _)


# -- routes -----------------------------------------------------------------------------


def _domain_titles(domain_ids: Iterable[str]) -> dict[str, str]:
    lang = current_language()
    criteria = get_criteria()
    out = {}
    for domain_id in domain_ids:
        domain = criteria.domain(domain_id)
        out[domain_id] = domain.title.get(lang) if domain else domain_id
    return out


def _visits():
    """Filters, columns, domain ids and a function that reads the rows from a connection."""
    require("export")
    filters = request_filters()
    scope = current_user.scope
    domain_ids = store.export_domain_ids(get_db(), scope, filters, get_criteria())
    columns = store.export_visit_columns(domain_ids)
    return filters, columns, domain_ids, lambda db: store.export_visits(db, scope, filters, domain_ids)


def _answers():
    require("export")
    filters = request_filters()
    scope, lang = current_user.scope, current_language()
    gettext = request_translations().gettext
    labels, evidence = answer_labels(gettext), evidence_labels(gettext)
    return filters, store.EXPORT_ANSWER_COLUMNS, lambda db: store.export_answers(db, scope, filters, lang, labels, evidence)


@bp.get("/visits.csv")
def visits_csv():
    filters, columns, _domains, rows = _visits()
    _record(filters)
    return _csv_response(columns, rows, "visits")


@bp.get("/visits-semicolon.csv")
def visits_csv_semicolon():
    filters, columns, _domains, rows = _visits()
    _record(filters)
    return _csv_response(columns, rows, "visits-semicolon", form=DUTCH_EXCEL)


@bp.get("/visits.xlsx")
def visits_xlsx():
    filters, columns, domain_ids, rows = _visits()
    refuse_large_xlsx(store.export_row_count(get_db(), current_user.scope, filters), len(columns))
    _record(filters)
    help_ = column_help(columns, _domain_titles(domain_ids))
    return _xlsx_response(columns, rows, "visits", _("Export of visits"), filters, help_)


@bp.get("/answers.csv")
def answers_csv():
    filters, columns, rows = _answers()
    _record(filters)
    return _csv_response(columns, rows, "answers", ANSWER_CSV_BLOCKS)


@bp.get("/answers-semicolon.csv")
def answers_csv_semicolon():
    filters, columns, rows = _answers()
    _record(filters)
    return _csv_response(columns, rows, "answers-semicolon", ANSWER_CSV_BLOCKS, DUTCH_EXCEL)


@bp.get("/answers.xlsx")
def answers_xlsx():
    filters, columns, rows = _answers()
    refuse_large_xlsx(store.export_row_count(get_db(), current_user.scope, filters, answers=True), len(columns))
    _record(filters)
    help_ = column_help(columns, {})
    return _xlsx_response(columns, rows, "answers", _("Export of answers"), filters, help_)
