"""CSV and XLSX exports of visits and answers with the overview's filters.

Routes (stable URLs; the same query parameters as `/compare/`: type, province,
organisation, operator, from, to, closed):

- `/exports/visits.csv`, `/exports/visits.xlsx`: one row per submitted visit in the period
  (all of them, not only the latest per location; `latest_in_period` marks the one the
  overview and the aggregate report use), location fields, scores, one `score_<domain>`
  and `status_<domain>` column per domain;
- `/exports/answers.csv`, `/exports/answers.xlsx`: one row per stored answer of those
  visits, with criterion text, domain title and result from the visit's criteria version.

Coordinators export their organisation's submitted visits, monitors those of every
organisation (permission "export"); others get 404 like any page they may not see.

Choices:

- Column names in the first row are stable machine names (`visit_id`, `criterion_id`,
  `score_play`, ...) in every language, so scripts keep working when the interface
  language or the wording changes. Texts (criterion, domain title, answer in words) are
  in the user's language. The XLSX has a second sheet ("Toelichting"/"About") that
  explains every column in that language with the filters, period, access and the
  criteria versions in the file. The CSV is the bare table.
- CSV: comma-separated, `.` as decimal point, UTF-8 with a BOM, CRLF line ends (RFC
  4180). The CSV is the format for scripts and tools (pandas, R, LibreOffice): it must be
  the same file whatever the user's locale. A `;` file would only help Dutch Excel if the
  numbers also had decimal commas (Dutch Excel reads "66.5" as text or a date), which
  breaks every script. Excel users get the XLSX, which has typed numbers and dates and no
  separator question. The BOM makes Excel (and LibreOffice) read UTF-8, so "Zuid-Holland"
  and "Ter Apel" are safe and "Maëlle" or Arabic notes are not garbled; pandas reads it
  with `encoding="utf-8-sig"`.
- Formula injection (OWASP "CSV injection"): notes, names and other typed text that
  start with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`, in the CSV
  and the XLSX alike (so both hold the same rows, and a sheet saved back to CSV stays
  safe). Numbers are written as numbers and never prefixed. Control characters that XML
  (and so XLSX) cannot hold are removed from text in both formats.
- Invalid filters answer 400 with the problems instead of silently exporting more than
  was asked for (a dropped `type=` would export every type). `sort` is accepted and
  ignored: exports are ordered by location name, visit date and visit id.
- CSV is streamed from the database (`stream_with_context`): 470,000 answers (the
  `make bench` data set) in about 6 s at constant memory. XLSX is built with a write-only
  openpyxl workbook (rows go to a temporary file as they come) and sent from memory;
  openpyxl makes some 50,000 cells a second, so an XLSX above `EXPORT_XLSX_MAX_CELLS`
  (default 1,000,000 cells, about 20 s) is refused with a 400 that points to the CSV
  rather than running into gunicorn's 60 s worker timeout.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from datetime import datetime
from datetime import timezone
from operator import itemgetter
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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlite_utils import Database

from checklist.core.i18n import N_
from checklist import store
from checklist.views.common import require
from checklist.views.database import get_db
from checklist.core.filters import PERIOD_REVERSED
from checklist.core.filters import Filters
from checklist.core.filters import parse_filters
from checklist.views.i18n import current_language
from checklist.views.i18n import request_translations
from checklist.core.labels import answer_labels
from checklist.core.text import NONCHARACTER_CLASS
from checklist.views.common import get_criteria

bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(FORMULA_STARTS)
# Characters XML 1.0 cannot hold (openpyxl refuses the controls, and writes U+FFFE/U+FFFF
# into a file that neither Excel nor openpyxl can open again); tab, newline and CR stay.
# New input has no non-characters (web.Request), but rows stored before may.
CONTROL_CHARACTERS = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{NONCHARACTER_CLASS}]")
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit minus the header row
XLSX_MAX_CELLS = 1_000_000  # default of EXPORT_XLSX_MAX_CELLS: about 20 s of openpyxl, see refuse_large_xlsx
CSV_CHUNK_ROWS = 500
CSV_MEMO_SIZE = 20_000
DATE_COLUMNS = {"visit_date", "closed_on"}


COLUMN_HELP = {
    "visit_id": N_("Number of the visit in this app."),
    "visit_date": N_("Date of the visit (YYYY-MM-DD)."),
    "location_id": N_("Number of the location in this app."),
    "location_name": N_("Name of the location."),
    "location_type": N_("Type of location, as its id in the criteria file: %(types)s."),
    "municipality": N_("Municipality of the location."),
    "province": N_("Province of the location."),
    "operator": N_("Operator of the location."),
    "closed_on": N_("Date the location closed; empty while it is open."),
    "organisation_id": N_("Number of the organisation that made the visit."),
    "organisation": N_("Organisation that made the visit."),
    "criteria_version": N_("Version of the criteria the visit was made with."),
    "criteria_hash": N_("First 12 characters of the SHA-256 fingerprint of that criteria file."),
    "latest_in_period": N_(
        "1 for the latest submitted visit of the location within these filters: the visit the overview, and the aggregate report's list of locations and red flags, use. 0 for earlier visits."
    ),
    "announced": N_("1 if the visit was announced, 0 if not."),
    "children_present": N_("Number of children present during the visit."),
    "amv_present": N_("Of whom unaccompanied minors (amv)."),
    "revision": N_("How often the visit was submitted: 2 or more after it was reopened and submitted again."),
    "score": N_("Overall score from 0 to 100: the mean of the domain scores weighted by the domain weights. Empty: no score."),
    "status": N_("Overall status: green, amber, red or none. A red flag lowers a green status to the cap set in the criteria."),
    "scored": N_("Number of criteria that count in the score."),
    "assessable": N_("Number of applicable criteria not answered 'not applicable'. Coverage is scored divided by assessable."),
    "red_flags": N_("Number of red flags: critical criteria that are not met."),
    "domain_id": N_("Id of the domain (stable)."),
    "domain_title": N_("Title of the domain, from the visit's criteria version."),
    "criterion_id": N_("Id of the criterion (stable across languages and criteria versions)."),
    "criterion_text": N_("Text of the criterion, from the visit's criteria version."),
    "kind": N_("Kind of criterion: rating, yesno or count."),
    "weight": N_("Weight of the criterion within its domain."),
    "critical": N_("1 if the criterion is critical: not meeting it is a red flag."),
    "value": N_("The answer as stored: meets, partly, fails, yes, no, na (not applicable) or unknown (could not assess). Empty for a count."),
    "number": N_("The counted number, for a count criterion."),
    "note": N_("The visitor's note."),
    "answer_text": N_("The answer in words."),
    "result": N_("The answer as judged for the score: meets, partly, fails, na or unknown. Empty: it does not count."),
    "points": N_("Points for the result (0 to 1, from the criteria's scoring rules). Empty: not in the score."),
}
SCORE_HELP = N_("Score of the domain '%(domain)s' from 0 to 100. Empty: no score, or the domain does not apply to the location's type.")
STATUS_HELP = N_("Status of the domain '%(domain)s': green, amber, red or none. A red flag makes it red.")
COLUMN_WIDTHS = {"location_name": 28, "organisation": 22, "criterion_text": 60, "note": 50, "answer_text": 24, "domain_title": 24}


# -- cells ------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Text as a spreadsheet must not run it: no control characters, no formula start."""
    if not value.isprintable():  # fast C check; the regex runs only for the rare text that needs it
        value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value[:1] in _FORMULA_SET else value


