"""Submissions of the checklist's XLSForm, as KoboToolbox and ODK Central export them,
read into visits to create, or into the list of what is wrong with the file. Pure.

The layouts read (the column of a field is found by its name, wherever it stands):

- KoboToolbox, XLSX ("XML values and headers"): the first sheet has a row per submission,
  headed by the field names, with or without their groups (`domain_play/play__space` or
  `play__space`); a select_multiple may also have a column per option
  (`.../play__space_EVIDENCE/seen`), which is ignored in favour of the field's own column
  (the chosen names separated by spaces). `_uuid` holds the instance id. The repeat of
  what children said is a sheet of its own (`voices`), linked by `_submission__uuid`
  (or `_parent_index` to the main sheet's `_index`). Kobo's CSV is the first sheet only
  (often `;`-separated).
- ODK Central, CSV: the same with `-` between group and field (`domain_play-play__space`),
  `KEY` and `meta-instanceID` hold the instance id (`uuid:...`); its zip holds the repeat
  as `<form>-voices.csv`, linked by `PARENT_KEY`. The zip is read as a whole.

Which criteria a submission answered comes from the form's `criteria_hash` field (see
`core/xlsform.py`), else from the form version (`FormVersion`, `version`). A choice may
be given by its name or by its label in either language. Every problem is a `Problem`
with its sheet, row and column; a file with any problem is not imported at all.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Callable
from typing import Iterable
from typing import Mapping

from checklist.core import evidence as ev
from checklist.core.criteria import Criteria
from checklist.core.i18n import LANGUAGES
from checklist.core.i18n import translations_for
from checklist.core.labels import answer_labels
from checklist.core.labels import evidence_labels
from checklist.core.text import clean_text
from checklist.core.text import name_key
from checklist.core.xlsform import AGE_BANDS
from checklist.core.xlsform import ANSWER_CHOICES
from checklist.core.xlsform import CHILDREN
from checklist.core.xlsform import CRITERIA_HASH
from checklist.core.xlsform import CRITERIA_VERSION
from checklist.core.xlsform import EVIDENCE
from checklist.core.xlsform import FACTS
from checklist.core.xlsform import IMPRESSION_MAX
from checklist.core.xlsform import LEFT_OUT
from checklist.core.xlsform import LEFT_OUT_CHOICES
from checklist.core.xlsform import LOCATION
from checklist.core.xlsform import LOCATION_OTHER
from checklist.core.xlsform import LOCATION_TYPE
from checklist.core.xlsform import NOTE
from checklist.core.xlsform import NUMBER_MAX
from checklist.core.xlsform import OTHER_LOCATION
from checklist.core.xlsform import PARENTS
from checklist.core.xlsform import VISITORS_MAX
from checklist.core.xlsform import VOICE_FIELDS
from checklist.core.xlsform import VOICE_MAX
from checklist.core.xlsform import VOICES
from checklist.core.xlsform import age_band_of
from checklist.core.xlsform import criterion_name
from checklist.core.xlsform import field_of

Gettext = Callable[[str], str]

# Columns that say which submission a row is, by the name they end in.
INSTANCE_COLUMNS = ("rootUuid", "KEY", "instanceID", "_uuid")  # the first one filled wins
PARENT_COLUMNS = ("_submission__uuid", "PARENT_KEY")
VERSION_COLUMNS = ("FormVersion", "version", "__version__")
META = {*INSTANCE_COLUMNS, *PARENT_COLUMNS, *VERSION_COLUMNS, "_index", "_parent_index"}
FACT_NAMES = {LOCATION, LOCATION_OTHER, LOCATION_TYPE, CRITERIA_VERSION, CRITERIA_HASH, *FACTS}
_SEPARATORS = re.compile(r"[/\-:.]")
_HASH_IN_VERSION = re.compile(r"([0-9a-f]{12,64})$")
_LOCATION_CHOICE = re.compile(r"loc_([0-9]{1,18})")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: sheet (None: the only or main one), row (1 is the header),
    column (its letter and header)."""

    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def where(self, _: Gettext) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def text(self, _: Gettext) -> str:
        where = self.where(_)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Sheet:
    """A table from the file: its header and rows of values (row 2 is the first data row)."""

    name: str
    header: list[str]
    rows: list[list]

    def column(self, index: int) -> str:
        return f"{_letter(index)} ({self.header[index]})"


class FileError(Exception):
    """A file that cannot be read as a table at all."""


