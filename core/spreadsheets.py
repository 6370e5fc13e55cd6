"""The CSV and XLSX files we produce: every exporter writes its rows through `csv_bytes` or
`xlsx_bytes`, and both pass each cell through `spreadsheet_value`.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (or a tab or line break before
one) as a formula, so a trainee's e-mail such as `=cmd|'/c calc'!a0@x.ru` would run on the
official's computer ("CSV injection", OWASP). Text that begins so is prefixed with a single quote,
which spreadsheets show as text; real numbers stay numbers. XLSX text cells are typed as text too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
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


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM and decimal commas, as Russian Excel reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        line = []
        for value in row:
            safe = spreadsheet_value(value)
            line.append(str(safe).replace(".", ",") if is_number(safe) else safe)
        writer.writerow(line)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


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
            safe = spreadsheet_value(value)
            cell = sheet.cell(row=row_number, column=column_number)
            if is_number(safe):
                cell.value = float(safe) if isinstance(safe, Decimal) else safe
            else:
                cell.value = safe
                cell.data_type = "s"
                cell.number_format = "@"
            if row_number == 1:
                cell.font = bold
    for column_number, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = width
    if freeze_panes:
        sheet.freeze_panes = freeze_panes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
