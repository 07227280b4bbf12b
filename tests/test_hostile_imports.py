"""Hostile spreadsheets at `/kobo/import` (issue 23 §1): a table is bounded while it is read,
never by what the file says of itself, and the answer is a clear message, not a worker that
grows by gigabytes. Memory is measured with tracemalloc around the request, in this process,
where the test client runs the app."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from checklist.core import submissions
from tests.conftest import login
from tests.conftest import snapshot
from tests.test_kobo import problems_on
from tests.test_kobo import upload

MEMORY_BOUND = 64 * 1024 * 1024  # what one import may allocate at its peak, file and page included

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def crafted_xlsx(dimension: str, cells: list[tuple[str, str]]) -> bytes:
    """An XLSX written by hand: one sheet that declares `dimension` and holds `cells`
    (reference, inline text), as an attacker writes it; a kilobyte or two."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        number = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(number, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{n}">{"".join(c)}</row>' for n, c in sorted(rows.items()))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def measured_upload(client, data: bytes, name: str):
    """The response to a dry-run upload and the peak of memory the request allocated."""
    tracemalloc.start()
    try:
        response = upload(client, data, name, dry_run=True)
        response.get_data()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize(
    "dimension, cells, message",
    [
        # Two real cells in a sheet that says it is a million rows of 16,384 columns.
        ("A1:XFD1048576", [("A1", "location"), ("B2", "Azc Een")], "No column for the field visit_date"),
        # ... and a last cell to make openpyxl pad a million empty rows up to it.
        ("A1:XFD1048576", [("A1", "location"), ("B1", "visit_date"), ("XFD1048576", "x")], "more than 1000 rows"),
        # A header of one cell at the last column: a row 16,384 cells wide.
        ("A1:XFD2", [("A1", "location"), ("XFD1", "visit_date")], "more than 2000 columns"),
    ],
)
def test_a_sheet_that_lies_about_its_size_is_read_as_it_is(app, dimension, cells, message):
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    data = crafted_xlsx(dimension, cells)
    assert len(data) < 2048
    before = snapshot(app)
    response, peak = measured_upload(coordinator, data, "export.xlsx")
    assert response.status_code == 422
    found = problems_on(response.get_data(as_text=True))
    assert any(message in p for p in found), found
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"
    assert snapshot(app) == before


def test_a_csv_of_80000_rows_is_refused_at_once_with_what_to_do(app):
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    data = ("location,visit_date\n" + "Azc Een,2026-01-10\n" * 80_000).encode()
    assert 1.4 * 2**20 < len(data) < 2 * 2**20
    response, peak = measured_upload(coordinator, data, "export.csv")
    assert response.status_code == 422
    found = problems_on(response.get_data(as_text=True))
    assert any("more than 1000 rows: export fewer submissions at a time" in p for p in found), found
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"


def test_a_table_at_the_limits_is_read(app):
    """The bounds refuse only what is past them: MAX_ROWS data rows are read and checked."""
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    data = ("location,visit_date\n" + "Azc Nergens,2026-01-10\n" * submissions.MAX_ROWS).encode()
    response = upload(coordinator, data, "export.csv", dry_run=True)
    found = problems_on(response.get_data(as_text=True))
    assert not any("more than" in p for p in found)
    assert any(p.startswith(f"row {submissions.MAX_ROWS + 1},") for p in found), found[-3:]  # the last row was checked too


def test_checking_stops_at_its_time_budget_with_the_row_it_reached(tmp_path):
    """A reading past IMPORT_SECONDS stops with a problem naming the row, so a worker is never
    held past its budget; with a budget of 0 the first row is where it stops."""
    from checklist import create_app
    from tests.conftest import add_users
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, IMPORT_SECONDS=0))
    add_users(app)
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    data = ("location,visit_date\n" + "Azc Nergens,2026-01-10\n" * 50).encode()
    response = upload(coordinator, data, "export.csv", dry_run=True)
    assert response.status_code == 422
    found = problems_on(response.get_data(as_text=True))
    assert found == ["row 2: Checking the file took longer than 0 seconds and stopped at this row: export fewer submissions at a time, and import each file."]


def test_imports_share_the_fair_limit_of_heavy_work(tmp_path):
    from checklist import create_app
    from tests.conftest import add_users
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, HEAVY_RATE="2 per minute"))
    add_users(app)
    coordinator = login(app.test_client(), "coordinator@a.test", lang="en")
    data = b"location,visit_date\nAzc Nergens,2026-01-10\n"
    assert [upload(coordinator, data, "export.csv", dry_run=True).status_code for _ in range(3)] == [422, 422, 429]
