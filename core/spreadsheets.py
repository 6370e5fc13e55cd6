"""The CSV and XLSX files we produce: every exporter writes its rows through `csv_bytes` /
`csv_stream` or `xlsx_bytes` / `xlsx_file`, and all of them pass each cell through
`spreadsheet_value`.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (or a tab or line break before
one) as a formula, so a trainee's e-mail such as `=cmd|'/c calc'!a0@x.ru` would run on the
official's computer ("CSV injection", OWASP). Text that begins so is prefixed with a single quote,
which spreadsheets show as text; real numbers stay numbers. XLSX text cells are typed as text too.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters XLSX does not allow (tab and line breaks are allowed); CSV has no use for them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | Decimal | None


def is_number(value: object) -> bool:
    # bool is an int to Python but «да»/«нет» to a reader, so it is written as text.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def spreadsheet_value(value: object) -> str | int | float | Decimal:
    """A cell as it is safe to write: a number as it is, anything else as text that no
    spreadsheet runs as a formula (None is an empty cell)."""
    if value is None:
        return ""
    if is_number(value):
        return value
    # Stripped first, so that "\x01=cmd" cannot become "=cmd" after the check.
    text = CONTROL_CHARACTERS.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _csv_cells(row: Sequence[object]) -> list:
    """Formula-safe text, numbers with decimal commas (as Russian Excel reads them)."""
    cells = []
    for value in row:
        safe = spreadsheet_value(value)
        cells.append(str(safe).replace(".", ",") if is_number(safe) else safe)
    return cells


def csv_stream(rows: Iterable[Sequence[object]], *, rows_per_chunk: int = 200) -> Iterator[bytes]:
    """Semicolon-separated UTF-8 with a BOM (which makes Excel read it as UTF-8), a chunk of rows
    at a time, for a StreamingHttpResponse."""
    yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for number, row in enumerate(rows, start=1):
        writer.writerow(_csv_cells(row))
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """The whole CSV of `csv_stream` at once."""
    return b"".join(csv_stream(rows))


def _typed(cell, value: object, *, header: bool, bold) -> None:
    """Numbers as numbers; everything else as formula-safe text, typed as text ("@")."""
    safe = spreadsheet_value(value)
    if is_number(safe):
        cell.value = float(safe) if isinstance(safe, Decimal) else safe
    else:
        cell.value = safe
        cell.data_type = "s"
        cell.number_format = "@"
    if header:
        cell.font = bold


def xlsx_bytes(
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str,
    freeze_panes: str | None = None,
    column_widths: Sequence[int] = (),
) -> bytes:
    """One sheet; the first row is the header, in bold. Text cells are typed as text ("@")."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            _typed(cell, value, header=row_number == 1, bold=bold)
    for column_number, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = width
    if freeze_panes:
        sheet.freeze_panes = freeze_panes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(sheets: Sequence[tuple[str, Iterable[Sequence[object]], Sequence[int]]]):
    """An XLSX of several sheets (title, rows with the header first, column widths) in a
    temporary file, rewound, for a FileResponse (which closes, and so deletes, it).

    openpyxl's write-only mode keeps no row in memory once written; cells are typed as in
    `xlsx_bytes`, and the header row stays in view.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows, widths in sheets:
        sheet = workbook.create_sheet(title=title)
        for column_number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column_number)].width = width
        sheet.freeze_panes = "A2"
        for row_number, row in enumerate(rows, start=1):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet)
                _typed(cell, value, header=row_number == 1, bold=bold)
                cells.append(cell)
            sheet.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(file)
    file.seek(0)
    return file
