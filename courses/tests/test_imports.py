"""Bulk enrolment from spreadsheets: reading, checking, applying, and the pages around it."""

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from courses.imports import (
    MAX_FILE_BYTES,
    SpreadsheetError,
    import_apply,
    import_preview,
    read_spreadsheet,
    template_csv,
    template_xlsx,
)
from courses.models import Enrolment, EnrolmentImport
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Фамилия;Имя;Отчество;E-mail;Телефон;Организация;Должность"
GOOD = [
    "Петрова;Анна;Ивановна;petrova@example.org;+7 900 111-22-33;КЦСОН;Специалист",
    "Сидоров;Иван;;sidorov@example.org;8 (900) 222-33-44;;",
]


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines]).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def cohort():
    return factories.cohort(factories.program(), capacity=5)


@pytest.fixture
def official():
    return factories.user("Regional official")


def preview(cohort, data: bytes, user=None) -> EnrolmentImport:
    return import_preview(cohort=cohort, uploaded_by=user, file_name="list.csv", data=data)


# Reading ---------------------------------------------------------------------------------


def test_reads_semicolon_csv_with_a_bom_and_numbers_the_rows():
    rows = read_spreadsheet("x.csv", "\ufeff".encode() + csv_bytes(*GOOD))

    assert [row["row"] for row in rows] == [2, 3]
    assert rows[0]["last_name"] == "Петрова" and rows[0]["email"] == "petrova@example.org"


def test_reads_comma_csv_in_windows_1251():
    data = csv_bytes(
        "Иванов,Пётр,,ivanov@example.org,+79001234567,,",
        header=HEADER.replace(";", ","),
        encoding="cp1251",
    )

    [row] = read_spreadsheet("x.csv", data)

    assert row["first_name"] == "Пётр"


def test_reads_xlsx_whatever_the_file_is_called():
    data = xlsx_bytes([HEADER.split(";"), GOOD[0].split(";")])

    [row] = read_spreadsheet("named-like-a.csv", data)

    assert row["phone"] == "+7 900 111-22-33"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 binary", "not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a spreadsheet"),
        (b"\x00\x01\x02garbage", "not a spreadsheet"),
        (csv_bytes(*GOOD * 1600), "at most 3000"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", ".xls"),
        (b"PK\x03\x04broken zip", "cannot be read"),
        ("Имя;Почта\nАнна;a@b.ru".encode(), "no column"),
        (HEADER.encode(), "no trainees"),
        (b"x" * (MAX_FILE_BYTES + 1), "too large"),
    ],
)
def test_a_file_that_is_not_a_trainee_spreadsheet_gets_a_clear_message(data, message):
    with pytest.raises(SpreadsheetError) as error:
        read_spreadsheet("x.csv", data)

    assert message in str(error.value)


# Checking --------------------------------------------------------------------------------


def problems(enrolment_import) -> dict[int, list[str]]:
    return {row["row"]: row["errors"] for row in enrolment_import.rows if row["errors"]}


def test_every_row_problem_is_reported_with_its_row_number(cohort):
    other_program_cohort = factories.cohort(cohort.program)
    taken = factories.user("Trainee", email="taken@example.org")
    factories.enrol(taken, other_program_cohort)
    data = csv_bytes(
        GOOD[0],
        ";Анна;;anna@example.org;+79001112233;;",  # 3: no last name
        "Кузнецов2;Олег;;oleg@example.org;+79001112233;;",  # 4: malformed name
        "Смирнова;Ольга;;not-an-email;+79001112233;;",  # 5: malformed e-mail
        "Смирнова;Ольга;;olga@example.org;12345;;",  # 6: malformed phone
        "Петрова;Анна;;PETROVA@example.org;+79001112233;;",  # 7: duplicate of row 2
        "Занятый;Человек;;taken@example.org;+79001112233;;",  # 8: enrolled elsewhere
        "Без;Почты;;;+79001112233;;",  # 9: no e-mail
    )

    found = problems(preview(cohort, data))

    assert set(found) == {3, 4, 5, 6, 7, 8, 9}
    assert "Last name is missing" in found[3]
    assert any("characters" in error for error in found[4])
    assert any("not an e-mail" in error for error in found[5])
    assert any("Phone" in error for error in found[6])
    assert found[7] == ["The same e-mail as row 2"]
    assert any(other_program_cohort.name in error for error in found[8])
    assert "E-mail is missing" in found[9]


def test_unknown_cohort_and_capacity_are_problems(cohort):
    lines = [f"Человек;Номер;;p{number}@example.org;+7900000000{number};;" for number in range(6)]
    data = csv_bytes(
        *lines, "Иная;Группа;;x@example.org;+79009999999;;;Нет такой", header=HEADER + ";Группа"
    )

    found = problems(preview(cohort, data))

    assert any("full" in error for error in found[7])  # the sixth person, capacity 5
    assert any("Нет такой" in error for error in found[8])


def test_a_row_may_name_another_cohort_of_the_region_by_name(cohort):
    second = factories.cohort(factories.program(), name="Вечерняя группа")
    data = csv_bytes(GOOD[0] + ";вечерняя группа", header=HEADER + ";Группа")
    official = factories.user("Regional official")

    enrolment_import = preview(cohort, data, official)
    import_apply(enrolment_import=enrolment_import)

    assert Enrolment.objects.get(trainee__email="petrova@example.org").cohort == second


def test_someone_registered_in_another_region_is_a_problem(cohort):
    factories.user("Trainee", region_code="86", email="petrova@example.org")

    found = problems(preview(cohort, csv_bytes(GOOD[0])))

    assert any("another region" in error for error in found[2])


