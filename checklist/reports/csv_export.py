"""The CSV text of an export, streamed in chunks, with the two memories that make it fast. No Flask inside.

- Comma-separated, `.` as decimal point, UTF-8 with a BOM, CRLF line ends (RFC 4180).
  The CSV is the format for scripts and tools (pandas, R, LibreOffice): it must be the
  same file whatever the user's locale. The BOM makes Excel (and LibreOffice) read UTF-8,
  so "Zuid-Holland" and "Ter Apel" are safe and "Maëlle" or Arabic notes are not garbled;
  pandas reads it with `encoding="utf-8-sig"`.
- Beside it, the same rows for Dutch Excel (`DUTCH_EXCEL`): `;`-separated with decimal
  commas ("66,5"), so a double click in a Dutch Excel opens columns and numbers, not one
  column of text. A `;` alone would not do: Dutch Excel reads "66.5" as text or a date.
  Scripts keep the comma file; the XLSX (typed numbers and dates) remains the best file
  for Excel.
- Text is made safe as in the XLSX (`spreadsheet.safe_text`: no formula start, no
  control characters that XML cannot hold), so both files hold the same rows.
- Two memories, both local to one export (no lock: one thread runs it) and bounded by
  being cleared when full: formatted values per column run (`csv_row_formatter`) and
  ready CSV text per repeated run of columns (`csv_chunks` blocks). They are plain dicts on
  purpose: a lookup per cell is the hot loop of a 470,000-answer export (about 6 s), and
  a dict lookup through `map` is some six times cheaper than a `cachetools` cache's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from operator import itemgetter
from typing import Callable
from typing import Iterable
from typing import Iterator

from checklist import store
from checklist.reports.spreadsheet import safe_text

BOM = "\ufeff"
CSV_CHUNK_ROWS = 500
CSV_MEMO_SIZE = 20_000


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal_comma: bool


STANDARD = CsvFormat(",", decimal_comma=False)
DUTCH_EXCEL = CsvFormat(";", decimal_comma=True)


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


def csv_cell_decimal_comma(value) -> str:
    """`csv_cell`, with a decimal comma in numbers that have decimals (text is left as typed)."""
    if value.__class__ is float and not value.is_integer():
        return repr(value).replace(".", ",")
    return csv_cell(value)


def csv_row_formatter(columns: tuple[str, ...], cell: Callable[[object], str] = csv_cell) -> Callable[[dict], list[str]]:
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
            for i, text in enumerate(cells):
                if text is None:
                    cells[i] = memo[values[i]] = cell(values[i])
        return cells

    return format_row


# Runs of columns that repeat from row to row in the answers export: the visit's columns
# (the same for all its answers) and the criterion's (the same wherever it is answered).
# Each run is formatted once per key and written as ready CSV text.
ANSWER_CSV_BLOCKS = (
    (store.EXPORT_BASE_COLUMNS, ("visit_id",)),
    (("domain_id", "domain_title", "criterion_id", "criterion_text", "kind", "weight", "critical"), ("criteria_hash", "criterion_id")),
)
CSV_BLOCK_CACHE = 2_000


def csv_chunks(columns: tuple[str, ...], rows: Iterable[dict], blocks=(), form: CsvFormat = STANDARD) -> Iterator[str]:
    """The CSV text (BOM, header, rows) in chunks of `CSV_CHUNK_ROWS` rows, in `form`.

    `blocks` are leading runs of `columns` as (run, key columns): a run is formatted once
    per key and reused, which makes the answers export about a third faster than
    formatting every cell of every row; the text is the same.
    """
    buffer = io.StringIO()
    delimiter = form.delimiter
    cell = csv_cell_decimal_comma if form.decimal_comma else csv_cell
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    fragment_buffer = io.StringIO()
    fragment_writer = csv.writer(fragment_buffer, delimiter=delimiter, lineterminator="\r\n")  # the same quoting as `writer`

    def fragment(cells: list[str]) -> str:
        """Cells as the start of a CSV line: the fields and a separator after them."""
        fragment_writer.writerow(cells)
        text = fragment_buffer.getvalue()[:-2] + delimiter
        fragment_buffer.seek(0)
        fragment_buffer.truncate()
        return text

    start = sum(len(run) for run, _keys in blocks)
    assert tuple(c for run, _keys in blocks for c in run) == columns[:start], "blocks must be leading runs of the columns"
    runs = [(itemgetter(*keys), csv_row_formatter(run, cell), {}) for run, keys in blocks]
    format_rest = csv_row_formatter(columns[start:], cell)
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
