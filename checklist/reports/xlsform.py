"""The XLSForm file (survey, choices, settings) as XLSX bytes. No Flask inside.

The rows come from `core/xlsform.build_form`. Every cell is written as text: a location
name someone typed as `=HYPERLINK(...)` stays that text in the form (openpyxl would store
a string that starts with `=` as a formula), and characters XML cannot hold are removed
as in the exports.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from checklist.core.xlsform import XLSForm
from checklist.reports.spreadsheet import CONTROL_CHARACTERS


def write_xlsform(form: XLSForm) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in ("survey", "choices", "settings"):
        header, rows = form.table(sheet)
        worksheet = workbook.create_sheet(sheet)
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                if value in ("", None):
                    continue
                cell = worksheet.cell(row=r, column=c)
                cell.value = CONTROL_CHARACTERS.sub("", str(value))
                cell.data_type = "s"
        worksheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
