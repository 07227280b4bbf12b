"""Exports of a filled XLSForm the way KoboToolbox and ODK Central write them, for the tests.

Written by hand from the layouts the two tools document, not from the app's reader:

- KoboToolbox XLSX ("XML values and headers", "include groups in headers", select
  multiple as single and separate columns): a first sheet named after the form title
  (at most 31 characters) with `start`, `end`, then every field of the form that is not
  in a repeat, as `group/name` (a `calculate` too; a select_multiple as its column with
  the chosen names separated by spaces, then one `group/name/option` column of 1/0 per
  option), then `_id`, `_uuid`, `_submission_time`, `_validation_status`, `_notes`,
  `_status`, `_submitted_by`, `__version__` (Kobo's own deployment id, not the form's
  version), `_tags`, `_index`. A repeat is a sheet of its own, named after it, with its
  fields as `repeat/name`, then `_index`, `_parent_table_name`, `_parent_index`,
  `_submission__id`, `_submission__uuid`, `_submission__submission_time`, ...
- ODK Central CSV: `SubmissionDate`, the fields as `group-name` (`meta-instanceID` among
  them), then `KEY`, `SubmitterID`, `SubmitterName`, `AttachmentsPresent`,
  `AttachmentsExpected`, `Status`, `ReviewState`, `DeviceID`, `Edits`, `FormVersion`; a
  repeat is `<form id>-<repeat>.csv` in the same zip, its rows carrying `PARENT_KEY` and
  their own `KEY`.
"""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import Workbook
from openpyxl import load_workbook


def form_fields(form_xlsx: bytes) -> dict:
    """From an XLSForm file: the fields as (path, name, type), those in the repeat apart,
    the choices of each select_multiple, and the settings."""
    workbook = load_workbook(io.BytesIO(form_xlsx))
    survey = list(workbook["survey"].iter_rows(values_only=True))
    header = list(survey[0])
    col = {h: i for i, h in enumerate(header)}
    choices = list(workbook["choices"].iter_rows(values_only=True))
    choice_col = {h: i for i, h in enumerate(choices[0])}
    lists: dict[str, list[str]] = {}
    for row in choices[1:]:
        lists.setdefault(row[choice_col["list_name"]], []).append(str(row[choice_col["name"]]))
    settings = list(workbook["settings"].iter_rows(values_only=True))
    settings = dict(zip(settings[0], settings[1]))
    path, main, repeat = [], [], []
    for row in survey[1:]:
        kind, name = row[col["type"]], row[col["name"]]
        if kind in ("begin_group", "begin_repeat"):
            path.append((kind, name))
        elif kind in ("end_group", "end_repeat"):
            path.pop()
        else:
            groups = "/".join(n for _, n in path)
            in_repeat = any(k == "begin_repeat" for k, _ in path)
            (repeat if in_repeat else main).append((groups, name, kind))
    return {"main": main, "repeat": repeat, "lists": lists, "settings": settings}


def kobo_xlsx(form_xlsx: bytes, submissions: list[dict], title: str = "Checklist kindvriendelijke opvang") -> bytes:
    """`submissions`: per submission {"uuid": ..., "fields": {name: value}, "voices": [{name: value}]}."""
    fields = form_fields(form_xlsx)
    workbook = Workbook()
    main = workbook.active
    main.title = title[:31]
    header = ["start", "end"]
    for groups, name, kind in fields["main"]:
        header.append(f"{groups}/{name}" if groups else name)
        if kind.startswith("select_multiple "):
            header += [f"{groups}/{name}/{option}" for option in fields["lists"][kind.split()[1]]]
    header += ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
    main.append(header)
    for index, sub in enumerate(submissions, start=1):
        values = sub["fields"]
        row = ["2026-01-10T09:00:00.000+01:00", "2026-01-10T11:00:00.000+01:00"]
        for groups, name, kind in fields["main"]:
            row.append(values.get(name))
            if kind.startswith("select_multiple "):
                chosen = (values.get(name) or "").split()
                row += [1 if option in chosen else 0 for option in fields["lists"][kind.split()[1]]] if values.get(name) else [None] * len(fields["lists"][kind.split()[1]])
        row += [f"uuid:{sub['uuid']}", 1000 + index, sub["uuid"], "2026-01-10T10:05:00", None, None, "submitted_via_web", None, "vQwErTy123", None, index]
        main.append(row)
    voices = workbook.create_sheet("voices")
    voices.append(
        [f"{g}/{n}" for g, n, _ in fields["repeat"]]
        + ["_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid", "_submission__submission_time", "_submission__validation_status", "_submission__notes", "_submission__status", "_submission__submitted_by", "_submission___version__", "_submission__tags"]
    )
    n = 0
    for index, sub in enumerate(submissions, start=1):
        for voice in sub.get("voices", ()):
            n += 1
            voices.append([voice.get(name) for _, name, _ in fields["repeat"]] + [n, title[:31], index, 1000 + index, sub["uuid"], "2026-01-10T10:05:00", None, None, "submitted_via_web", None, "vQwErTy123", None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def central_zip(form_xlsx: bytes, submissions: list[dict]) -> bytes:
    """ODK Central's "all data" zip: the main CSV and the repeat's CSV."""
    fields = form_fields(form_xlsx)
    form_id = fields["settings"]["form_id"]
    version = fields["settings"]["version"]
    main = io.StringIO()
    writer = csv.writer(main)
    writer.writerow(["SubmissionDate"] + [f"{g.replace('/', '-')}-{n}" if g else n for g, n, _ in fields["main"]] + ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"])
    repeat = io.StringIO()
    repeat_writer = csv.writer(repeat)
    repeat_writer.writerow([n for _, n, _ in fields["repeat"]] + ["PARENT_KEY", "KEY"])
    for sub in submissions:
        key = f"uuid:{sub['uuid']}"
        writer.writerow(["2026-01-10T10:05:00.000Z"] + [_csv(sub["fields"].get(n)) for _, n, _ in fields["main"]] + [key, key, "5", "tablet-1", "0", "0", "", "", "collect:abc", "0", version])
        for i, voice in enumerate(sub.get("voices", ()), start=1):
            repeat_writer.writerow([_csv(voice.get(n)) for _, n, _ in fields["repeat"]] + [key, f"{key}/voices[{i}]"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{form_id}.csv", main.getvalue())
        archive.writestr(f"{form_id}-voices.csv", repeat.getvalue())
    return out.getvalue()


def _csv(value) -> str:
    return "" if value is None else str(value)