# Applying --------------------------------------------------------------------------------


def test_apply_creates_accounts_enrols_and_invites(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = import_apply(enrolment_import=preview(cohort, csv_bytes(*GOOD)))

    assert result.status == EnrolmentImport.Status.APPLIED
    assert result.summary == {"created": 2, "enrolled": 0, "restored": 0, "skipped": 0}
    person = get_user_model().objects.get(email="sidorov@example.org")
    assert person.phone == "+79002223344" and person.region == cohort.region
    assert not person.has_usable_password()
    assert person.enrolments.get().cohort == cohort
    assert "Trainee" in person.role_names
    assert sorted(message.to[0] for message in mail.outbox) == [
        "petrova@example.org",
        "sidorov@example.org",
    ]
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_reimporting_the_same_file_creates_no_duplicate(cohort):
    import_apply(enrolment_import=preview(cohort, csv_bytes(*GOOD)))

    again = import_apply(enrolment_import=preview(cohort, csv_bytes(*GOOD)))

    assert again.summary == {"created": 0, "enrolled": 0, "restored": 0, "skipped": 2}
    assert get_user_model().objects.filter(email__endswith="@example.org").count() == 2
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_apply_is_all_or_nothing_when_things_changed_since_the_preview(cohort):
    enrolment_import = preview(cohort, csv_bytes(*GOOD))
    cohort.capacity = 1
    cohort.save()

    result = import_apply(enrolment_import=enrolment_import)

    assert result.status == EnrolmentImport.Status.FAILED
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    assert not get_user_model().objects.filter(email="petrova@example.org").exists()


def test_an_applied_import_is_applied_once(cohort):
    enrolment_import = import_apply(enrolment_import=preview(cohort, csv_bytes(*GOOD)))

    import_apply(enrolment_import=enrolment_import)

    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_templates_are_valid_spreadsheets_with_the_expected_columns():
    csv_rows = read_spreadsheet("t.csv", template_csv())
    xlsx_rows = read_spreadsheet("t.xlsx", template_xlsx())

    assert csv_rows == xlsx_rows
    assert csv_rows[0]["last_name"] == "Иванова"
    assert load_workbook(io.BytesIO(template_xlsx())).active["A1"].value == "Фамилия"


# Pages -----------------------------------------------------------------------------------


def upload(client, cohort, data: bytes, name: str = "list.csv"):
    return client.post(
        reverse("courses:import_upload", args=(cohort.pk,)),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_official_uploads_previews_and_confirms(
    client, official, cohort, django_capture_on_commit_callbacks
):
    client.force_login(official)

    response = upload(client, cohort, csv_bytes(*GOOD))
    enrolment_import = EnrolmentImport.objects.get()
    confirm = reverse("courses:import_confirm", args=(enrolment_import.pk,))
    assert response.url == reverse("courses:import_detail", args=(enrolment_import.pk,))
    page = client.get(response.url).content.decode()
    assert "petrova@example.org" in page and f'action="{confirm}"' in page
    assert not Enrolment.objects.exists()  # nothing happens before confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
        client.post(confirm)  # a double click

    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    result = client.get(response.url).content.decode()
    assert "alert-success" in result


def test_a_bad_row_blocks_confirmation_and_is_shown(client, official, cohort):
    client.force_login(official)

    response = upload(client, cohort, csv_bytes(GOOD[0], "Петров;Пётр;;bad-email;+79001112233;;"))
    page = client.get(response.url).content.decode()
    enrolment_import = EnrolmentImport.objects.get()
    client.post(reverse("courses:import_confirm", args=(enrolment_import.pk,)))

    assert "bad-email" in page and "row-errors" in page
    assert 'action="/cohorts/imports/' not in page  # no confirm button
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv"), (b"x" * (MAX_FILE_BYTES + 1), "big.csv")],
)
def test_a_wrong_or_large_file_gets_a_message_not_an_error(client, official, cohort, data, name):
    client.force_login(official)

    response = upload(client, cohort, data, name)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not EnrolmentImport.objects.exists()


def test_official_of_another_region_cannot_import_into_the_cohort(client, cohort):
    client.force_login(factories.user("Regional official", region_code="86"))

    assert upload(client, cohort, csv_bytes(*GOOD)).status_code == 404


def test_template_files_download(client, official):
    client.force_login(official)

    xlsx = client.get(reverse("courses:import_template", args=("xlsx",)))
    csv = client.get(reverse("courses:import_template", args=("csv",)))

    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert csv.content.decode("utf-8-sig").startswith("Фамилия;Имя")
    assert client.get(reverse("courses:import_template", args=("exe",))).status_code == 404


# Command ---------------------------------------------------------------------------------


def test_command_imports_a_file_with_a_progress_bar(tmp_path, cohort):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(*GOOD))
    out, err = StringIO(), StringIO()

    call_command("import_trainees", str(path), "--cohort", str(cohort.pk), stdout=out, stderr=err)

    assert "2 new accounts" in out.getvalue()
    assert "2/2" in err.getvalue()
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_command_reports_bad_rows_by_number_and_exits_non_zero(tmp_path, cohort):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(GOOD[0], "Петров;Пётр;;bad-email;+79001112233;;"))
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_trainees", str(path), "--cohort", str(cohort.pk), stderr=err)

    assert error.value.returncode == 1
    assert "Row 3:" in err.getvalue()
    assert not Enrolment.objects.exists()


def test_command_refuses_a_file_that_is_not_a_spreadsheet(tmp_path, cohort):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4")

    with pytest.raises(CommandError, match="not a spreadsheet"):
        call_command("import_trainees", str(path), "--cohort", str(cohort.pk))
