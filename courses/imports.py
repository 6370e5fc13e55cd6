"""Bulk enrolment from a spreadsheet (CSV or XLSX): read, check every row, then apply at once.

`read_spreadsheet` turns a file into rows, refusing before any parsing a file that would unfold
into more than a list of trainees can hold (`check_xlsx`); `plan_rows` finds each row's problems
against the database as it is now; `import_preview` stores the checked rows for a person to
confirm; `import_confirm` / `import_retry` queue them; `import_run` (the background task) applies
them through `import_apply` in one transaction, all or nothing, and never leaves an import
«being imported» when that fails.

People are matched by e-mail only among the accounts of the cohort's region, and only on an
address shown to be theirs (see `plan_rows`), so that the preview reveals nothing about other
regions and nobody can take someone else's place in a cohort in advance.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.display import inner_quotes
from accounts.phones import normalise_phone
from accounts.roles import Role
from core.spreadsheets import csv_bytes, xlsx_bytes
from notifications.services import notify

from .models import Cohort, Enrolment, EnrolmentImport

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 3000

# An XLSX is a zip of XML parts, and 2 MB of zip can unfold into gigabytes. A real list of 3,000
# trainees is about 2 MB of XML in all, so these bounds leave room for formatting and extra
# sheets while keeping what openpyxl may be asked to read small. They are checked on the zip's
# directory first, then on the bytes actually unpacked, before openpyxl opens the file.
MAX_XLSX_PARTS = 100
MAX_XLSX_PART_BYTES = 8 * 1024 * 1024
MAX_XLSX_TOTAL_BYTES = 24 * 1024 * 1024
# Unpacked to packed, for parts past the grace size (Apache POI's zip-bomb rule: 1 % at least).
MAX_XLSX_RATIO = 100
XLSX_RATIO_GRACE_BYTES = 1024 * 1024
MAX_XLSX_CELLS = 200_000
MAX_XLSX_ELEMENTS = 1_000_000
# The last row that may hold a value: room for a header, 3,000 trainees and blank lines between.
MAX_SHEET_ROWS = 10_000

# Column headers people write, in Russian or English, for each field. They are compared by
# `_header_key`: case, «ё», spaces and punctuation do not matter, so «E-mail», «Email», «e-mail:»
# and «ЭЛ. ПОЧТА*» each match one of these.
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ФИО",
        "Фамилия, имя, отчество",
        "Фамилия имя отчество",
        "ФИО полностью",
        "ФИО слушателя",
        "ФИО участника",
        "Полное имя",
        "Full name",
    ),
    "last_name": ("Фамилия", "Last name", "Surname", "Family name"),
    "first_name": ("Имя", "First name", "Given name"),
    "patronymic": ("Отчество", "Patronymic", "Middle name"),
    "email": (
        "E-mail",
        "Эл. почта",
        "Электронная почта",
        "Адрес электронной почты",
        "Адрес эл. почты",
        "Почта",
        "Mail",
    ),
    "phone": (
        "Телефон",
        "Тел.",
        "Моб. телефон",
        "Моб. тел.",
        "Мобильный телефон",
        "Телефон мобильный",
        "Мобильный",
        "Контактный телефон",
        "Номер телефона",
        "Сотовый телефон",
        "Phone",
        "Phone number",
        "Mobile",
    ),
    "organisation": (
        "Организация",
        "Место работы",
        "Организация (место работы)",
        "Учреждение",
        "Organisation",
        "Organization",
        "Employer",
    ),
    "position": ("Должность", "Position", "Job title"),
    "cohort": ("Группа", "Номер группы", "Cohort", "Group"),
}
# A running number, which every office list starts with: read past without a word.
NUMBER_COLUMNS = ("№", "№ п/п", "п/п", "№№", "N", "N п/п", "No", "#", "Номер", "Number")
# The header is looked for among the first rows: offices put a title (and a date) above it.
HEADER_SEARCH_ROWS = 10
NAME_FIELDS = ("last_name", "first_name", "patronymic")
TEMPLATE_HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "E-mail",
    "Телефон",
    "Организация",
    "Должность",
    "Группа",
]
TEMPLATE_EXAMPLE = [
    "Иванова",
    "Мария",
    "Сергеевна",
    "ivanova@example.org",
    "8 900 123-45-67",  # not "+7 …": a leading "+" would be quoted in the file as a formula
    "Комплексный центр социального обслуживания",
    "Специалист по социальной работе",
    "",
]

NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-]*$")
# «М.», «М», «М.П.»: an initial where a whole name must be (it goes on the certificate).
INITIALS_RE = re.compile(r"^(?:[A-Za-zА-Яа-яЁё]\.)+[A-Za-zА-Яа-яЁё]?$|^[A-Za-zА-Яа-яЁё]$")
# Hyphens and dashes inside a double surname, with or without spaces around them.
NAME_DASH_RE = re.compile(r"\s*[-‐‑‒–]\s*")


# Keys that plan_rows adds to a row; a stored row is planned afresh without them.
PLAN_KEYS = {"errors", "action", "note", "cohort_id", "cohort_name", "account", "invite"}


def _max_length(field: str) -> int:
    return get_user_model()._meta.get_field(field).max_length


def _email_max_length() -> int:
    # A new person's e-mail becomes their login, so it must fit both fields.
    return min(_max_length("email"), _max_length("username"))


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted back in a message inside «…»: cut short so that a huge cell cannot flood
    the page, its own quotation marks turned into the inner ones („…“)."""
    return inner_quotes(value if len(value) <= limit else value[: limit - 1] + "…")


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet of trainees; the message says why."""


def _header_key(value: Any) -> str:
    """A header as compared: lower case, «ё» as «е», «№» and «#» as «номер», and nothing but
    letters and digits."""
    text = str(value if value is not None else "").lower().replace("ё", "е")
    text = text.replace("№", "номер").replace("#", "номер")
    return "".join(character for character in text if character.isalnum())


FIELD_OF_HEADER = {
    _header_key(title): field for field, titles in COLUMNS.items() for title in titles
}
NUMBER_HEADERS = {_header_key(title) for title in NUMBER_COLUMNS}


def _column_letter(index: int) -> str:
    """The spreadsheet's name of a column: A … Z, AA …, as people see it in Excel."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class _Header:
    """What one row says as a header: the field read from each column, and the columns that
    will not be loaded, each with the reason (shown in the preview by `sheet_notes`)."""

    fields: dict[int, str]
    skipped: list[dict[str, str]]
    titles: dict[int, str]

    @property
    def missing(self) -> list[str]:
        found = set(self.fields.values())
        missing = []
        if "full_name" not in found and not {"last_name", "first_name"} <= found:
            missing.append("name")
        missing += [field for field in ("email", "phone") if field not in found]
        return missing


