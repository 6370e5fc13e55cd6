"""The dashboards' tables as XLSX and CSV: the page's rows for the same filters (and sort),
formula-safe cells, the pages' access rules, bad filters, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal, InvalidOperation

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import User
from dashboards.exports import at_risk_table, cohort_trainees_table, cohorts_table, regions_table
from dashboards.models import Standing, TraineeFigures
from dashboards.selectors import (
    AtRisk,
    CohortRow,
    CohortTrainee,
    Reason,
    RegionFigures,
    total_figures,
)
from dashboards.services import rebuild_figures
from dashboards.tests.test_pages import _grow
from tests import factories

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
TODAY = None  # filled per test: the date in the file names


def federal_user():
    return factories.user("Federal official", region_code="77")


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    text = body_of(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(body_of(response))).active


def xlsx_rows(response) -> list[list]:
    return [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def norm(value) -> str:
    """A cell as a comparable string: «—», «» and None alike; «66,7 %», «66.7» and 66.7 alike."""
    if value is None:
        return ""
    text = " ".join(html.unescape(str(value)).split())
    if text == "—":
        return ""
    number = text.removesuffix(" %").replace(",", ".")
    try:
        return format(Decimal(number).normalize(), "f")
    except InvalidOperation:
        return text


def page_rows(response, testid: str) -> list[list[str]]:
    """The rows of the page's table `testid` (its body rows and its total), cells as text."""
    body = response.content.decode()
    table = body.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    table = re.sub(r'\s*<span class="badge[^"]*">[^<]*</span>', "", table)  # «updating»
    rows = []
    for row in re.findall(r"<tr[^>]*-row\">(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([norm(re.sub(r"<[^>]+>", "", cell)) for cell in cells])
    return rows


def file_rows(rows: list[list]) -> list[list[str]]:
    return [[norm(cell) for cell in row] for row in rows[1:]]


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"dashboards:{name}", args=args) + (f"?{query}" if query else "")


def get(client, user, address):
    client.force_login(user)
    return client.get(address, **RU)


# The page's rows --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "query", ["", "sort=-enrolled", "sort=enrolled", "sort=-name", "sort=name&status=running"]
)
def test_regions_file_has_the_pages_rows_in_its_order_and_the_country_line(
    client, world, fmt, query
):
    _grow(world, cohorts=4, codes=["29", "50"])
    user = federal_user()
    page = get(client, user, url("federal", query=query))
    expected = page_rows(page, "regions")
    response = get(client, user, url(f"regions_{fmt}", query=query))
    assert response.status_code == 200
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0][:2] == ["Регион", "Код региона"]
    got = file_rows(rows)
    # The file adds the region's code as its second column; the page links it instead.
    assert [[row[0], *row[2:]] for row in got[:-1]] == expected[:-1]
    assert got[-1][0] == "Вся страна" and [got[-1][0], *got[-1][2:]] == expected[-1]
    assert [row[1] for row in got[:-1]] == [
        re.search(r"regions/(\w+)/", link).group(1)
        for link in re.findall(
            r'data-testid="region-row">\s*<th scope="row"><a href="([^"]*)"',
            page.content.decode(),
        )
    ]
    if "enrolled" in query:
        enrolled = [int(Decimal(row[3])) for row in got[:-1]]
        assert enrolled == sorted(enrolled, reverse="-enrolled" in query)
        # Yugra's one trainee against the others' four: the order is not the names' order.
        assert (got[0][1] == "86") is ("-" not in query)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=running",
        "status=finished",
        "program={second}&period_to=2001-01-01",
        "program={second}",
    ],
)
def test_cohorts_file_has_the_pages_rows(client, world, fmt, query):
    _grow(world, cohorts=3, codes=["68"])
    second = factories.cohort(factories.program(title="Вторая программа"), name="Группа В")
    rebuild_figures()
    query = query.format(second=second.program_id)
    page = get(client, world.official, url("region", "68", query=query))
    expected = page_rows(page, "cohorts")
    response = get(client, world.official, url(f"cohorts_{fmt}", "68", query=query))
    assert response.status_code == 200
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0][:4] == ["Группа", "Программа", "Начало", "Окончание"]
    got = [[row[0], row[1], f"{row[2]} – {row[3]}", *row[4:]] for row in file_rows(rows)]
    # The file names every cohort's programme; the page too when they differ, and once above
    # the table when one programme is all there is.
    if page.context["programme_column"]:
        assert got == expected
    else:
        assert [[row[0], *row[2:]] for row in got] == expected
        named = page.context["only_programme"]
        assert {row[1] for row in got} == ({norm(named.title)} if named else set())
    if query == "":
        assert len(got) == 6  # Группа A, Б, В and the three grown; never Группа Ю
        assert page.context["programme_column"]
    if query.startswith("program=") and got:
        assert not page.context["programme_column"]
    assert all("Группа Ю" not in row for row in got)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_at_risk_file_has_the_pages_rows_with_their_reasons(client, world, fmt):
    page = get(client, world.official, url("region", "68"))
    expected = page_rows(page, "at-risk")
    assert len(expected) == 4  # nobody has done anything for a month
    response = get(client, world.official, url(f"at_risk_{fmt}", "68"))
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0] == ["Слушатель", "Группа", "Прогресс, %", "Причины"]
    got = [[*row[:3], row[3].replace("\n", "")] for row in file_rows(rows)]
    assert got == expected
    # The page's words: the reason's short name, then its facts («N дней, …»), said once.
    assert re.fullmatch(r"Нет активности: \d+ (день|дня|дней), ещё ничего не сделано", rows[1][3])


