"""The enrolment template files, as an official downloads them: guarded, typed, not cached."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.phones import normalise_phone
from courses.imports import read_spreadsheet

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloads_are_not_cached_and_the_example_row_is_valid(client, official, fmt):
    client.force_login(official)

    response = client.get(reverse("courses:import_template", args=(fmt,)))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="trainees-template.{fmt}"'
    [example] = read_spreadsheet(f"t.{fmt}", response.content)
    assert normalise_phone(example["phone"]) == "+79001234567"


def test_template_xlsx_cells_are_text(client, official):
    client.force_login(official)

    response = client.get(reverse("courses:import_template", args=("xlsx",)))

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type == "s" and cell.number_format == "@" for cell in cells)