def _read_header(cells: list[Any]) -> _Header:
    titles = {
        index: re.sub(r"\s+", " ", str(cell)).strip()
        for index, cell in enumerate(cells)
        if cell is not None and str(cell).strip()
    }
    first_column: dict[str, int] = {}
    skipped: list[dict[str, str]] = []
    for index, title in titles.items():
        key = _header_key(title)
        field = FIELD_OF_HEADER.get(key)
        if field is None:
            if key not in NUMBER_HEADERS:
                skipped.append({"column": _column_letter(index), "title": _shown(title)})
        elif field in first_column:
            skipped.append(
                {
                    "column": _column_letter(index),
                    "title": _shown(title),
                    "reason": "repeated",
                    "source": _shown(titles[first_column[field]]),
                }
            )
        else:
            first_column[field] = index
    # The name comes from «Фамилия» and «Имя» (and «Отчество») when both are there, else from
    # «ФИО»; the columns of the other way of writing it are not loaded, and the preview says so.
    if {"last_name", "first_name"} <= first_column.keys():
        unused = ["full_name"]
        source = ", ".join(
            f"«{_shown(titles[first_column[field]])}»"
            for field in NAME_FIELDS
            if field in first_column
        )
    else:
        unused = list(NAME_FIELDS)
        source = (
            f"«{_shown(titles[first_column['full_name']])}»" if "full_name" in first_column else ""
        )
    for field in unused:
        if source and field in first_column:
            index = first_column.pop(field)
            skipped.append(
                {
                    "column": _column_letter(index),
                    "title": _shown(titles[index]),
                    "reason": "name",
                    "source": source,
                }
            )
    skipped.sort(key=lambda note: (len(note["column"]), note["column"]))
    return _Header(
        fields={index: field for field, index in first_column.items()},
        skipped=skipped,
        titles=titles,
    )


def _missing_columns_error(missing: list[str]) -> SpreadsheetError:
    names = {
        "name": _("«ФИО» (or «Фамилия» and «Имя»)"),
        "email": "«E-mail»",
        "phone": "«Телефон»",
    }
    return SpreadsheetError(
        ngettext(
            "The file has no column %(columns)s in its first %(rows)s row. "
            "Start from the template file.",
            "The file has no column %(columns)s in its first %(rows)s rows. "
            "Start from the template file.",
            HEADER_SEARCH_ROWS,
        )
        % {"columns": ", ".join(names[field] for field in missing), "rows": HEADER_SEARCH_ROWS}
    )


