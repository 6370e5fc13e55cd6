"""Bulk enrolment from a spreadsheet (CSV or XLSX): read, check every row, then apply at once.

`read_spreadsheet` turns a file into rows; `plan_rows` finds each row's problems against the
database as it is now; `import_preview` stores the checked rows for a person to confirm;
`import_apply` re-checks and applies them in one transaction, all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.phones import normalise_phone
from accounts.roles import Role
from content.spreadsheets import csv_bytes, xlsx_bytes
from notifications.services import notify

from .models import Cohort, Enrolment, EnrolmentImport

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 3000

# Column headers people write, in Russian or English, for each field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "last_name": ("фамилия", "last name", "last_name", "surname"),
    "first_name": ("имя", "first name", "first_name", "given name"),
    "patronymic": ("отчество", "patronymic", "middle name"),
    "email": ("e-mail", "email", "эл. почта", "электронная почта", "почта"),
    "phone": ("телефон", "phone", "мобильный телефон"),
    "organisation": ("организация", "organisation", "organization", "место работы"),
    "position": ("должность", "position", "job title"),
    "cohort": ("группа", "cohort", "group"),
}
REQUIRED_COLUMNS = ("last_name", "first_name", "email", "phone")
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

NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-]{0,149}$")


# Keys that plan_rows adds to a row; a stored row is planned afresh without them.
PLAN_KEYS = {"errors", "action", "note", "cohort_id", "cohort_name"}


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet of trainees; the message says why."""


def _normalise_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower().replace("ё", "е")


