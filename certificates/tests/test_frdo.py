"""The report to the federal register (ФИС ФРДО): the template's columns, the values as the
register writes them, only удостоверения, and the notes sheet."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certificates.frdo import FRDO_DPO_COLUMNS, NOT_HELD, OPTIONAL, ORIGINAL_COLUMNS
from certificates.models import Certificate, DocumentKind

from .test_register import build_register, issue

pytestmark = pytest.mark.django_db

FRDO = reverse("certificates:frdo_export")


@pytest.fixture
def world(db):
    return build_register()


def download(client, params) -> tuple[list[dict], list[list]]:
    """The data rows by column name, and the notes sheet's rows."""
    response = client.get(FRDO, params)
    assert response.status_code == 200, response
    assert "frdo-dpo-" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Шаблон ДПО", "Примечания"]
    rows = list(workbook["Шаблон ДПО"].iter_rows(values_only=True))
    assert list(rows[0]) == list(FRDO_DPO_COLUMNS)
    data = [dict(zip(FRDO_DPO_COLUMNS, row, strict=True)) for row in rows[1:]]
    notes = [list(row) for row in workbook["Примечания"].iter_rows(values_only=True)]
    return data, notes


def by_number(rows: list[dict], certificate: Certificate) -> dict:
    series, number = certificate.serial.rsplit("-", 1)
    (row,) = [r for r in rows if r["Серия документа"] == series and r["Номер документа"] == number]
    return row


def test_the_template_has_its_forty_columns_once_each():
    assert len(FRDO_DPO_COLUMNS) == 40 == len(set(FRDO_DPO_COLUMNS))
    assert FRDO_DPO_COLUMNS[:9] == (
        "Вид документа",
        "Статус документа",
        "Подтверждение утраты",
        "Подтверждение обмена",
        "Подтверждение уничтожения",
        "Серия документа",
        "Номер документа",
        "Дата выдачи документа",
        "Регистрационный номер",
    )
    assert set(NOT_HELD) | set(OPTIONAL) | set(ORIGINAL_COLUMNS) <= set(FRDO_DPO_COLUMNS)


def test_a_cohorts_certificate_as_the_register_writes_it(client, world):
    trainee = world.valid.trainee
    trainee.snils, trainee.birth_date = "11223344595", dt.date(1985, 3, 7)
    trainee.data_consent = True
    trainee.save()
    client.force_login(world.official)

    rows, _notes = download(client, {"cohort": world.cohort_a.pk})

    row = by_number(rows, world.valid)
    series, number = world.valid.serial.rsplit("-", 1)
    assert row["Вид документа"] == "Удостоверение о повышении квалификации"
    assert row["Статус документа"] == "Оригинал"
    assert row["Подтверждение утраты"] == row["Подтверждение уничтожения"] == "Нет"
    assert row["Подтверждение обмена"] == "Нет"
    assert (row["Серия документа"], row["Номер документа"]) == (series, number)
    assert series.startswith("68-") and len(number) == 5
    assert row["Дата выдачи документа"] == world.valid.issued_on.strftime("%d.%m.%Y")
    assert row["Регистрационный номер"] == world.valid.registration_number
    assert row[FRDO_DPO_COLUMNS[9]] == "Повышение квалификации"
    assert row["Наименование дополнительной профессиональной программы"] == (
        world.valid.program_title
    )
    assert row["Год начала обучения (для документа о квалификации)"] == 2026
    assert row["Год окончания обучения (для документа о квалификации)"] == 2026
    assert row["Срок обучения, часов (для документа о квалификации)"] == 18
    assert (row["Фамилия получателя"], row["Имя получателя"], row["Отчество получателя"]) == (
        "Иванова",
        "Мария",
        "Петровна",
    )
    assert row["СНИЛС"] == "112-233-445 95"
    assert row["Дата рождения получателя"] == "07.03.1985"
    for column in NOT_HELD:
        assert row[column] is None, column
    for column in ORIGINAL_COLUMNS:
        assert row[column] is None, column


def test_the_years_of_study_are_the_first_and_last_days_not_the_date_of_issue(client, world):
    """A study across the new year, issued in the year after: three different years, each in
    its own column."""
    Certificate.objects.filter(pk=world.valid.pk).update(
        studied_from=dt.date(2025, 12, 15),
        studied_to=dt.date(2026, 12, 30),
        issued_on=dt.date(2027, 1, 11),
    )
    client.force_login(world.official)

    rows, _notes = download(client, {"cohort": world.cohort_a.pk})

    row = by_number(rows, world.valid)
    assert row["Год начала обучения (для документа о квалификации)"] == 2025
    assert row["Год окончания обучения (для документа о квалификации)"] == 2026
    assert row["Дата выдачи документа"] == "11.01.2027"


def test_without_consent_to_processing_the_optional_fields_stay_empty(client, world):
    trainee = world.valid.trainee
    trainee.snils, trainee.birth_date = "11223344595", dt.date(1985, 3, 7)
    trainee.data_consent = False  # given once, then withdrawn
    trainee.save()
    client.force_login(world.official)

    rows, _notes = download(client, {"cohort": world.cohort_a.pk})

    row = by_number(rows, world.valid)
    assert row["СНИЛС"] is None and row["Дата рождения получателя"] is None


