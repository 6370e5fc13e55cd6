"""The one guard every CSV and XLSX we produce passes through, and the file headers."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.http import content_disposition, file_response
from core.spreadsheets import csv_bytes, spreadsheet_value, xlsx_bytes


@pytest.mark.parametrize(
    "text", ["=1+1", "+7 900 123-45-67", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1"]
)
def test_text_a_spreadsheet_would_run_is_quoted(text):
    assert spreadsheet_value(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Иванова", "ivanova@example.org", "a=b", "1+1", " =1+1", "'=quoted", "8 900 1"]
)
def test_other_text_is_left_as_it_is(text):
    assert spreadsheet_value(text) == text


def test_numbers_stay_numbers_and_booleans_and_none_become_text():
    assert spreadsheet_value(Decimal("-5.5")) == Decimal("-5.5")
    assert spreadsheet_value(-3) == -3
    assert spreadsheet_value(-0.5) == -0.5
    assert spreadsheet_value(True) == "True"
    assert spreadsheet_value(None) == ""


def test_control_characters_go_before_the_check_so_they_cannot_hide_a_formula():
    assert spreadsheet_value("\x01=cmd") == "'=cmd"
    assert spreadsheet_value("Ива\x00нова") == "Иванова"


def test_csv_and_xlsx_write_the_same_guarded_cells():
    rows = [["Имя", "Балл"], ["=cmd|'/c calc'!a0", Decimal("-1.5")]]

    csv_rows = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows, sheet_title="Лист"))).active

    assert csv_rows == [["Имя", "Балл"], ["'=cmd|'/c calc'!a0", "-1,5"]]
    assert sheet["A2"].value == "'=cmd|'/c calc'!a0" and sheet["A2"].data_type == "s"
    assert sheet["A2"].number_format == "@" and sheet["A1"].font.bold
    assert sheet["B2"].value == -1.5 and sheet["B2"].data_type == "n"


def test_a_cyrillic_name_gets_an_ascii_filename_and_the_exact_one_encoded():
    assert content_disposition("журнал.csv") == (
        'attachment; filename="zhurnal.csv"; '
        "filename*=UTF-8''%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB.csv"
    )


def test_nothing_in_a_name_can_break_out_of_the_header():
    header = content_disposition('a"; filename=evil.html\r\nSet-Cookie: x=1.csv', inline=True)

    fallback = header.split('filename="')[1].split('"')[0]
    assert header.startswith("inline; ")
    assert "\r" not in header and "\n" not in header
    assert fallback == "a-filename-evil.html-Set-Cookie-x-1.csv"


def test_a_generated_file_is_never_cached_nor_sniffed():
    response = file_response("x.csv", "text/csv", b"a;b")

    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
