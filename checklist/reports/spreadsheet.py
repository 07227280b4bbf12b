"""Cells for the CSV and XLSX exports, and the XLSX file with its About sheet. No Flask inside.

- Column names in the first row are stable machine names (`visit_id`, `criterion_id`,
  `score_play`, ...) in every language, so scripts keep working when the interface
  language or the wording changes. Texts (criterion, domain title, answer in words) are
  in the user's language. The XLSX has a second sheet ("Toelichting"/"About") that
  explains every column in that language with the filters, period, access and the
  criteria versions in the file. The CSV (`csv_export.py`) is the bare table.
- Formula injection (OWASP "CSV injection"): notes, names and other typed text that
  start with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`, in the CSV
  and the XLSX alike (so both hold the same rows, and a sheet saved back to CSV stays
  safe). Numbers are written as numbers and never prefixed. Control characters that XML
  (and so XLSX) cannot hold are removed from text in both formats.
- The XLSX is built with a write-only openpyxl workbook (rows go to a temporary file as
  they come); openpyxl makes some 50,000 cells a second, which is why the blueprint
  refuses an XLSX above `EXPORT_XLSX_MAX_CELLS`.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timezone
from typing import Callable
from typing import Iterable
from typing import Mapping


from checklist.core.criteria import Criteria
from checklist.core.filters import Filters
from checklist.core.i18n import N_
from checklist.core.text import NONCHARACTER_CLASS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(FORMULA_STARTS)
# Characters XML 1.0 cannot hold (openpyxl refuses the controls, and writes U+FFFE/U+FFFF
# into a file that neither Excel nor openpyxl can open again); tab, newline and CR stay.
# New input has no non-characters (web.Request), but rows stored before may.
CONTROL_CHARACTERS = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{NONCHARACTER_CLASS}]")
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit minus the header row
XLSX_MAX_CELLS = 1_000_000  # default of EXPORT_XLSX_MAX_CELLS: about 20 s of openpyxl, see refuse_large_xlsx
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
    "amv_resident": N_("Unaccompanied minors living at the location, as staff said; 0 leaves the domain on unaccompanied minors out of the score."),
    "revision": N_("How often the visit was submitted: 2 or more after it was reopened and submitted again."),
    "score": N_("Overall score from 0 to 100: the mean of the domain scores weighted by the domain weights. Empty: no score."),
    "status": N_("Overall status: green, amber, red or none. A red flag lowers a green status to the cap set in the criteria."),
    "scored": N_("Number of criteria that count in the score."),
    "assessable": N_("Number of applicable criteria not answered 'not applicable'. Coverage is scored divided by assessable."),
    "red_flags": N_("Number of red flags: critical criteria that are not met."),
    "unassessed_flags": N_("Number of critical criteria answered 'could not assess': left out of the score, shown as a flag of their own."),
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
    "evidence": N_("What the answer rests on, as stored: any of seen, document, staff, children, parents, separated by commas. Empty: not recorded."),
    "children_n": N_("How many children said so, when the answer rests on what children said."),
    "parents_n": N_("How many parents said so, when the answer rests on what parents said."),
    "evidence_text": N_("What the answer rests on, in words."),
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


def xlsx_cell(column: str, value):
    if value is None or isinstance(value, (int, float)):
        return value
    if column in DATE_COLUMNS:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return safe_text(str(value))


@dataclass(frozen=True)
class About:
    """What the About sheet says besides the rows, in the reader's language."""

    title: str
    filters: Filters
    column_help: Mapping[str, str]
    organisation: str  # the name of the organisation filtered on; "" when there is none
    all_organisations: bool  # a monitor's export: submitted visits of every organisation
    gettext: Callable[..., str]  # gettext(msgid, **values), as Flask-Babel's


def write_xlsx(columns: tuple[str, ...], rows: Iterable[dict], kind: str, about: About) -> bytes:
    """The XLSX file: the rows on a sheet named `kind`, then the About sheet."""
    # openpyxl is imported here, not with the app: only an export needs it.
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    tally = _Tally(rows)
    sheet = workbook.create_sheet(kind)
    sheet.freeze_panes = "A2"
    for i, name in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = COLUMN_WIDTHS.get(name, max(10, len(name) + 2))
    sheet.append(_header(sheet, columns))
    for row in tally:
        sheet.append([xlsx_cell(c, row[c]) for c in columns])
    _about_sheet(workbook, columns, tally, about)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    return cells


# -- the About sheet --------------------------------------------------------------------


def column_help(columns: Iterable[str], domain_titles: dict[str, str], criteria: Criteria, lang: str, _) -> dict[str, str]:
    """Each column's meaning in the reader's language (`_` is gettext(msgid, **values))."""
    types = ", ".join(f"{t.id} = {t.label.get(lang)}" for t in criteria.location_types)
    out = {}
    for name in columns:
        if name in COLUMN_HELP:
            out[name] = _(COLUMN_HELP[name], types=types) if name == "location_type" else _(COLUMN_HELP[name])
        elif name.startswith("score_"):
            out[name] = _(SCORE_HELP, domain=domain_titles.get(name[6:], name[6:]))
        elif name.startswith("status_"):
            out[name] = _(STATUS_HELP, domain=domain_titles.get(name[7:], name[7:]))
    return out


def _about_sheet(workbook, columns, tally: _Tally, about: About) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment
    from openpyxl.styles import Font

    _, filters = about.gettext, about.filters
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
    organisation = about.organisation
    period = f"{filters.since.isoformat() if filters.since else '…'} – {filters.until.isoformat() if filters.until else '…'}"
    closed = {"open": _("open locations"), "closed": _("closed locations"), "all": _("open and closed locations")}[filters.closed]
    if about.all_organisations:
        access = _("Submitted visits of all organisations.")
    else:
        access = _("Submitted visits of your organisation.")

    line(about.title, heading=True)
    line(_("Generated"), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    line(_("Access"), access)
    line(_("Rows"), tally.count)
    line(_("Visits"), tally.visits)
    line()
    line(_("Filters"), heading=True)
    line(_("Period"), period if (filters.since or filters.until) else _("all dates"))
    line(_("Location types"), ", ".join(filters.types) or everything)
    line(_("Province"), ", ".join(filters.provinces) or everything)
    line(_("Organisation"), organisation or everything)
    line(_("Operator"), ", ".join(filters.operators) or everything)
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
        line(name, about.column_help.get(name, ""))
    line()
    line(_("Notes"), heading=True)
    line("", _("The visits export holds every submitted visit in the period, not only the latest per location. The overview, and the aggregate report's list of locations and red flags, use the rows with latest_in_period = 1; the report's means per type and its trends use all rows."))
    line("", _("Scores run from 0 to 100. Statuses are green, amber, red or none (no score)."))
    line("", _("Text that starts with =, +, -, @, a tab or a carriage return got an apostrophe (') in front, so that a spreadsheet does not run it as a formula."))
    line("", _("Each visit is exported with the criteria version it was made with; texts come from that version."))