def test_the_printed_name_not_todays(client, world):
    trainee = world.valid.trainee
    trainee.last_name = "Переименованная"
    trainee.save()
    client.force_login(world.official)
    rows, _notes = download(client, {"cohort": world.cohort_a.pk})
    assert by_number(rows, world.valid)["Фамилия получателя"] == "Иванова"


def test_only_udostovereniya_and_no_revoked_ones(client, world):
    certificate_kind = issue(world.cohort_a, last_name="Краткова", kind=DocumentKind.CERTIFICATE)
    client.force_login(world.official)

    rows, notes = download(client, {"cohort": world.cohort_a.pk})

    names = {row["Фамилия получателя"] for row in rows}
    assert "Краткова" not in names and certificate_kind.last_name == "Краткова"
    assert "Смирнов" not in names  # revoked
    assert {"Иванова", "Кузнецова", "Соколова", "Орлов"} == names
    (left_out,) = [row for row in notes if row[0] and row[0].startswith("Не выгружены")]
    assert world.revoked.serial in left_out[1] and left_out[2] == 1


def test_a_reissue_is_a_duplicate_that_names_the_original(client, world):
    client.force_login(world.official)

    rows, _notes = download(client, {"cohort": world.cohort_a.pk})

    new, old = by_number(rows, world.new), by_number(rows, world.old)
    assert new["Статус документа"] == "Дубликат"
    assert new["Подтверждение обмена"] == "Нет"
    old_series, old_number = world.old.serial.rsplit("-", 1)
    assert [new[column] for column in ORIGINAL_COLUMNS] == [
        "Удостоверение о повышении квалификации",
        old_series,
        old_number,
        world.old.registration_number,
        "10.11.2026",
        "Кузнецова",
        "Анна",
        None,
    ]
    assert old["Статус документа"] == "Оригинал"
    assert old["Подтверждение обмена"] == "Да"


def test_the_notes_list_every_column_left_empty_and_how_many_lack_the_optional_ones(client, world):
    trainee = world.valid.trainee
    trainee.snils, trainee.data_consent = "11223344595", True
    trainee.save()
    client.force_login(world.official)

    rows, notes = download(client, {"cohort": world.cohort_a.pk})

    assert notes[0] == ["Столбец", "Почему не заполнен", "Строк без значения"]
    explained = {row[0]: row for row in notes[1:] if row and row[0]}
    for column in NOT_HELD:
        assert explained[column][1] and explained[column][2] == len(rows)
    # Four rows: Иванова gave her СНИЛС; nobody gave a date of birth.
    assert len(rows) == 4
    assert explained["СНИЛС"][2] == 3
    assert explained["Дата рождения получателя"][2] == 4


def test_a_period_and_a_region(client, world):
    client.force_login(world.federal)
    rows, _notes = download(client, {"issued_from": "2026-11-21", "issued_to": "2026-11-21"})
    assert {row["Фамилия получателя"] for row in rows} == {"Соколова"}

    rows, _notes = download(
        client, {"issued_from": "2026-11-20", "region": world.cohort_y.region.pk}
    )
    assert {row["Фамилия получателя"] for row in rows} == {"Югорская"}


def test_formula_safe(client, world):
    Certificate.objects.filter(pk=world.valid.pk).update(first_name="=1+2", patronymic="@SUM(A1)")
    client.force_login(world.official)
    response = client.get(FRDO, {"cohort": world.cohort_a.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Шаблон ДПО"]
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert "'=1+2" in values and "'@SUM(A1)" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)


def test_a_cohort_or_a_period_is_needed(client, world):
    client.force_login(world.official)
    response = client.get(FRDO, follow=True)
    assert "выберите группу или период выдачи" in response.content.decode()
    response = client.get(FRDO, {"status": "valid"})
    assert response.status_code == 302


def test_another_regions_cohort_is_a_bad_filter_and_reveals_nothing(client, world):
    client.force_login(world.official)
    response = client.get(FRDO, {"cohort": world.cohort_y.pk})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Выберите группу из списка." in page and "Югорская" not in page


def test_instructors_and_trainees_do_not_send_the_report(client, world):
    for person in (world.instructor, world.trainee):
        client.force_login(person)
        assert client.get(FRDO, {"cohort": world.cohort_a.pk}).status_code == 403


def test_the_profile_fields_are_not_on_the_register_page(client, world):
    trainee = world.valid.trainee
    trainee.snils, trainee.birth_date = "11223344595", dt.date(1985, 3, 7)
    trainee.save()
    client.force_login(world.official)
    page = client.get(reverse("certificates:register")).content.decode()
    csv_text = b"".join(client.get(reverse("certificates:register_csv")).streaming_content)
    for text in (page, csv_text.decode("utf-8-sig")):
        assert "112-233-445 95" not in text and "11223344595" not in text
        assert "07.03.1985" not in text
    verify = client.get(reverse("certificates:verify", args=(world.valid.code,)))
    assert "11223344595" not in verify.content.decode()