def csv_cell(value) -> str:
    """A value as CSV text: numbers with a decimal point, integral floats without '.0'."""
    kind = value.__class__
    if kind is str:
        return safe_text(value)
    if value is None:
        return ""
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if kind is bool:
        return "1" if value else "0"
    return str(value)


def csv_row_formatter(columns: tuple[str, ...]) -> Callable[[dict], list[str]]:
    """`csv_cell` over a row's columns, remembering recent values: most cells of an answers
    export repeat (the visit's and the criterion's columns), and a dict lookup is several
    times cheaper than formatting. 1 == 1.0 == True share an entry, which is right: all
    three are written "1". The memory is bounded by clearing it now and then."""
    memo: dict = {}
    get = memo.get
    pick = itemgetter(*columns)  # the store gives every column, None where empty

    def format_row(row: dict) -> list[str]:
        values = pick(row)
        cells = list(map(get, values))
        if None in cells:
            if len(memo) > CSV_MEMO_SIZE:
                memo.clear()
            for i, cell in enumerate(cells):
                if cell is None:
                    cells[i] = memo[values[i]] = csv_cell(values[i])
        return cells

    return format_row


def xlsx_cell(column: str, value):
    if value is None or isinstance(value, (int, float)):
        return value
    if column in DATE_COLUMNS:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return safe_text(str(value))


# -- request ----------------------------------------------------------------------------