def _find_header(numbered: list[tuple[int, list[Any]]]) -> tuple[int, _Header]:
    """The position of the header among the non-empty rows, and what it says.

    The header is the first of the sheet's first `HEADER_SEARCH_ROWS` rows that names every
    column needed; the rows above it (a title, a date) are passed over. When none does, the
    message names what the likeliest row lacks.
    """
    best: _Header | None = None
    for position, (number, cells) in enumerate(numbered):
        if number > HEADER_SEARCH_ROWS:
            break
        header = _read_header(cells)
        if not header.missing:
            return position, header
        if best is None or len(header.fields) > len(best.fields):
            best = header
    raise _missing_columns_error(best.missing if best else ["name", "email", "phone"])


def _unreadable_xlsx() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file looks like an Excel workbook but cannot be read. Save it again as .xlsx.")
    )


def _oversized_xlsx() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The workbook unpacks into far more data than a list of %(rows)s trainees needs. "
            "Copy the list into a new workbook and save it as .xlsx, or save it as CSV."
        )
        % {"rows": MAX_ROWS}
    )


@dataclass
class _SheetScan:
    """What streaming the XML parts found: counts, and the last row holding a value."""

    cells: int = 0
    elements: int = 0
    last_row: int = 0


def _scan_part(scan: _SheetScan) -> expat.XMLParserType:
    """An expat parser that counts elements and cells as the bytes of one part stream in.

    It keeps no tree, so memory stays flat; it stops at the first limit passed, and refuses a
    DOCTYPE or an entity declaration, which no workbook needs (entity expansion is another bomb).
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    state = {"row": 0, "cell_row": 0, "in_cell": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        scan.elements += 1
        if scan.elements > MAX_XLSX_ELEMENTS:
            raise _oversized_xlsx()
        local = name.rpartition(" ")[2]
        if local == "row":
            number = attrs.get("r", "")
            state["row"] = int(number) if number.isdigit() else state["row"] + 1
        elif local == "c":
            scan.cells += 1
            if scan.cells > MAX_XLSX_CELLS:
                raise SpreadsheetError(
                    _(
                        "The workbook has more than %(cells)s cells. Keep only the list of "
                        "trainees in the first sheet, or save it as CSV."
                    )
                    % {"cells": f"{MAX_XLSX_CELLS:,}".replace(",", " ")}
                )
            digits = attrs.get("r", "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            state["cell_row"] = int(digits) if digits.isdigit() else state["row"]
            state["in_cell"] = True
        elif local in ("v", "is") and state["in_cell"]:
            if state["cell_row"] > MAX_SHEET_ROWS:
                raise SpreadsheetError(
                    _(
                        "The sheet has a value in row %(row)s; a list of trainees must end by "
                        "row %(max)s. Delete what is below the list and save the file again."
                    )
                    % {"row": state["cell_row"], "max": MAX_SHEET_ROWS}
                )
            scan.last_row = max(scan.last_row, state["cell_row"])

    def end(name: str) -> None:
        if name.rpartition(" ")[2] == "c":
            state["in_cell"] = False

    def refuse(*args) -> None:
        raise _unreadable_xlsx()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def check_xlsx(data: bytes) -> int:
    """Refuse a workbook that would unfold into more than a trainee list; else its last row.

    Checked before openpyxl sees the file: the number of parts, each part's declared size, its
    compression ratio and the declared total from the zip's directory; then every part is
    unpacked in 64 KB chunks, counting the bytes actually produced and stopping as soon as a
    limit is passed, while its XML is streamed through a counting parser (cells, elements, the
    last row holding a value). Nothing is held but one chunk at a time.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise _unreadable_xlsx() from error
    if len(parts) > MAX_XLSX_PARTS:
        raise _oversized_xlsx()
    declared = 0
    for info in parts:
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise _unreadable_xlsx()  # encrypted, or packed in a way Excel never uses
        if info.file_size > MAX_XLSX_PART_BYTES:
            raise _oversized_xlsx()
        if info.file_size > XLSX_RATIO_GRACE_BYTES and info.file_size > MAX_XLSX_RATIO * max(
            info.compress_size, 1
        ):
            raise _oversized_xlsx()
        declared += info.file_size
    if declared > MAX_XLSX_TOTAL_BYTES:
        raise _oversized_xlsx()

    scan = _SheetScan()
    unpacked = 0
    try:
        for info in parts:
            parser = _scan_part(scan) if info.filename.endswith((".xml", ".rels")) else None
            part_bytes = 0
            with archive.open(info) as stream:
                # The zip's own sizes may lie: count what comes out, and stop at the limit.
                # (CPython's zipfile also stops at the declared size and then fails the CRC
                # check; counting here keeps the bound whatever reads the archive.)
                while chunk := stream.read(64 * 1024):
                    part_bytes += len(chunk)
                    unpacked += len(chunk)
                    if part_bytes > MAX_XLSX_PART_BYTES or unpacked > MAX_XLSX_TOTAL_BYTES:
                        raise _oversized_xlsx()
                    if parser is not None:
                        parser.Parse(chunk, False)
            if parser is not None:
                parser.Parse(b"", True)
    except SpreadsheetError:
        raise
    except Exception as error:  # a broken zip or XML: CRC, truncation, malformed markup…
        raise _unreadable_xlsx() from error
    return scan.last_row


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    last_row = check_xlsx(data)
    if last_row == 0:
        return []
    from openpyxl import load_workbook

    rows: list[list[Any]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Rows past the last value are never read, however far the sheet claims to reach.
        for row in sheet.iter_rows(
            values_only=True, max_col=len(TEMPLATE_HEADERS) + 12, max_row=last_row
        ):
            rows.append(list(row))
        workbook.close()
    except Exception as error:  # any failure of the parser on an untrusted file
        raise _unreadable_xlsx() from error
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("This is not a spreadsheet: upload a CSV or XLSX file."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string
        raise SpreadsheetError(_("This is not a spreadsheet: upload a CSV or XLSX file."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        if sample.count(";") > sample.count(","):
            dialect = type("SemicolonDialect", (csv.excel,), {"delimiter": ";"})
    # A title above the header («Список слушателей, поток 1») can mislead the sniffer: of the
    # usual separators, take the one under which a row of the first ones reads best as a header.
    candidates = [dialect.delimiter] + [d for d in ";,\t" if d != dialect.delimiter]

    def header_fields(delimiter: str) -> int:
        try:
            head = itertools.islice(
                csv.reader(io.StringIO(text), dialect, delimiter=delimiter), HEADER_SEARCH_ROWS
            )
            return max((len(_read_header(row).fields) for row in head), default=0)
        except csv.Error:
            return -1

    delimiter = max(candidates, key=header_fields)  # the sniffer's choice wins a tie
    try:
        return list(csv.reader(io.StringIO(text), dialect, delimiter=delimiter))
    except csv.Error as error:
        raise SpreadsheetError(
            _("This is not a spreadsheet: upload a CSV or XLSX file.")
        ) from error


@dataclass
class TraineeList:
    """A spreadsheet as read: the rows of trainees, the row its header was found in, and the
    columns that will not be loaded (each a dict with `column`, `title` and, when it is not
    simply unknown, a `reason` and a `source`)."""

    rows: list[dict[str, Any]]
    header_row: int
    skipped_columns: list[dict[str, str]]


def read_trainee_list(name: str, data: bytes) -> TraineeList:
    """The trainees of a CSV or XLSX file, each row with its row number in the file.

    The type is told by the content, not the name. The header may sit below a title; its
    columns may come in any order, under the names offices use (`COLUMNS`), with the name in one
    «ФИО» column or in three. Raises SpreadsheetError with a message for the person who
    uploaded it.
    """
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(
            _("The file is too large: at most %(size)s MB.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"PK\x03\x04"):
        raw_rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("Old Excel files (.xls) are not supported: save the file as .xlsx or CSV.")
        )
    elif data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise SpreadsheetError(_("This is not a spreadsheet: upload a CSV or XLSX file."))
    else:
        raw_rows = _csv_rows(data)

    numbered = [
        (number, row)
        for number, row in enumerate(raw_rows, start=1)
        if any(str(cell).strip() for cell in row if cell is not None)
    ]
    if not numbered:
        raise SpreadsheetError(_("The file has no rows."))
    position, header = _find_header(numbered)
    header_row = numbered[position][0]
    body = numbered[position + 1 :]
    if not body:
        raise SpreadsheetError(_("The file has a header but no trainees."))
    if len(body) > MAX_ROWS:
        raise SpreadsheetError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once.")
            % {"count": len(body), "max": MAX_ROWS}
        )
    rows = []
    untitled: set[int] = set()
    for number, cells in body:
        row: dict[str, Any] = {"row": number}
        for index, field in header.fields.items():
            value = cells[index] if index < len(cells) else ""
            row[field] = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
        rows.append(row)
        untitled.update(
            index
            for index, cell in enumerate(cells)
            if index not in header.titles and cell is not None and str(cell).strip()
        )
    # Values under no header are named too: they would otherwise vanish without a word.
    skipped = header.skipped + [
        {"column": _column_letter(index), "title": "", "reason": "untitled"}
        for index in sorted(untitled)
    ]
    return TraineeList(rows=rows, header_row=header_row, skipped_columns=skipped)


def read_spreadsheet(name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of trainees of a file (see `read_trainee_list`)."""
    return read_trainee_list(name, data).rows


def sheet_notes(summary: dict[str, Any]) -> list[str]:
    """What the preview says about how the file was read: the header's row when a title stood
    above it, and every column that will not be loaded, with the reason."""
    sheet = summary.get("sheet") or {}
    notes = []
    if sheet.get("header_row", 1) > 1:
        notes.append(
            _("The column headers are in row %(row)s; the rows above it are not loaded.")
            % {"row": sheet["header_row"]}
        )
    for column in sheet.get("skipped_columns", []):
        reason = column.get("reason", "")
        if reason == "repeated":
            message = _("Column «%(title)s» repeats column «%(source)s» and will not be loaded.")
        elif reason == "name":
            message = _("Column «%(title)s» will not be loaded: the name is taken from %(source)s.")
        elif reason == "untitled":
            message = _("Column %(column)s has no header and will not be loaded.")
        else:
            message = _("Column «%(title)s» is not recognised and will not be loaded.")
        notes.append(message % column)
    return notes


def _too_long(label: str, limit: int) -> str:
    return _("%(field)s is longer than %(max)s characters") % {
        "field": label.capitalize(),
        "max": limit,
    }


def _tidy_name(value: str) -> str:
    """A name as the account keeps it: a double surname's hyphen without spaces around it, and
    a word typed in capitals («ИВАНОВА», as official lists often write surnames) capitalised."""
    value = NAME_DASH_RE.sub("-", value.strip())

    def tidy(match: re.Match) -> str:
        word = match.group(0)
        return word.capitalize() if len(word) > 1 and word.isupper() else word

    return re.sub(r"[^\W\d_]+", tidy, value)


def _split_full_name(row: dict[str, Any]) -> list[str]:
    """Fill the row's last name, first name and patronymic from its «ФИО» cell, in the order
    Russian lists write them; the problem when the cell cannot give at least a surname and a
    name. The patronymic may be missing, or run to several words («Рауф оглы»)."""
    words = NAME_DASH_RE.sub("-", row["full_name"].strip()).split()
    row["last_name"] = words[0] if words else ""
    row["first_name"] = words[1] if len(words) > 1 else ""
    row["patronymic"] = " ".join(words[2:])
    if not words:
        return [_("Full name is missing")]
    if len(words) == 1:
        return [
            _("Full name «%(value)s» must have at least a surname and a name")
            % {"value": _shown(row["full_name"])}
        ]
    return []


def _check_fields(row: dict[str, Any]) -> list[str]:
    """The row's own problems; also normalises its e-mail and phone in place.

    Every value must fit the account it will be saved in, so that nothing can fail later, when
    the import is applied in the background.
    """
    errors = _split_full_name(row) if "full_name" in row else []
    # «ФИО» too short is one problem, not a missing first name besides.
    name_reported = bool(errors)
    for field, label in (
        ("last_name", _("last name")),
        ("first_name", _("first name")),
        ("patronymic", _("patronymic")),
    ):
        value = row[field] = _tidy_name(row.get(field, ""))
        if not value:
            if field != "patronymic" and not name_reported:
                errors.append(_("%(field)s is missing") % {"field": label.capitalize()})
        elif len(value) > _max_length(field):
            errors.append(_too_long(label, _max_length(field)))
        elif not NAME_RE.match(value):
            errors.append(
                _("%(field)s «%(value)s» has characters a name cannot have")
                % {"field": label.capitalize(), "value": _shown(value)}
            )
        elif field != "last_name" and INITIALS_RE.match(value.replace(" ", "")):
            errors.append(
                _("%(field)s «%(value)s» is an initial: write it in full")
                % {"field": label.capitalize(), "value": value}
            )
    email = row.get("email", "").lower()
    row["email"] = email
    if not email:
        errors.append(_("E-mail is missing"))
    elif len(email) > _email_max_length():
        errors.append(_too_long(_("e-mail"), _email_max_length()))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("E-mail «%(value)s» is not an e-mail address") % {"value": _shown(email)}
            )
    phone = row.get("phone", "")
    if not phone:
        errors.append(_("Phone is missing"))
    else:
        normalised = normalise_phone(phone)
        if normalised is None:
            errors.append(
                _("Phone «%(value)s» is not a Russian number such as +7 900 123-45-67")
                % {"value": _shown(phone)}
            )
        else:
            row["phone"] = normalised
    for field, label in (("organisation", _("organisation")), ("position", _("position"))):
        if len(row.get(field, "")) > _max_length(field):
            errors.append(_too_long(label, _max_length(field)))
    return errors


def _find_cohort(value: str, default: Cohort, choices: list[Cohort]) -> Cohort | None:
    if not value:
        return default
    wanted = value.strip().lower()
    for cohort in choices:
        if str(cohort.pk) == wanted or cohort.name.lower() == wanted:
            return cohort
    return None


def _accounts_by_email(*, region_id: int, emails: list[str]) -> dict[str, list]:
    """The accounts of one region using each address (compared without case).

    Only the cohort's region is read: whatever exists elsewhere cannot show in a preview.
    """
    found: dict[str, list] = {}
    accounts = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(region_id=region_id, email_lower__in=emails)
        .order_by("pk")
    )
    for account in accounts:
        found.setdefault(account.email_lower, []).append(account)
    return found


def plan_rows(*, cohort: Cohort, rows: list[dict[str, Any]], cohorts: list[Cohort]) -> list[dict]:
    """Each row with its `errors` and its `action` (create, enrol, restore or skip).

    `cohorts` are the cohorts a row may name in its "Группа" column (those of the importer, all
    in the cohort's region); rows without one go to `cohort`.

    Who a row is: an account of the cohort's region with that e-mail, when the address is
    confirmed (its owner followed a link sent to it), or when the account is an invitation nobody
    has taken up yet (no password: only the owner of the address can ever sign in to it, so
    enrolling it gives nobody anything; the invitation is sent again). An account of the region
    whose address is unconfirmed but which can be signed in to is refused: its holder has not
    shown the address is theirs. Accounts of other regions are never looked at: such a row is a
    new person of this region, exactly as for an unknown address, so the preview says nothing
    about them, and the new account is invited at the address like any other.
    """
    planned = []
    for source in rows:
        row = {key: value for key, value in source.items() if key not in PLAN_KEYS}
        row["errors"] = _check_fields(row)  # also normalises the e-mail and phone in place
        row["action"] = row["note"] = ""
        planned.append(row)

    emails = [row["email"] for row in planned if row["email"] and not row["errors"]]
    accounts = _accounts_by_email(region_id=cohort.region_id, emails=emails)
    matched = [people[0] for people in accounts.values() if len(people) == 1]
    enrolments = {}
    for enrolment in Enrolment.objects.filter(
        trainee__in=matched,
        program_id__in={c.program_id for c in cohorts} | {cohort.program_id},
    ).select_related("cohort"):
        enrolments.setdefault(enrolment.trainee_id, []).append(enrolment)
    active_counts = {
        c.pk: c.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
        for c in {cohort, *cohorts}
    }
    named_cohorts = {c.pk for c in cohorts} | {cohort.pk}
    first_row_of: dict[str, int] = {}

    for row in planned:
        target = _find_cohort(row.get("cohort", ""), cohort, cohorts)
        if target is None:
            row["errors"].append(
                _("Cohort «%(value)s» is unknown or not yours") % {"value": _shown(row["cohort"])}
            )
        row["cohort_id"] = target.pk if target else None
        row["cohort_name"] = target.name if target else row.get("cohort", "")
        email = row["email"]
        if email and email in first_row_of:
            row["errors"].append(_("The same e-mail as row %(row)s") % {"row": first_row_of[email]})
        elif email:
            first_row_of[email] = row["row"]
        if row["errors"] or target is None:
            continue
        people = accounts.get(email, [])
        if not people:
            row["action"] = "create"
        elif len(people) > 1:
            row["errors"].append(
                _("Several accounts of your region use this e-mail: ask the administrator")
            )
            continue
        else:
            user = people[0]
            invitee = not user.has_usable_password()
            if not user.email_confirmed and not invitee:
                row["errors"].append(
                    _(
                        "An account of your region uses this e-mail but has not confirmed it. "
                        "Ask the person to ask for a password link at %(url)s (following it "
                        "confirms the address), then upload the file again"
                    )
                    % {"url": reverse("accounts:password_reset")}
                )
                continue
            row["account"] = user.pk
            row["invite"] = invitee
            mine = {e.cohort_id: e for e in enrolments.get(user.pk, [])}
            here = mine.get(target.pk)
            elsewhere = [
                e
                for e in enrolments.get(user.pk, [])
                if e.cohort_id != target.pk
                and e.program_id == target.program_id
                and e.status == Enrolment.Status.ACTIVE
            ]
            if here is not None and here.status != Enrolment.Status.WITHDRAWN:
                row["action"] = "skip"
                row["note"] = _("Already enrolled in this cohort")
                continue
            if elsewhere:
                # Name the cohort only when it is one the importer manages.
                if elsewhere[0].cohort_id in named_cohorts:
                    row["errors"].append(
                        _("Already enrolled in «%(cohort)s»")
                        % {"cohort": inner_quotes(elsewhere[0].cohort.name)}
                    )
                else:
                    row["errors"].append(_("Already studies this programme in another cohort"))
                continue
            row["action"] = "restore" if here is not None else "enrol"
        if active_counts[target.pk] >= target.capacity:
            row["errors"].append(
                ngettext(
                    "Cohort «%(cohort)s» is full (%(capacity)s place)",
                    "Cohort «%(cohort)s» is full (%(capacity)s places)",
                    target.capacity,
                )
                % {"cohort": inner_quotes(target.name), "capacity": target.capacity}
            )
            row["action"] = ""
            continue
        active_counts[target.pk] += 1
    return planned


def importable_cohorts(cohort: Cohort, user=None) -> list[Cohort]:
    """Cohorts of the same region a row may name: those the importer manages."""
    from .selectors import cohorts_managed_by

    cohorts = Cohort.objects.filter(region_id=cohort.region_id).select_related("program")
    if user is not None:
        cohorts = cohorts.filter(pk__in=cohorts_managed_by(user).values("pk"))
    return list(cohorts)


def import_preview(*, cohort: Cohort, uploaded_by, file_name: str, data: bytes) -> EnrolmentImport:
    """Read and check the file; nothing is enrolled until `import_apply`."""
    sheet = read_trainee_list(file_name, data)
    planned = plan_rows(
        cohort=cohort, rows=sheet.rows, cohorts=importable_cohorts(cohort, uploaded_by)
    )
    return EnrolmentImport.objects.create(
        cohort=cohort,
        uploaded_by=uploaded_by,
        file_name=file_name[:255],
        rows=planned,
        # How the file was read, for the preview (`sheet_notes`); the apply adds its counts.
        summary={
            "sheet": {"header_row": sheet.header_row, "skipped_columns": sheet.skipped_columns}
        },
    )


def import_confirm(*, enrolment_import: EnrolmentImport) -> bool:
    """Queue a previewed import without problems; False when it is not one (a second click).

    The caller enqueues `courses.tasks.apply_enrolment_import` once this commits.
    """
    if enrolment_import.problem_count:
        return False
    return _queue(Q(status=EnrolmentImport.Status.PREVIEW), enrolment_import)


def import_retry(*, enrolment_import: EnrolmentImport) -> bool:
    """Queue again an import that failed or stalled; False when it is neither.

    Safe whatever happened before: the apply checks every row afresh, is all or nothing, and
    applies an import at most once, even if the stalled run wakes up after all.
    """
    stale_before = timezone.now() - EnrolmentImport.STALE_AFTER
    stalled = Q(status=EnrolmentImport.Status.QUEUED) & (
        Q(queued_at__lt=stale_before) | Q(queued_at__isnull=True, created_at__lt=stale_before)
    )
    return _queue(Q(status=EnrolmentImport.Status.FAILED) | stalled, enrolment_import)


def _queue(ready: Q, enrolment_import: EnrolmentImport) -> bool:
    # One conditional UPDATE: of two clicks or two tabs, only one queues the import.
    return bool(
        EnrolmentImport.objects.filter(ready, pk=enrolment_import.pk).update(
            status=EnrolmentImport.Status.QUEUED,
            queued_at=timezone.now(),
            failure="",
        )
    )


def import_run(
    *, import_id: int, progress: Callable[[int, int], None] | None = None
) -> EnrolmentImport:
    """Apply an import (the background task, and the command): whatever goes wrong, the import
    ends applied or failed with a reason, never «being imported». The error is raised again for
    the task's own record."""
    try:
        return import_apply(
            enrolment_import=EnrolmentImport.objects.get(pk=import_id), progress=progress
        )
    except Exception as error:
        logger.exception("Trainee import %s failed", import_id)
        failure = (
            EnrolmentImport.Failure.CONFLICT
            if isinstance(error, IntegrityError | ValidationError)
            else EnrolmentImport.Failure.ERROR
        )
        EnrolmentImport.objects.filter(pk=import_id).exclude(
            status=EnrolmentImport.Status.APPLIED
        ).update(status=EnrolmentImport.Status.FAILED, failure=failure)
        raise


def import_apply(
    *,
    enrolment_import: EnrolmentImport,
    progress: Callable[[int, int], None] | None = None,
) -> EnrolmentImport:
    """Apply a previewed import: every row, or — if any row now has a problem — none."""
    with transaction.atomic():
        enrolment_import = EnrolmentImport.objects.select_for_update().get(pk=enrolment_import.pk)
        if enrolment_import.status not in (
            EnrolmentImport.Status.PREVIEW,
            EnrolmentImport.Status.QUEUED,
        ):
            return enrolment_import  # applied once, or failed until someone retries it
        cohort = enrolment_import.cohort
        cohorts = importable_cohorts(cohort, enrolment_import.uploaded_by)
        # Lock the cohorts so that capacity cannot be overrun by a parallel import.
        list(
            Cohort.objects.select_for_update().filter(pk__in=[c.pk for c in cohorts] or [cohort.pk])
        )
        planned = plan_rows(cohort=cohort, rows=enrolment_import.rows, cohorts=cohorts)
        if any(row["errors"] for row in planned):
            enrolment_import.rows = planned
            enrolment_import.status = EnrolmentImport.Status.FAILED
            enrolment_import.failure = EnrolmentImport.Failure.ROWS
            enrolment_import.save(update_fields=["rows", "status", "failure"])
            return enrolment_import
        summary = _apply_rows(planned, {c.pk: c for c in cohorts} | {cohort.pk: cohort}, progress)
        enrolment_import.rows = planned
        enrolment_import.summary = {**enrolment_import.summary, **summary}
        enrolment_import.status = EnrolmentImport.Status.APPLIED
        enrolment_import.failure = ""
        enrolment_import.applied_at = timezone.now()
        enrolment_import.save(update_fields=["rows", "summary", "status", "failure", "applied_at"])
    return enrolment_import


def _free_login(email: str) -> str:
    """The e-mail as the new person's login, or — when an account elsewhere already has that
    login — the e-mail with a number. Officials never see logins, so the number tells them
    nothing; the person reads their login in the invitation."""
    User = get_user_model()
    limit = _max_length("username")
    login, number = email[:limit], 1
    while User.objects.filter(username__iexact=login).exists():
        number += 1
        suffix = f"-{number}"
        login = email[: limit - len(suffix)] + suffix
    return login


def _apply_rows(
    planned: list[dict], cohorts: dict[int, Cohort], progress: Callable[[int, int], None] | None
) -> dict[str, int]:
    from .services import enrolment_create

    User = get_user_model()
    trainee_group = Group.objects.get(name=Role.TRAINEE)
    summary = {"created": 0, "enrolled": 0, "restored": 0, "skipped": 0}
    total = len(planned)
    for done, row in enumerate(planned, start=1):
        action = row["action"]
        cohort = cohorts[row["cohort_id"]]
        if action == "skip":
            summary["skipped"] += 1
        else:
            if action == "create":
                user = User(
                    username=_free_login(row["email"]),
                    email=row["email"],
                    last_name=row["last_name"],
                    first_name=row["first_name"],
                    patronymic=row.get("patronymic", ""),
                    phone=row["phone"],
                    organisation=row.get("organisation", ""),
                    position=row.get("position", ""),
                    region_id=cohort.region_id,
                )
                user.set_unusable_password()  # they choose one through the invitation
                user.save()
                user.groups.add(trainee_group)
                summary["created"] += 1
                invite = True
            else:
                user = User.objects.get(pk=row["account"])
                summary["restored" if action == "restore" else "enrolled"] += 1
                invite = row.get("invite", False)
            enrolment_create(trainee=user, cohort=cohort)
            if invite:
                _invite(user, cohort)
            else:
                notify(
                    recipient=user,
                    subject=_("You are enrolled in «%(cohort)s»")
                    % {"cohort": inner_quotes(cohort.name)},
                    body=_("Programme: %(program)s.") % {"program": cohort.program.title},
                    url="/learning/",
                )
        if progress is not None:
            progress(done, total)
    return summary


def _invite(user, cohort: Cohort) -> None:
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    notify(
        recipient=user,
        subject=_("Welcome to the school of social coordinators"),
        body=_(
            "You are enrolled in «%(cohort)s», programme «%(program)s». Your login is %(login)s. "
            "Choose your password by the link below."
        )
        % {
            "cohort": inner_quotes(cohort.name),
            "program": inner_quotes(cohort.program.title),
            "login": user.username,
        },
        url=link,
    )


def template_csv() -> bytes:
    return csv_bytes([TEMPLATE_HEADERS, TEMPLATE_EXAMPLE])


def template_xlsx() -> bytes:
    return xlsx_bytes(
        [TEMPLATE_HEADERS, TEMPLATE_EXAMPLE],
        sheet_title="Слушатели",
        column_widths=(18, 14, 18, 28, 18, 40, 32, 14),
    )
