"""The report of issued удостоверения to the federal register of documents on education
(ФИС ФРДО), in the column layout of its XLSX template for additional professional programmes
(ДПО, «документы о квалификации»).

Only удостоверения о повышении квалификации are reported: a сертификат of a short programme is
not a document on qualification. The values follow the template's own vocabulary (Да / Нет,
Оригинал / Дубликат, «Повышение квалификации», dates ДД.ММ.ГГГГ, СНИЛС 123-456-789 01).

Decisions (see the notes sheet of the file, and the README):
- The serial `68-2026-00017` is split into Серия «68-2026» (region and year) and Номер «00017»;
  Регистрационный номер is the certificate's own (`68/17`).
- A reissue (a correction that superseded an earlier certificate, after a change of name, say)
  is a «Дубликат»: the template's «(оригинала)» columns carry the earlier document's name,
  numbers and date, which is how the register links the two. The superseded original, when it
  falls in the exported selection, stays «Оригинал» with «Подтверждение обмена» «Да».
- A revoked certificate is not exported: it is not a valid document. One reported before it was
  revoked has to be annulled in ФИС ФРДО by hand; the notes sheet lists those left out.
- What the system does not hold stays empty and is listed on the notes sheet, with the number of
  rows lacking each optional value (СНИЛС and date of birth, which trainees may give on their
  profile).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.snils import format_snils
from core.spreadsheets import xlsx_file

from .exports import hours, ru_date
from .models import Certificate, DocumentKind

# The ФИС ФРДО template for ДПО («Шаблон ДПО», документы о квалификации), its 40 columns in
# order. The list is the one public tools that prepare these files agree on (for instance the
# `dpo()` sheet of a PHP training-centre exporter and a TypeScript `DPO_HEADERS` constant found
# with the project's code search, both matching the register's template column for column);
# PRODUCT.md gives its beginning. If the register publishes a new template, change it here only.
FRDO_DPO_COLUMNS: tuple[str, ...] = (
    "Вид документа",
    "Статус документа",
    "Подтверждение утраты",
    "Подтверждение обмена",
    "Подтверждение уничтожения",
    "Серия документа",
    "Номер документа",
    "Дата выдачи документа",
    "Регистрационный номер",
    "Дополнительная профессиональная программа (повышение квалификации/ профессиональная "
    "переподготовка)",
    "Наименование дополнительной профессиональной программы",
    "Наименование области профессиональной деятельности",
    "Укрупненные группы специальностей",
    "Наименование квалификации, профессии, специальности",
    "Уровень образования ВО/СПО",
    "Фамилия указанная в дипломе о ВО или СПО",
    "Серия документа о ВО/СПО",
    "Номер документа о ВО/СПО",
    "Год начала обучения (для документа о квалификации)",
    "Год окончания обучения (для документа о квалификации)",
    "Срок обучения, часов (для документа о квалификации)",
    "Фамилия получателя",
    "Имя получателя",
    "Отчество получателя",
    "Дата рождения получателя",
    "Пол получателя",
    "СНИЛС",
    "Форма обучения",
    "Источник финансирования обучения",
    "Форма получения образования на момент прекращения образовательных отношений",
    "Гражданство получателя (код страны по ОКСМ)",
    "Наименование документа об образовании (оригинала)",
    "Серия (оригинала)",
    "Номер (оригинала)",
    "Регистрационный N (оригинала)",
    "Дата выдачи (оригинала)",
    "Фамилия получателя (оригинала)",
    "Имя получателя (оригинала)",
    "Отчество получателя (оригинала)",
    "Номер документа для изменения",
)

DOCUMENT_NAME = "Удостоверение о повышении квалификации"
PROGRAMME_KIND = "Повышение квалификации"
ORIGINAL, DUPLICATE = "Оригинал", "Дубликат"
YES, NO = "Да", "Нет"

# Columns the system does not hold, and why; they stay empty in every row.
NOT_HELD: dict[str, str] = {
    "Наименование области профессиональной деятельности": (
        "Программа школы не относит себя к области профессиональной деятельности по "
        "справочнику реестра; заполняется вручную при необходимости."
    ),
    "Укрупненные группы специальностей": "Не хранится: сведения о прежнем образовании слушателя.",
    "Наименование квалификации, профессии, специальности": (
        "Не хранится: повышение квалификации не присваивает новую квалификацию, а прежняя "
        "квалификация слушателя системе не известна."
    ),
    "Уровень образования ВО/СПО": "Не хранится: сведения о прежнем образовании слушателя.",
    "Фамилия указанная в дипломе о ВО или СПО": "Не хранится: сведения о дипломе слушателя.",
    "Серия документа о ВО/СПО": "Не хранится: сведения о дипломе слушателя.",
    "Номер документа о ВО/СПО": "Не хранится: сведения о дипломе слушателя.",
    "Пол получателя": "Не собирается: школе для обучения не нужен.",
    "Форма обучения": "Не хранится: форма обучения программы не задаётся в системе.",
    "Источник финансирования обучения": "Не хранится: договоры и оплата ведутся вне системы.",
    "Форма получения образования на момент прекращения образовательных отношений": (
        "Не хранится в системе."
    ),
    "Гражданство получателя (код страны по ОКСМ)": "Не собирается.",
    "Номер документа для изменения": (
        "Заполняется только при исправлении уже переданной записи — вручную в ФИС ФРДО."
    ),
}
# Columns filled only where the trainee gave the value on their profile (with consent).
OPTIONAL: dict[str, str] = {
    "Дата рождения получателя": (
        "Заполняется, если слушатель указал дату рождения в профиле (по желанию, с согласием)."
    ),
    "СНИЛС": "Заполняется, если слушатель указал СНИЛС в профиле (по желанию, с согласием).",
}
# Filled only in the row of a reissue (a «Дубликат»): the earlier document's details.
ORIGINAL_COLUMNS = (
    "Наименование документа об образовании (оригинала)",
    "Серия (оригинала)",
    "Номер (оригинала)",
    "Регистрационный N (оригинала)",
    "Дата выдачи (оригинала)",
    "Фамилия получателя (оригинала)",
    "Имя получателя (оригинала)",
    "Отчество получателя (оригинала)",
)


def frdo_certificates(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates of a selection that go to the register: удостоверения, not revoked."""
    return (
        certificates.filter(kind=DocumentKind.QUALIFICATION, revoked_at__isnull=True)
        .select_related("trainee", "replaces", "replaced_by")
        .order_by("issued_on", "region__code", "sequence")
    )