def _header_map(header: list[Any]) -> dict[int, str]:
    aliases = {
        alias.replace("ё", "е"): field for field, names in COLUMNS.items() for alias in names
    }
    mapping = {}
    for index, title in enumerate(header):
        field = aliases.get(_normalise_header(title))
        if field and field not in mapping.values():
            mapping[index] = field
    missing = [field for field in REQUIRED_COLUMNS if field not in mapping.values()]
    if missing:
        names = ", ".join(f"«{TEMPLATE_HEADERS[list(COLUMNS).index(field)]}»" for field in missing)
        raise SpreadsheetError(
            _("The file has no column %(columns)s. Start from the template file.")
            % {"columns": names}
        )
    return mapping


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    rows: list[list[Any]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Stop early: a small compressed file can unfold into a million rows.
        for row in sheet.iter_rows(values_only=True, max_col=len(TEMPLATE_HEADERS) + 12):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 100:
                break
        workbook.close()
    except Exception as error:  # any failure of the parser on an untrusted file
        raise SpreadsheetError(
            _("The file looks like an Excel workbook but cannot be read. Save it again as .xlsx.")
        ) from error
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
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise SpreadsheetError(
            _("This is not a spreadsheet: upload a CSV or XLSX file.")
        ) from error


def read_spreadsheet(name: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of trainees from a CSV or XLSX file, each with its row number in the file.

    The type is told by the content, not the name. Raises SpreadsheetError with a message for
    the person who uploaded it.
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
    _header_number, header = numbered[0]
    mapping = _header_map(header)
    body = numbered[1:]
    if not body:
        raise SpreadsheetError(_("The file has a header but no trainees."))
    if len(body) > MAX_ROWS:
        raise SpreadsheetError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once.")
            % {"count": len(body), "max": MAX_ROWS}
        )
    rows = []
    for number, cells in body:
        row: dict[str, Any] = {"row": number}
        for index, field in mapping.items():
            value = cells[index] if index < len(cells) else ""
            row[field] = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
        rows.append(row)
    return rows


def _check_fields(row: dict[str, Any]) -> list[str]:
    errors = []
    for field, label in (
        ("last_name", _("last name")),
        ("first_name", _("first name")),
        ("patronymic", _("patronymic")),
    ):
        value = row.get(field, "")
        if not value:
            if field != "patronymic":
                errors.append(_("%(field)s is missing") % {"field": label.capitalize()})
        elif not NAME_RE.match(value):
            errors.append(
                _("%(field)s «%(value)s» has characters a name cannot have")
                % {"field": label.capitalize(), "value": value}
            )
    email = row.get("email", "").lower()
    row["email"] = email
    if not email:
        errors.append(_("E-mail is missing"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("E-mail «%(value)s» is not an e-mail address") % {"value": email})
    phone = row.get("phone", "")
    if not phone:
        errors.append(_("Phone is missing"))
    else:
        normalised = normalise_phone(phone)
        if normalised is None:
            errors.append(
                _("Phone «%(value)s» is not a Russian number such as +7 900 123-45-67")
                % {"value": phone}
            )
        else:
            row["phone"] = normalised
    for field in ("organisation", "position"):
        row[field] = row.get(field, "")[:255]
    return errors


def _find_cohort(value: str, default: Cohort, choices: list[Cohort]) -> Cohort | None:
    if not value:
        return default
    wanted = value.strip().lower()
    for cohort in choices:
        if str(cohort.pk) == wanted or cohort.name.lower() == wanted:
            return cohort
    return None


def plan_rows(*, cohort: Cohort, rows: list[dict[str, Any]], cohorts: list[Cohort]) -> list[dict]:
    """Each row with its `errors` and its `action` (create, enrol, restore or skip).

    `cohorts` are the cohorts a row may name in its "Группа" column (those of the importer);
    rows without one go to `cohort`.
    """
    User = get_user_model()
    planned = []
    for source in rows:
        row = {key: value for key, value in source.items() if key not in PLAN_KEYS}
        row["errors"] = _check_fields(row)  # also normalises the e-mail and phone in place
        row["action"] = row["note"] = ""
        planned.append(row)

    emails = [row["email"] for row in planned if row["email"]]
    users = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=emails).select_related("region")
    }
    enrolments = {}
    for enrolment in Enrolment.objects.filter(
        trainee__in=users.values(),
        program_id__in={c.program_id for c in cohorts} | {cohort.program_id},
    ).select_related("cohort"):
        enrolments.setdefault(enrolment.trainee_id, []).append(enrolment)
    active_counts = {
        c.pk: c.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
        for c in {cohort, *cohorts}
    }
    first_row_of: dict[str, int] = {}

    for row in planned:
        target = _find_cohort(row.get("cohort", ""), cohort, cohorts)
        if target is None:
            row["errors"].append(
                _("Cohort «%(value)s» is unknown or not yours") % {"value": row["cohort"]}
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
        user = users.get(email)
        if user is None:
            row["action"] = "create"
        else:
            if user.region_id != target.region_id:
                row["errors"].append(
                    _("%(email)s is registered in another region (%(region)s)")
                    % {"email": email, "region": user.region.name}
                )
                continue
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
                row["errors"].append(
                    _("Already enrolled in «%(cohort)s»") % {"cohort": elsewhere[0].cohort.name}
                )
                continue
            row["action"] = "restore" if here is not None else "enrol"
        if active_counts[target.pk] >= target.capacity:
            row["errors"].append(
                _("Cohort «%(cohort)s» is full (%(capacity)s places)")
                % {"cohort": target.name, "capacity": target.capacity}
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
    rows = read_spreadsheet(file_name, data)
    planned = plan_rows(cohort=cohort, rows=rows, cohorts=importable_cohorts(cohort, uploaded_by))
    return EnrolmentImport.objects.create(
        cohort=cohort, uploaded_by=uploaded_by, file_name=file_name[:255], rows=planned
    )


def import_apply(
    *,
    enrolment_import: EnrolmentImport,
    progress: Callable[[int, int], None] | None = None,
) -> EnrolmentImport:
    """Apply a previewed import: every row, or — if any row now has a problem — none."""
    with transaction.atomic():
        enrolment_import = EnrolmentImport.objects.select_for_update().get(pk=enrolment_import.pk)
        if enrolment_import.status == EnrolmentImport.Status.APPLIED:
            return enrolment_import  # applied once, whatever the client does
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
            enrolment_import.save(update_fields=["rows", "status"])
            return enrolment_import
        summary = _apply_rows(planned, {c.pk: c for c in cohorts} | {cohort.pk: cohort}, progress)
        enrolment_import.rows = planned
        enrolment_import.summary = summary
        enrolment_import.status = EnrolmentImport.Status.APPLIED
        enrolment_import.applied_at = timezone.now()
        enrolment_import.save(update_fields=["rows", "summary", "status", "applied_at"])
    return enrolment_import


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
                    username=row["email"][:150],
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
                _invite(user, cohort)
            else:
                user = User.objects.get(email__iexact=row["email"])
                summary["restored" if action == "restore" else "enrolled"] += 1
                notify(
                    recipient=user,
                    subject=_("You are enrolled in «%(cohort)s»") % {"cohort": cohort.name},
                    body=_("Programme: %(program)s.") % {"program": cohort.program.title},
                    url="/learning/",
                )
            enrolment_create(trainee=user, cohort=cohort)
        if progress is not None:
            progress(done, total)
    return summary


def _invite(user, cohort: Cohort) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

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
        % {"cohort": cohort.name, "program": cohort.program.title, "login": user.username},
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