def test_at_risk_file_of_a_filter_matching_nothing_has_only_its_header(client, world):
    response = get(client, world.official, url("at_risk_csv", "68", query="status=finished"))
    assert csv_rows(response) == [["Слушатель", "Группа", "Прогресс, %", "Причины"]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_regions_file_of_a_filter_matching_nothing_has_only_its_header(client, world, fmt):
    # As the page: no region, so no country line either.
    query = "period_from=2001-01-01&period_to=2001-12-31"
    page = get(client, federal_user(), url("federal", query=query))
    assert page_rows(page, "regions") == [] and 'data-testid="total-row"' not in (
        page.content.decode()
    )
    response = get(client, federal_user(), url(f"regions_{fmt}", query=query))
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert len(rows) == 1 and rows[0][:2] == ["Регион", "Код региона"]


# Formula safety, types, names ---------------------------------------------------------------


def test_a_cohort_named_like_a_formula_stays_text(client, world, commit):
    world.cohort.name = '=HYPERLINK("http://evil.example","x")'
    commit(world.cohort.save)
    client.force_login(world.official)
    csv_cells = [row[0] for row in csv_rows(client.get(url("cohorts_csv", "68")))]
    assert "'" + world.cohort.name in csv_cells
    assert world.cohort.name not in csv_cells
    sheet = xlsx_sheet(client.get(url("cohorts_xlsx", "68")))
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    cell = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert cell.value == "'" + world.cohort.name and cell.data_type == "s"
    at_risk = csv_rows(client.get(url("at_risk_csv", "68")))
    assert "'" + world.cohort.name in [row[1] for row in at_risk]


def test_numbers_are_numbers(client, world):
    client.force_login(federal_user())
    rows = xlsx_rows(client.get(url("regions_xlsx")))
    tambov = next(row for row in rows if row[1] == "68")
    assert tambov[3] == 4 and isinstance(tambov[3], int)  # enrolled in Группа A and B
    assert tambov[6] == 0  # completion rate 0.0 %: nobody completed yet
    assert tambov[0] == "Тамбовская область" or isinstance(tambov[0], str)


def test_file_names_carry_the_region_and_the_date_and_nothing_is_cached(client, world):
    day = f"{timezone.localdate():%Y-%m-%d}"
    client.force_login(world.official)
    for name, file in (
        ("cohorts_xlsx", f"region-68-cohorts-{day}.xlsx"),
        ("cohorts_csv", f"region-68-cohorts-{day}.csv"),
        ("at_risk_xlsx", f"region-68-at-risk-{day}.xlsx"),
        ("at_risk_csv", f"region-68-at-risk-{day}.csv"),
    ):
        response = client.get(url(name, "68"))
        assert response["Content-Disposition"] == f'attachment; filename="{file}"'
        assert response["Cache-Control"] == "no-store"
        assert response.streaming  # CSV streamed, XLSX sent from its temporary file
    client.force_login(federal_user())
    response = client.get(url("regions_csv"))
    assert response["Content-Disposition"] == f'attachment; filename="regions-{day}.csv"'
    assert response["Content-Type"].startswith("text/csv")


# Links on the pages ---------------------------------------------------------------------------


def test_pages_link_to_their_files_with_their_filters(client, world):
    query = "status=running&period_from=2020-01-01"
    body = get(client, world.official, url("region", "68", query=query)).content.decode()
    for name in ("cohorts_xlsx", "cohorts_csv", "at_risk_xlsx", "at_risk_csv"):
        assert f'href="{url(name, "68", query=query.replace("&", "&amp;"))}"' in body
    assert "Скачать XLSX" in body and "Скачать CSV" in body
    body = get(client, federal_user(), url("federal", query="sort=-enrolled")).content.decode()
    for name in ("regions_xlsx", "regions_csv"):
        assert f'href="{url(name, query="sort=-enrolled")}"' in body


# Access and bad input ---------------------------------------------------------------------------

REGION_FILES = ["cohorts_xlsx", "cohorts_csv", "at_risk_xlsx", "at_risk_csv"]


@pytest.mark.parametrize("name", REGION_FILES)
def test_region_files_follow_the_pages_access_rules(client, world, name):
    assert get(client, world.official, url(name, "68")).status_code == 200
    assert get(client, federal_user(), url(name, "86")).status_code == 200
    # Another region's official: 404, never its data; an unknown region: 404.
    assert get(client, world.official, url(name, "86")).status_code == 404
    assert get(client, world.official, url(name, "00")).status_code == 404
    for role in ("Trainee", "Instructor"):
        assert get(client, factories.user(role), url(name, "68")).status_code == 403
    client.logout()
    assert client.get(url(name, "68")).status_code == 302


@pytest.mark.parametrize("name", ["regions_xlsx", "regions_csv"])
def test_regions_files_follow_the_pages_access_rules(client, world, name):
    assert get(client, federal_user(), url(name)).status_code == 200
    admin = factories.user("Administrator", region_code="77", is_superuser=True)
    assert get(client, admin, url(name)).status_code == 200
    response = get(client, world.official, url(name))
    assert response.status_code == 302 and response["Location"] == url("region", "68")
    for role in ("Trainee", "Instructor"):
        assert get(client, factories.user(role), url(name)).status_code == 403


@pytest.mark.parametrize(
    "query",
    ["period_from=31.02.2026", "period_from=2026-05-02&period_to=2026-05-01", "program=999999"],
)
@pytest.mark.parametrize("name", ["regions_csv", "cohorts_xlsx", "at_risk_csv"])
def test_bad_filters_go_back_to_the_page_which_says_what_is_wrong(client, world, name, query):
    user = federal_user()
    address = url(name, "68", query=query) if name != "regions_csv" else url(name, query=query)
    response = get(client, user, address)
    assert response.status_code == 302
    page = "federal" if name == "regions_csv" else "region"
    page_url = url(page, *(() if page == "federal" else ("68",)))
    assert response["Location"].startswith(page_url + "?")
    followed = client.get(response["Location"], **RU).content.decode()
    assert 'data-testid="invalid-filters"' in followed


def test_the_same_day_period_is_a_file_not_a_redirect(client, world):
    query = "period_from=2026-05-01&period_to=2026-05-01"
    response = get(client, world.official, url("cohorts_csv", "68", query=query))
    assert response.status_code == 200


# Fixed number of queries ----------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        body_of(response)  # a streamed file reads nothing more while it is sent
    return len(queries.captured_queries)


def test_files_run_a_fixed_number_of_queries(client, world, drawn_afresh):
    federal = federal_user()
    addresses = [(world.official, url(name, "68")) for name in REGION_FILES]
    addresses += [
        (federal, url(name, query="sort=-completed")) for name in ("regions_xlsx", "regions_csv")
    ]
    small = []
    for user, address in addresses:
        client.force_login(user)
        client.get(address)  # warm up caches
        small.append(_queries(client, address))
    _grow(world, cohorts=8, codes=["68", "77", "29"])
    large = []
    for user, address in addresses:
        client.force_login(user)
        large.append(_queries(client, address))
    assert large == small
    assert max(small) <= 10


# Every figure under its own heading -------------------------------------------------------------

# A row whose every figure differs from every other, rates and means included, so that two
# headings (or two cells) trading places cannot go unseen.
SUMS = {
    "enrolled": 100,
    "active": 41,
    "completed": 37,
    "withdrawn": 5,
    "graded": 4,
    "grade_sum": Decimal("306.0"),
    "attended": 53,
    "counted": 80,
    "certificates": 29,
    "practice_hours_done": Decimal("812.5"),
}
FIGURES_IN_RUSSIAN = {
    "Зачислено": 100,
    "Обучаются": 41,
    "Завершили": 37,
    "Отчислены": 5,
    "Доля завершивших, %": Decimal("38.9"),  # 37 of the 95 still in
    "Средняя итоговая оценка, %": Decimal("76.5"),  # 306 over 4 graded
    "Посещаемость, %": Decimal("66.3"),  # 53 of 80
    "Выдано удостоверений": 29,
    "Пройдено практических часов": Decimal("812.5"),
}


def by_heading(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_each_figure_is_under_its_heading():
    region = RegionFigures(region_id=1, name="Тамбовская область", code="68", cohorts=7, **SUMS)
    cohort = CohortRow(
        cohort_id=1,
        cohort_name="Группа 1",
        program_id=2,
        program_title="Школа координаторов",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 20),
        stale=False,
        **SUMS,
    )
    trainee = TraineeFigures(
        trainee=User(last_name="Иванова", first_name="Мария", patronymic="Петровна"),
        cohort_name="Группа 1",
        progress_percent=42,
        final_grade=Decimal("71.5"),
        attendance_rate=Decimal("88.9"),
        practice_hours_done=Decimal("12.5"),
        last_activity_at=timezone.make_aware(dt.datetime(2026, 11, 20, 12)),
        certificate_issued=True,
    )
    reasons = [Reason("inactive", "15 дней"), Reason("attendance", "посетила 8 из 9 занятий")]
    with translation.override("ru"):
        regions = by_heading(regions_table([region], total_figures([region], name="Вся страна")))
        cohorts = by_heading(cohorts_table([cohort]))
        at_risk = by_heading(at_risk_table([AtRisk(figures=trainee, reasons=reasons)]))
        trainees = by_heading(
            cohort_trainees_table(
                [CohortTrainee(figures=trainee, reasons=reasons, standing=Standing.ACTIVE)]
            )
        )

    assert regions[0] == {
        "Регион": "Тамбовская область",
        "Код региона": "68",
        "Группы": 7,
        **FIGURES_IN_RUSSIAN,
    }
    assert regions[1] == {
        "Регион": "Вся страна",
        "Код региона": "",
        "Группы": 7,
        **FIGURES_IN_RUSSIAN,
    }
    assert cohorts == [
        {
            "Группа": "Группа 1",
            "Программа": "Школа координаторов",
            "Начало": "01.09.2026",
            "Окончание": "20.12.2026",
            **FIGURES_IN_RUSSIAN,
        }
    ]
    reasons_cell = "Нет активности: 15 дней\nПосещаемость ниже порога: посетила 8 из 9 занятий"
    assert at_risk == [
        {
            "Слушатель": "Иванова Мария Петровна",
            "Группа": "Группа 1",
            "Прогресс, %": 42,
            "Причины": reasons_cell,
        }
    ]
    assert trainees == [
        {
            "Слушатель": "Иванова Мария Петровна",
            "Статус": "Обучается",
            "Прогресс, %": 42,
            "Итоговая оценка, %": Decimal("71.5"),
            "Посещаемость, %": Decimal("88.9"),
            "Пройдено практических часов": Decimal("12.5"),
            "Последняя активность": "20.11.2026",
            "Удостоверение": "Выдано",
            "Причины": reasons_cell,
        }
    ]