def series_and_number(serial: str) -> tuple[str, str]:
    """«68-2026-00017» → («68-2026», «00017»): region and year, then the sequence."""
    series, _, number = serial.rpartition("-")
    return series, number


def frdo_row(certificate: Certificate) -> dict[str, object]:
    """The certificate's values by the template's column names (the frozen copy for what is
    printed; the trainee's profile for the optional СНИЛС and date of birth)."""
    series, number = series_and_number(certificate.serial)
    trainee = certificate.trainee
    row: dict[str, object] = {
        "Вид документа": DOCUMENT_NAME,
        "Статус документа": DUPLICATE if certificate.replaces_id else ORIGINAL,
        "Подтверждение утраты": NO,
        "Подтверждение обмена": YES if certificate.successor is not None else NO,
        "Подтверждение уничтожения": NO,
        "Серия документа": series,
        "Номер документа": number,
        "Дата выдачи документа": ru_date(certificate.issued_on),
        "Регистрационный номер": certificate.registration_number,
        FRDO_DPO_COLUMNS[9]: PROGRAMME_KIND,
        "Наименование дополнительной профессиональной программы": certificate.program_title,
        "Год начала обучения (для документа о квалификации)": certificate.studied_from.year,
        "Год окончания обучения (для документа о квалификации)": certificate.studied_to.year,
        "Срок обучения, часов (для документа о квалификации)": hours(certificate.total_hours),
        "Фамилия получателя": certificate.last_name,
        "Имя получателя": certificate.first_name,
        "Отчество получателя": certificate.patronymic,
        # Only what the trainee gave with consent to its processing goes to the register.
        "Дата рождения получателя": ru_date(trainee.birth_date) if trainee.data_consent else "",
        "СНИЛС": format_snils(trainee.snils) if trainee.data_consent else "",
    }
    original = certificate.replaces
    if original is not None:
        original_series, original_number = series_and_number(original.serial)
        row.update(
            zip(
                ORIGINAL_COLUMNS,
                (
                    DOCUMENT_NAME,
                    original_series,
                    original_number,
                    original.registration_number,
                    ru_date(original.issued_on),
                    original.last_name,
                    original.first_name,
                    original.patronymic,
                ),
                strict=True,
            )
        )
    return row


@dataclass
class FrdoReport:
    """What went into the file, for its notes sheet."""

    rows: int = 0
    lacking: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPTIONAL, 0))


def _data_rows(certificates: QuerySet[Certificate], report: FrdoReport) -> Iterator[list]:
    yield list(FRDO_DPO_COLUMNS)
    for certificate in certificates.iterator(chunk_size=500):
        row = frdo_row(certificate)
        report.rows += 1
        for column in OPTIONAL:
            if not row.get(column):
                report.lacking[column] += 1
        yield [row.get(column, "") for column in FRDO_DPO_COLUMNS]


def _notes_rows(report: FrdoReport, *, left_out: list[str], day: dt.date) -> Iterator[list]:
    # Read after the first sheet is written, so that the counts are complete.
    yield ["Столбец", "Почему не заполнен", "Строк без значения"]
    for column, why in NOT_HELD.items():
        yield [column, why, report.rows]
    for column, why in OPTIONAL.items():
        yield [column, why, report.lacking[column]]
    yield [
        "(оригинала): 8 столбцов",
        "Заполняются только в строке дубликата — удостоверения, выданного взамен прежнего "
        "(исправление, например, после смены фамилии).",
        "",
    ]
    yield []
    yield ["Выгружено документов", "", report.rows]
    yield ["Дата выгрузки", ru_date(day), ""]
    if left_out:
        yield [
            "Не выгружены: отозванные удостоверения",
            "Отозванный документ не действителен. Если он уже передан в ФИС ФРДО, запись "
            "нужно аннулировать в реестре вручную. " + ", ".join(left_out),
            len(left_out),
        ]


def frdo_xlsx(certificates: QuerySet[Certificate], *, day: dt.date):
    """The register's file for a selection of certificates (a cohort's, or a period's): the
    template's sheet, then «Примечания». A temporary file, rewound (`xlsx_file`)."""
    report = FrdoReport()
    left_out = list(
        certificates.filter(kind=DocumentKind.QUALIFICATION, revoked_at__isnull=False)
        .order_by("serial")
        .values_list("serial", flat=True)
    )
    return xlsx_file(
        [
            ("Шаблон ДПО", _data_rows(frdo_certificates(certificates), report), [22] * 40),
            ("Примечания", _notes_rows(report, left_out=left_out, day=day), (48, 90, 18)),
        ]
    )