# XLSX and zip files are compressed: what they unpack to is bounded before anything is
# read, so a small upload cannot fill the memory (a "zip bomb"). Exports of thousands of
# submissions unpack to a few megabytes.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# A table is bounded while it is read, never by what the file says of itself: an XLSX
# declares its size in `<dimension>`, which a crafted file sets to a million rows of 16,384
# columns, and openpyxl pads every row to it (issue 23). A season's export is a few hundred
# submissions of some 700 columns (98 criteria with notes and evidence options).
MAX_ROWS = 1000  # data rows per table
MAX_COLUMNS = 2000
MAX_CELLS = 1_000_000  # rows x columns of one table, as held in memory


def read_tables(data: bytes, filename: str, _: Gettext) -> list[Sheet]:
    """The tables of an XLSX, CSV or zip of CSVs (ODK Central); FileError if unreadable."""
    lower = filename.lower()
    if data[:4] == b"PK\x03\x04":
        try:
            unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        except (zipfile.BadZipFile, OSError):
            unpacked = 0  # the readers below say why the file cannot be read
        if unpacked > MAX_UNPACKED_BYTES:
            raise FileError(_("The file unpacks to more than %(mb)s MB: split the export.") % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)})
    if data[:4] == b"PK\x03\x04" and not lower.endswith((".xlsx", ".xlsm")):
        return _read_zip(data, _)
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, _)
    return [_read_csv(data, filename.rsplit("/", 1)[-1], _)]


def _read_xlsx(data: bytes, _: Gettext) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileError(_("The file cannot be read as XLSX: %(error)s") % {"error": type(exc).__name__}) from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # never trust the declared size: rows as long as their last cell
            rows = _bounded_rows(worksheet.iter_rows(values_only=True), worksheet.title, _)
            if not rows:
                continue
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            sheets.append(Sheet(worksheet.title, header, [r + [None] * (len(header) - len(r)) for r in rows[1:]]))
    finally:
        workbook.close()
    if not sheets:
        raise FileError(_("The file has no rows."))
    return sheets


def _read_csv(data: bytes, name: str, _: Gettext) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_("The file is not UTF-8 text: export it again as CSV (UTF-8) or XLSX.")) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        rows = _bounded_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), name, _, empty="")
    except csv.Error as exc:
        raise FileError(_("The file cannot be read as CSV: %(error)s") % {"error": str(exc)}) from None
    if not rows or not any(rows[0]):
        raise FileError(_("The file has no rows."))
    header = [h.strip() for h in rows[0]]
    return Sheet(name, header, [r + [""] * (len(header) - len(r)) for r in rows[1:]])


def _bounded_rows(rows: Iterable, name: str, _: Gettext, empty=None) -> list[list]:
    """The rows of a table as lists, refused (FileError) as soon as it passes MAX_ROWS,
    MAX_COLUMNS or MAX_CELLS: a too large table costs the reading of one row past a limit."""
    out: list[list] = []
    cells = 0
    for row in rows:
        if len(out) > MAX_ROWS:  # the header and MAX_ROWS data rows are read
            raise FileError(
                _("The table %(name)s has more than %(rows)s rows: export fewer submissions at a time (a date range in KoboToolbox or ODK Central), and import each file.")
                % {"name": name, "rows": MAX_ROWS}
            )
        values = list(row)
        while values and values[-1] in (None, empty):
            values.pop()  # empty cells at the end of a row cost nothing
        if len(values) > MAX_COLUMNS:
            raise FileError(
                _("The table %(name)s has more than %(columns)s columns: this is not an export of the checklist's form.") % {"name": name, "columns": MAX_COLUMNS}
            )
        cells += max(len(values), len(out[0]) if out else 0)
        if cells > MAX_CELLS:
            raise FileError(
                _("The table %(name)s has more than %(cells)s cells: export fewer submissions at a time, and import each file.") % {"name": name, "cells": f"{MAX_CELLS:,}".replace(",", ".")}
            )
        out.append(values)
    return out


