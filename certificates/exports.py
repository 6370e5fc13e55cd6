"""The register of issued certificates as a table, and the files made of it: XLSX, CSV and the
cohort's archive of PDFs.

The page, the XLSX and the CSV all print `register_row` of the same certificates
(`certificates.filters.RegisterFilterForm`), so a file holds exactly the rows the page shows.
Every cell goes through `core.spreadsheets.spreadsheet_value` (no formula runs on the reader's
computer). Large registers are never built in memory: the CSV is streamed row by row, the XLSX
written by openpyxl's write-only mode to a temporary file, and the archive streamed by
zipstream-ng as it is downloaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import pgettext_lazy

from core.spreadsheets import csv_bytes, csv_stream, xlsx_file

from .models import Certificate, DocumentKind

# The register is a Russian document, like the certificates it lists: its headers are Russian.
REGISTER_HEADER = (
    "Серийный номер",
    "Регистрационный номер",
    "ФИО (как в документе)",
    "Программа",
    "Группа",
    "Регион",
    "Документ",
    "Часов",
    "Дата выдачи",
    "Действует до",
    "Статус",
)

STATUS_LABELS = {
    Certificate.Status.VALID: pgettext_lazy("certificate status", "valid"),
    Certificate.Status.REVOKED: pgettext_lazy("certificate status", "revoked"),
    Certificate.Status.ANNULLED: pgettext_lazy("certificate status", "annulled"),
    Certificate.Status.SUPERSEDED: pgettext_lazy("certificate status", "superseded"),
    Certificate.Status.EXPIRED: pgettext_lazy("certificate status", "expired"),
}
KIND_LABELS = {
    DocumentKind.QUALIFICATION: pgettext_lazy(
        "document kind", "certificate of professional development"
    ),
    DocumentKind.CERTIFICATE: pgettext_lazy("document kind", "certificate of completion"),
}

CHUNK = 64 * 1024


def ru_date(day: dt.date | None) -> str:
    """ДД.ММ.ГГГГ, as Russian documents and the federal register write dates."""
    return f"{day:%d.%m.%Y}" if day else ""


def hours(value: Decimal) -> int | Decimal:
    """18 rather than 18.0; a half hour stays 17.5."""
    return int(value) if value == value.to_integral_value() else value


Labels = tuple[dict[str, str], dict[str, str]]


def register_labels() -> Labels:
    """The statuses' and kinds' names in the active language, fixed as text: a streamed file
    reads its rows after the view has returned, when the request's language is gone."""
    return (
        {status: str(label) for status, label in STATUS_LABELS.items()},
        {kind: str(label) for kind, label in KIND_LABELS.items()},
    )


def register_row(certificate: Certificate, *, day: dt.date, labels: Labels) -> list:
    """One certificate as the register prints it; its status is `Certificate.status_on(day)`,
    the one rule verification uses too."""
    statuses, kinds = labels
    return [
        certificate.serial,
        certificate.registration_number,
        certificate.full_name,
        certificate.program_title,
        certificate.cohort.name,
        certificate.region_name,
        kinds[certificate.kind],
        hours(certificate.total_hours),
        ru_date(certificate.issued_on),
        ru_date(certificate.expires_on),
        statuses[certificate.status_on(day)],
    ]


def register_table(certificates: QuerySet[Certificate], *, day: dt.date) -> Iterator[list]:
    """The header, then a row per certificate, read from the database in chunks; in Russian
    whatever the language of the request, like the headers."""
    with translation.override("ru"):
        labels = register_labels()
    return _table(certificates, day=day, labels=labels)


def _table(certificates, *, day: dt.date, labels: Labels) -> Iterator[list]:
    yield list(REGISTER_HEADER)
    for certificate in certificates.iterator(chunk_size=500):
        yield register_row(certificate, day=day, labels=labels)


REGISTER_WIDTHS = (16, 14, 34, 40, 20, 22, 26, 8, 12, 12, 12)


def register_xlsx(certificates: QuerySet[Certificate], *, day: dt.date):
    return xlsx_file([("Реестр", register_table(certificates, day=day), REGISTER_WIDTHS)])


def register_csv(certificates: QuerySet[Certificate], *, day: dt.date) -> Iterator[bytes]:
    return csv_stream(register_table(certificates, day=day))


# --- The cohort's archive --------------------------------------------------------------------

_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def initials_name(certificate: Certificate) -> str:
    """Иванова М. И.: the last name and initials, as printed."""
    initials = " ".join(
        f"{part[0]}." for part in (certificate.first_name, certificate.patronymic) if part
    )
    return f"{certificate.last_name} {initials}".strip()


def archive_name(certificate: Certificate, taken: set[str]) -> str:
    """`<serial> <Фамилия И. О.>.pdf`, without characters a file system refuses, and unique in
    the archive (serials are unique, but a name is cut to a sane length)."""
    stem = _NOT_IN_FILE_NAMES.sub(" ", f"{certificate.serial} {initials_name(certificate)}")
    # «Иванова М. И.pdf», not «И..pdf»: the initial's dot doubles as the extension's.
    stem = " ".join(stem.split())[:120].rstrip(".")
    name, number = f"{stem}.pdf", 1
    while name in taken:
        number += 1
        name = f"{stem} ({number}).pdf"
    taken.add(name)
    return name


def _stored_chunks(certificate: Certificate) -> Iterator[bytes]:
    with certificate.pdf.storage.open(certificate.pdf.name, "rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


def cohort_archive(certificates: Sequence[Certificate], *, day: dt.date):
    """A zip stream of the certificates' stored PDFs (which must exist: `services.ensure_pdf`)
    and a register CSV of the same certificates. Nothing is read until the stream is."""
    from zipstream import ZIP_STORED, ZipStream

    # PDFs are compressed already; storing them saves the server's time for nothing lost.
    archive = ZipStream(compress_type=ZIP_STORED)
    taken: set[str] = set()
    table = [list(REGISTER_HEADER)]
    with translation.override("ru"):
        labels = register_labels()
    for certificate in certificates:
        archive.add(_stored_chunks(certificate), archive_name(certificate, taken))
        table.append(register_row(certificate, day=day, labels=labels))
    archive.add(csv_bytes(table), "Реестр.csv")
    return archive