def request_filters() -> Filters:
    """The overview's filters; a malformed one is refused (400), not dropped."""
    known_types = {t.id for t in get_criteria().location_types}
    filters = parse_filters(request.args, known_types=known_types, known_sorts={"name"})
    problems = [p for p in filters.problems if not p.startswith("sort:")]
    if filters.period_reversed:
        problems.append(_(PERIOD_REVERSED, since=filters.since.isoformat(), until=filters.until.isoformat()))
    if problems:
        abort(400, description="; ".join(problems))
    return filters


def file_name(kind: str, extension: str) -> str:
    return f"checklist-{kind}-{date.today().isoformat()}.{extension}"


# Runs of columns that repeat from row to row in the answers export: the visit's columns
# (the same for all its answers) and the criterion's (the same wherever it is answered).
# Each run is formatted once per key and written as ready CSV text.
ANSWER_CSV_BLOCKS = (
    (store.EXPORT_BASE_COLUMNS, ("visit_id",)),
    (("domain_id", "domain_title", "criterion_id", "criterion_text", "kind", "weight", "critical"), ("criteria_hash", "criterion_id")),
)
CSV_BLOCK_CACHE = 2_000


def csv_chunks(columns: tuple[str, ...], rows: Iterable[dict], blocks=()) -> Iterator[str]:
    """The CSV text (BOM, header, rows) in chunks of `CSV_CHUNK_ROWS` rows.

    `blocks` are leading runs of `columns` as (run, key columns): a run is formatted once
    per key and reused, which makes the answers export about a third faster than
    formatting every cell of every row; the text is the same.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    fragment_buffer = io.StringIO()
    fragment_writer = csv.writer(fragment_buffer, lineterminator="\r\n")  # the same quoting as `writer`

    def fragment(cells: list[str]) -> str:
        """Cells as the start of a CSV line: the fields and a separator after them."""
        fragment_writer.writerow(cells)
        text = fragment_buffer.getvalue()[:-2] + ","
        fragment_buffer.seek(0)
        fragment_buffer.truncate()
        return text

    start = sum(len(run) for run, _keys in blocks)
    assert tuple(c for run, _keys in blocks for c in run) == columns[:start], "blocks must be leading runs of the columns"
    runs = [(itemgetter(*keys), csv_row_formatter(run), {}) for run, keys in blocks]
    format_rest = csv_row_formatter(columns[start:])
    write = buffer.write
    for n, row in enumerate(rows, 1):
        for key_of, format_run, cache in runs:
            key = key_of(row)
            text = cache.get(key)
            if text is None:
                if len(cache) >= CSV_BLOCK_CACHE:
                    cache.clear()
                text = cache[key] = fragment(format_run(row))
            write(text)
        writer.writerow(format_rest(row))
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_response(columns: tuple[str, ...], make_rows: Callable[[Database], Iterable[dict]], kind: str, blocks=()) -> Response:
    """Stream the CSV. The view's request has ended (and its database connection closed)
    by the time the body is sent, so the rows are read on the connection `get_db()` opens
    inside the re-entered context, closed again when the stream ends."""

    def generate() -> Iterator[str]:
        yield from csv_chunks(columns, make_rows(get_db()), blocks)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(kind, "csv")}"'
    return response


class _Tally:
    """Counts rows and visits per criteria version while rows stream past, for the About sheet."""

    def __init__(self, rows: Iterable[dict]):
        self.rows = rows
        self.count = 0
        self.visits = 0
        self.versions: Counter = Counter()

    def __iter__(self):
        last_visit = None
        for row in self.rows:
            self.count += 1
            if row["visit_id"] != last_visit:
                last_visit = row["visit_id"]
                self.visits += 1
                self.versions[(row["criteria_version"], row["criteria_hash"])] += 1
            yield row


def _header(sheet, columns):
    bold = Font(bold=True)
    cells = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    return cells


def _xlsx_response(
    columns: tuple[str, ...], make_rows: Callable[[Database], Iterable[dict]], kind: str, title: str, filters: Filters, help_: dict
) -> Response:
    workbook = Workbook(write_only=True)
    tally = _Tally(make_rows(get_db()))
    sheet = workbook.create_sheet(kind)
    sheet.freeze_panes = "A2"
    for i, name in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = COLUMN_WIDTHS.get(name, max(10, len(name) + 2))
    sheet.append(_header(sheet, columns))
    for row in tally:
        sheet.append([xlsx_cell(c, row[c]) for c in columns])
    _about_sheet(workbook, title, columns, filters, tally, help_)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=file_name(kind, "xlsx"))


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


# -- the About sheet --------------------------------------------------------------------


def column_help(columns: Iterable[str], domain_titles: dict[str, str]) -> dict[str, str]:
    """Each column's meaning in the request's language."""
    lang = current_language()
    types = ", ".join(f"{t.id} = {t.label.get(lang)}" for t in get_criteria().location_types)
    out = {}
    for name in columns:
        if name in COLUMN_HELP:
            out[name] = _(COLUMN_HELP[name], types=types) if name == "location_type" else _(COLUMN_HELP[name])
        elif name.startswith("score_"):
            out[name] = _(SCORE_HELP, domain=domain_titles.get(name[6:], name[6:]))
        elif name.startswith("status_"):
            out[name] = _(STATUS_HELP, domain=domain_titles.get(name[7:], name[7:]))
    return out


def _about_sheet(workbook, title: str, columns, filters: Filters, tally: _Tally, help_: dict) -> None:
    sheet = workbook.create_sheet(_("About"))
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def line(label="", value=None, heading=False):
        a = WriteOnlyCell(sheet, value=safe_text(label) if label else None)
        b = WriteOnlyCell(sheet, value=safe_text(value) if isinstance(value, str) else value)
        b.alignment = wrap
        if heading:
            a.font = b.font = bold
        sheet.append([a, b])

    everything = _("all")
    organisation = ""
    if filters.organisation_id:
        names = {o["id"]: o["name"] for o in store.list_organisations(get_db())}
        organisation = names.get(filters.organisation_id, str(filters.organisation_id))
    period = f"{filters.since.isoformat() if filters.since else '…'} – {filters.until.isoformat() if filters.until else '…'}"
    closed = {"open": _("open locations"), "closed": _("closed locations"), "all": _("open and closed locations")}[filters.closed]
    if current_user.role == "monitor":
        access = _("Submitted visits of all organisations.")
    else:
        access = _("Submitted visits of your organisation.")

    line(title, heading=True)
    line(_("Generated"), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    line(_("Access"), access)
    line(_("Rows"), tally.count)
    line(_("Visits"), tally.visits)
    line()
    line(_("Filters"), heading=True)
    line(_("Period"), period if (filters.since or filters.until) else _("all dates"))
    line(_("Location types"), ", ".join(filters.types) or everything)
    line(_("Province"), filters.province or everything)
    line(_("Organisation"), organisation or everything)
    line(_("Operator"), filters.operator or everything)
    line(_("Locations"), closed)
    line(_("URL parameters"), filters.query() or "–")
    line()
    line(_("Criteria versions"), _("Visits"), heading=True)
    for (version, digest), visits in sorted(tally.versions.items()):
        line(f"{version} ({digest})", visits)
    if not tally.versions:
        line("–")
    line()
    line(_("Columns"), heading=True)
    for name in columns:
        line(name, help_.get(name, ""))
    line()
    line(_("Notes"), heading=True)
    line("", _("The visits export holds every submitted visit in the period, not only the latest per location. The overview, and the aggregate report's list of locations and red flags, use the rows with latest_in_period = 1; the report's means per type and its trends use all rows."))
    line("", _("Scores run from 0 to 100. Statuses are green, amber, red or none (no score)."))
    line("", _("Text that starts with =, +, -, @, a tab or a carriage return got an apostrophe (') in front, so that a spreadsheet does not run it as a formula."))
    line("", _("Each visit is exported with the criteria version it was made with; texts come from that version."))


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
    labels = answer_labels(request_translations().gettext)
    return filters, store.EXPORT_ANSWER_COLUMNS, lambda db: store.export_answers(db, scope, filters, lang, labels)


@bp.get("/visits.csv")
def visits_csv():
    _filters, columns, _domains, rows = _visits()
    return _csv_response(columns, rows, "visits")


@bp.get("/visits.xlsx")
def visits_xlsx():
    filters, columns, domain_ids, rows = _visits()
    refuse_large_xlsx(store.export_row_count(get_db(), current_user.scope, filters), len(columns))
    help_ = column_help(columns, _domain_titles(domain_ids))
    return _xlsx_response(columns, rows, "visits", _("Export of visits"), filters, help_)


@bp.get("/answers.csv")
def answers_csv():
    _filters, columns, rows = _answers()
    return _csv_response(columns, rows, "answers", ANSWER_CSV_BLOCKS)


@bp.get("/answers.xlsx")
def answers_xlsx():
    filters, columns, rows = _answers()
    refuse_large_xlsx(store.export_row_count(get_db(), current_user.scope, filters, answers=True), len(columns))
    help_ = column_help(columns, {})
    return _xlsx_response(columns, rows, "answers", _("Export of answers"), filters, help_)