def _read_zip(data: bytes, _: Gettext) -> list[Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        sheets = [_read_csv(archive.read(n), n.rsplit("/", 1)[-1], _) for n in names]
    except (zipfile.BadZipFile, OSError):
        raise FileError(_("The file cannot be read as a zip of CSV files.")) from None
    # The main table is the one not linked to a parent row.
    sheets.sort(key=lambda s: any(_name_of(h)[0] in PARENT_COLUMNS for h in s.header))
    if not sheets:
        raise FileError(_("The zip file holds no CSV file."))
    return sheets


def _letter(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _name_of(header: str) -> tuple[str | None, bool]:
    """The field a column holds (its last recognised path segment), and whether the column
    is a part of it (an option column of a select_multiple) rather than the field itself."""
    if header in META:
        return header, False
    segments = [s for s in _SEPARATORS.split(header) if s]
    for i in range(len(segments) - 1, -1, -1):
        segment = segments[i]
        if segment in FACT_NAMES or segment in META or segment in VOICE_FIELDS or field_of(segment):
            return segment, i < len(segments) - 1
    return None, False


# -- what a file holds ------------------------------------------------------------------------


@dataclass
class Submission:
    """One submission, ready to become a draft visit."""

    row: int
    instance_id: str
    criteria_hash: str
    location_id: int
    facts: dict
    answers: dict  # criterion id -> value, number, note, evidence, children_n, parents_n
    voices: list = field(default_factory=list)  # age_band, domain_id, text


@dataclass
class Reading:
    """What a file would give: the submissions (all valid) or the problems; and the
    location names that matched no location, to resolve before importing again."""

    submissions: list[Submission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmatched_locations: list[str] = field(default_factory=list)

    def problem_lines(self, _: Gettext) -> list[str]:
        return [p.text(_) for p in self.problems]


def read_submissions(
    sheets: list[Sheet],
    known_criteria: Mapping[str, Criteria],
    locations: Iterable[Mapping],
    note_max: int,
    _: Gettext,
    today: date | None = None,
    seconds: float | None = None,
) -> Reading:
    """Read every submission of the tables; collect every problem rather than stop at one.

    `known_criteria`: the criteria versions this app knows, by hash. `locations`: every
    location (id, name, type, closed_on). `seconds`: the time the reading may take; past it,
    the reading stops at the row it reached with a problem saying so, so that a web worker is
    never held past its budget.
    """
    reading = Reading()
    deadline = None if seconds is None else time.monotonic() + seconds
    today = today or date.today()
    main = sheets[0]
    locations = list(locations)
    main_name = main.name if len(sheets) > 1 else None
    columns = _columns(main, reading, _, main_name)
    for required in (LOCATION, "visit_date"):
        if required not in columns:
            reading.problems.append(
                Problem(
                    _("No column for the field %(name)s: export the data with XML values and headers, from a form made by this app.") % {"name": required},
                    row=1,
                    sheet=main_name,
                )
            )
    if reading.problems:
        return reading
    words = _choice_words()
    seen_ids: dict[str, int] = {}
    by_key: dict[str, Submission | None] = {}  # None: a submission with problems of its own
    by_index: dict[str, Submission | None] = {}
    for i, values in enumerate(main.rows):
        if all(v in (None, "") for v in values):
            continue
        row = i + 2
        if deadline is not None and time.monotonic() > deadline:
            message = _("Checking the file took longer than %(seconds)s seconds and stopped at this row: export fewer submissions at a time, and import each file.")
            reading.problems.append(Problem(message % {"seconds": f"{seconds:g}"}, row=row, sheet=main_name))
            break
        key = next((_instance(values[columns[n]]) for n in INSTANCE_COLUMNS if n in columns and _instance(values[columns[n]])), "")
        index = _text(values[columns["_index"]]) if "_index" in columns else ""
        by_key.setdefault(key, None)
        by_index.setdefault(index, None)
        if key and key in seen_ids:
            column = next((main.column(columns[n]) for n in INSTANCE_COLUMNS if n in columns), None)
            reading.problems.append(Problem(_("This submission is also in row %(row)s.") % {"row": seen_ids[key]}, row=row, column=column, sheet=main_name))
            continue
        seen_ids.setdefault(key, row)
        sub = _read_row(main, columns, values, row, known_criteria, locations, note_max, words, today, reading, _, sheet_name=main_name)
        if sub is None:
            continue
        reading.submissions.append(sub)
        by_key[key] = by_index[index] = sub
    for sheet in sheets[1:]:
        if _is_voices(sheet):
            _read_voices(sheet, by_key, by_index, known_criteria, reading, _)
        else:
            reading.problems.append(Problem(_("A sheet this app does not read: only the submissions and their %(voices)s.") % {"voices": VOICES}, sheet=sheet.name))
    if reading.problems:
        reading.submissions = []
    return reading


def _columns(sheet: Sheet, reading: Reading, _: Gettext, sheet_name: str | None) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        name, part = _name_of(header)
        if name is None or part:
            continue
        if name in columns:
            reading.problems.append(Problem(_("Two columns hold the field %(name)s.") % {"name": name}, row=1, column=sheet.column(index), sheet=sheet_name))
        columns[name] = index
    return columns


def _is_voices(sheet: Sheet) -> bool:
    stem = sheet.name.rsplit(".", 1)[0]
    return stem == VOICES or stem.endswith(("-" + VOICES, "_" + VOICES, "/" + VOICES))


def _choice_words() -> dict[str, str]:
    """A choice's label in either language, folded, to its name."""
    out = {}
    for lang in LANGUAGES:
        gettext = translations_for(lang).gettext
        for name, label in answer_labels(gettext).items():
            out[name_key(label)] = name
        for name, label in (("1", gettext("Announced")), ("0", gettext("Unannounced"))):
            out[name_key(label)] = name
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _instance(value) -> str:
    text = _text(value)
    if text.startswith("uuid:"):
        text = text[5:]
    return text.split("/", 1)[0]


def _read_row(sheet, columns, values, row, known_criteria, locations, note_max, words, today, reading, _, sheet_name):
    problems = reading.problems
    start = len(problems)

    def cell(name):
        return values[columns[name]] if name in columns else None

    def add(message, *names):
        """A problem at the first of `names` that has a column (a field the export left out
        is named by the one it depends on)."""
        column = next((sheet.column(columns[n]) for n in names if n in columns), None)
        problems.append(Problem(message, row=row, column=column, sheet=sheet_name))

    instance_id = next((_instance(cell(n)) for n in INSTANCE_COLUMNS if _instance(cell(n))), "")
    if not instance_id:
        problems.append(Problem(_("No instance id (_uuid, KEY or meta/instanceID): export the data with its metadata."), row=row, sheet=sheet_name))

    # Which criteria: the form's own field, else the form version.
    criteria = None
    digest = _text(cell(CRITERIA_HASH)).lower()
    if digest:
        criteria = known_criteria.get(digest)
        if criteria is None:
            version = _text(cell(CRITERIA_VERSION)) or "?"
            add(_("The form was made for criteria version %(version)s (%(hash)s), which this app does not know.") % {"version": version, "hash": digest[:12]}, CRITERIA_HASH)
    else:
        name = next((n for n in VERSION_COLUMNS if _text(cell(n))), None)
        match = _HASH_IN_VERSION.search(_text(cell(name))) if name else None
        found = [c for h, c in known_criteria.items() if match and h.startswith(match[1])]
        if len(found) == 1:
            criteria = found[0]
        else:
            add(_("Which criteria version the form was made for is not in the file (no criteria_hash column): use a form made by this app."), CRITERIA_HASH)

    # The location.
    location = None
    choice = _text(cell(LOCATION))
    other = _text(cell(LOCATION_OTHER))
    match = _LOCATION_CHOICE.fullmatch(choice)
    if match:
        location = next((loc for loc in locations if loc["id"] == int(match[1])), None)
        if location is None:
            add(_("There is no location %(id)s in this app.") % {"id": match[1]}, LOCATION)
    elif choice == OTHER_LOCATION or (choice and not match):
        name = other if choice == OTHER_LOCATION else choice
        named = [loc for loc in locations if name and name_key(loc["name"]) == name_key(name)]
        if len(named) == 1:
            location = named[0]
        else:
            if name and name not in reading.unmatched_locations:
                reading.unmatched_locations.append(name)
            message = (
                _("The location %(name)s matches several locations in this app.") if named else _("The location %(name)s matches no location in this app: add it, or correct the name.")
            )
            add(message % {"name": name or "–"}, *((LOCATION_OTHER, LOCATION) if choice == OTHER_LOCATION else (LOCATION,)))
    else:
        add(_("No location."), LOCATION)
    if location is not None and location.get("closed_on"):
        add(_("The location %(name)s is closed, so no new visit can be recorded.") % {"name": location["name"]}, LOCATION)
    form_type = _text(cell(LOCATION_TYPE))
    if location is not None and form_type and form_type != location["type"]:
        add(_("The form says type %(form)s, but %(name)s is of type %(type)s in this app.") % {"form": form_type, "name": location["name"], "type": location["type"]}, LOCATION_TYPE)

    facts = _read_facts(cell, add, words, today, _)
    answers = _read_answers(sheet, columns, values, criteria, location, note_max, words, add, _) if criteria is not None else {}
    if len(problems) > start or criteria is None or location is None:
        return None
    return Submission(row=row, instance_id=instance_id, criteria_hash=criteria.hash, location_id=location["id"], facts=facts, answers=answers)


def _read_facts(cell, add, words, today, _) -> dict:
    facts: dict = {}
    raw = cell("visit_date")
    visit_date = _date(raw)
    if visit_date is None:
        add(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": _text(raw) or "–"}, "visit_date")
    elif visit_date > today:
        add(_("A visit cannot take place in the future."), "visit_date")
    elif visit_date.year < 2000:
        add(_("Enter a date from 2000 onwards."), "visit_date")
    else:
        facts["visit_date"] = visit_date.isoformat()
    visitors = _text(cell("visitors"))
    if not visitors or len(visitors) > VISITORS_MAX:
        add(_("Give the visitors (at most %(n)s characters).") % {"n": VISITORS_MAX}, "visitors")
    facts["visitors"] = visitors
    announced = words.get(name_key(_text(cell("announced"))), _text(cell("announced")))
    if announced not in ("1", "0", "yes", "no"):
        add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": "1, 0", "value": _text(cell("announced")) or "–"}, "announced")
    facts["announced"] = 1 if announced in ("1", "yes") else 0
    for name in ("children_present", "amv_present", "amv_resident"):
        text = _text(cell(name))
        number = _number(text)
        if text and (number is None or not number.is_integer() or not 0 <= number <= NUMBER_MAX):
            add(_("Enter a number from %(min)s to %(max)s.") % {"min": 0, "max": NUMBER_MAX}, name)
        facts[name] = int(number) if text and number is not None and number.is_integer() else None
    if facts.get("amv_present") is not None and facts.get("children_present") is not None and facts["amv_present"] > facts["children_present"]:
        add(_("Cannot be more than the number of children present."), "amv_present")
    impression = _text(cell("impression"))
    if len(impression) > IMPRESSION_MAX:
        add(_("At most %(n)s characters.") % {"n": IMPRESSION_MAX}, "impression")
    facts["impression"] = impression or None
    return facts


def _read_answers(sheet, columns, values, criteria, location, note_max, words, add, _) -> dict:
    """Per criterion the answer as the app stores it; problems go to `add`."""
    fields: dict[str, dict[str, str]] = {}
    for name, index in columns.items():
        found = field_of(name)
        if found is None:
            continue
        criterion_id, suffix = found
        text = _text(values[index])
        if not text:
            continue
        criterion = criteria.criterion(criterion_id)
        if criterion is None:
            add(_("Criterion %(id)s is not in criteria version %(version)s.") % {"id": criterion_id, "version": criteria.version}, name)
            continue
        if location is not None:
            domain = criteria.domain(criterion_id.split(".")[0])
            if not criterion.applies(location["type"], domain.applies_to):
                add(_("Criterion %(id)s does not apply to a location of type %(type)s.") % {"id": criterion_id, "type": location["type"]}, name)
                continue
        fields.setdefault(criterion_id, {})[suffix] = (name, text)
    answers = {}
    for criterion_id, given in fields.items():
        criterion = criteria.criterion(criterion_id)
        answer: dict = {"value": None, "number": None, "note": None, "evidence": None, "children_n": None, "parents_n": None}
        ok = True
        if "" in given:
            name, text = given[""]
            if criterion.kind == "count":
                number = _number(text)
                if number is None:
                    add(_("Not a number: %(value)s") % {"value": text}, name)
                    ok = False
                elif not criterion.range.min <= number <= criterion.range.max:
                    add(_("Enter a number from %(min)s to %(max)s.") % {"min": f"{criterion.range.min:g}", "max": f"{criterion.range.max:g}"} + f" ({text})", name)
                    ok = False
                else:
                    answer["number"] = number
            else:
                value = _choice(text, ANSWER_CHOICES[criterion.kind], words)
                if value is None:
                    add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": ", ".join(ANSWER_CHOICES[criterion.kind]), "value": text}, name)
                    ok = False
                answer["value"] = value
        if LEFT_OUT in given:
            name, text = given[LEFT_OUT]
            value = _choice(text, LEFT_OUT_CHOICES, words)
            if value is None or criterion.kind != "count":
                add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": ", ".join(LEFT_OUT_CHOICES), "value": text}, name)
                ok = False
            elif answer["number"] is not None:
                add(_("Give a number or %(choices)s, not both.") % {"choices": " / ".join(LEFT_OUT_CHOICES)}, name)
                ok = False
            answer["value"] = value
        if NOTE in given:
            name, text = given[NOTE]
            if len(text) > note_max:
                add(_("At most %(n)s characters.") % {"n": note_max}, name)
                ok = False
            answer["note"] = text
        if EVIDENCE in given:
            name, text = given[EVIDENCE]
            items = ev.split(text.replace(" ", ","))
            unknown = ev.unknown_types(items)
            if unknown:
                add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": ", ".join(ev.EVIDENCE_TYPES), "value": ", ".join(unknown)}, name)
                ok = False
            answer["evidence"] = ev.canonical(items)
        counts = {}
        for kind, suffix, key in (("children", CHILDREN, "children_n"), ("parents", PARENTS, "parents_n")):
            if suffix in given:
                name, text = given[suffix]
                number = _number(text)
                if number is None or not number.is_integer():
                    add(_("Enter a number from %(min)s to %(max)s.") % {"min": ev.COUNT_MIN, "max": ev.COUNT_MAX}, name)
                    ok = False
                    continue
                answer[key] = counts[kind] = int(number)
        for kind, problem in ev.problems(answer["evidence"], counts).items():
            base = criterion_name(criterion_id)
            names = (base + (CHILDREN if kind == "children" else PARENTS), base + EVIDENCE) if problem == ev.COUNT_MISSING else (base + EVIDENCE,)
            add(
                {
                    ev.COUNT_MISSING: _("“%(type)s” is ticked: give how many (1–99)."),
                    ev.COUNT_WITHOUT_TICK: _("A number is given but “%(type)s” is not ticked."),
                }.get(problem, _("Enter a number from %(min)s to %(max)s.")) % {"type": evidence_labels(_)[kind], "min": ev.COUNT_MIN, "max": ev.COUNT_MAX},
                *names,
            )
            ok = False
        if ok:
            answers[criterion_id] = answer
    return answers


def _read_voices(sheet, by_key, by_index, known_criteria, reading, _) -> None:
    columns = _columns(sheet, reading, _, sheet.name)
    for i, values in enumerate(sheet.rows):
        if all(v in (None, "") for v in values):
            continue
        row = i + 2

        def add(message, name=None):
            column = sheet.column(columns[name]) if name in columns else None
            reading.problems.append(Problem(message, row=row, column=column, sheet=sheet.name))

        key = next((_instance(values[columns[n]]) for n in PARENT_COLUMNS if n in columns and _instance(values[columns[n]])), "")
        if key:
            known, parent = key in by_key, by_key.get(key)
        else:
            index = _text(values[columns["_parent_index"]]) if "_parent_index" in columns else ""
            known, parent = bool(index) and index in by_index, by_index.get(index)
        if not known:
            add(_("This row belongs to no submission of the file."))
        if parent is None:  # its submission's own problems are listed
            continue
        band = age_band_of(_text(values[columns["voice_age_band"]])) if "voice_age_band" in columns else None
        if band is None:
            add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": ", ".join(AGE_BANDS), "value": _text(values[columns["voice_age_band"]]) if "voice_age_band" in columns else "–"}, "voice_age_band")
        domain_id = _text(values[columns["voice_domain"]]) if "voice_domain" in columns else ""
        criteria = known_criteria.get(parent.criteria_hash)
        if domain_id and criteria is not None and criteria.domain(domain_id) is None:
            add(_("Not one of the choices (%(choices)s): %(value)s") % {"choices": ", ".join(d.id for d in criteria.domains), "value": domain_id}, "voice_domain")
        text = _text(values[columns["voice_text"]]) if "voice_text" in columns else ""
        if not text or len(text) > VOICE_MAX:
            add(_("Give what a child said (at most %(n)s characters).") % {"n": VOICE_MAX}, "voice_text")
        parent.voices.append({"age_band": band, "domain_id": domain_id or None, "text": text})


def _choice(text: str, names: tuple[str, ...], words: Mapping[str, str]) -> str | None:
    if text in names:
        return text
    value = words.get(name_key(text))
    return value if value in names else None


def _number(text) -> float | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    text = _text(text)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None
