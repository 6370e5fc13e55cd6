"""One cohort's dashboard (/dashboards/cohorts/<pk>/) and its trainees' file: who sees it, the
cohort's line, the trainees' rows with the at-risk list's reasons, sorting, the drill-down's
links, bad input, and a fixed number of queries whatever the cohort's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dashboards.selectors import trainees_at_risk, weekly_completions
from dashboards.services import rebuild_figures
from tests import factories

from .actions import complete, study_lesson
from .conftest import trainee_figures
from .test_exports import body_of, csv_rows, file_rows, page_rows, xlsx_rows, xlsx_sheet

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
HEADER = [
    "Слушатель",
    "Статус",
    "Прогресс, %",
    "Итоговая оценка, %",
    "Посещаемость, %",
    "Пройдено практических часов",
    "Последняя активность",
    "Удостоверение",
    "Причины",
]


def cohort_url(cohort, query: str = "", name: str = "cohort") -> str:
    return reverse(f"dashboards:{name}", args=(cohort.pk,)) + (f"?{query}" if query else "")


def get(client, user, address):
    client.force_login(user)
    return client.get(address, **RU)


def federal_user():
    return factories.user("Federal official", region_code="77")


def rows_by_name(response) -> dict[str, list[str]]:
    """The trainees' table as {name: the other cells}, cells as plain text."""
    return {row[0]: row[1:] for row in page_rows(response, "trainees")}


def squeeze(reasons: str) -> str:
    # The page lists the reasons as items, the file a line each: compared without the spacing.
    return "".join(reasons.split())


def names(response) -> list[str]:
    return [row[0] for row in page_rows(response, "trainees")]


@pytest.fixture
def school(world, commit):
    """Группа A's three trainees in three states: the first completed (with a certificate),
    the second withdrawn, the third idle for a month (so at risk)."""
    commit(complete, world, world.enrolments[0])
    commit(factories.certificate, world.enrolments[0])
    commit(factories.withdraw, world.enrolments[1])
    return world


# Who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cohort", "cohort_trainees_xlsx", "cohort_trainees_csv"])
def test_officials_see_their_regions_cohorts_and_only_theirs(client, world, name):
    own, elsewhere = cohort_url(world.cohort, name=name), cohort_url(world.elsewhere, name=name)
    assert get(client, world.official, own).status_code == 200
    # Another region's cohort: 404, never its data; an unknown id: 404.
    response = get(client, world.official, elsewhere)
    assert response.status_code == 404
    assert "Группа Ю" not in body_of(response).decode()
    unknown = reverse(f"dashboards:{name}", args=(world.elsewhere.pk + 1000,))
    assert get(client, world.official, unknown).status_code == 404
    yugra = factories.user("Regional official", region_code="86")
    assert get(client, yugra, elsewhere).status_code == 200
    assert get(client, yugra, own).status_code == 404
    # Federal officials and administrators: any cohort.
    admin = factories.user("Administrator", region_code="77", is_superuser=True)
    for user in (federal_user(), admin):
        assert get(client, user, own).status_code == 200
        assert get(client, user, elsewhere).status_code == 200


@pytest.mark.parametrize("name", ["cohort", "cohort_trainees_csv"])
def test_trainees_and_instructors_are_refused_even_their_own_cohort(client, world, name):
    address = cohort_url(world.cohort, name=name)
    # The cohort's own instructor and trainee: they have the cohort page and their record.
    assert get(client, world.instructor, address).status_code == 403
    assert get(client, world.trainee, address).status_code == 403
    assert get(client, factories.user("Senior instructor"), address).status_code == 403
    client.logout()
    response = client.get(address)
    assert response.status_code == 302 and "login" in response["Location"]


# The drill-down's links -----------------------------------------------------------------------


def test_region_page_links_each_cohort_to_its_dashboard_with_the_filters(client, world):
    query = "status=running&period_from=2020-01-01"
    body = get(
        client, world.official, reverse("dashboards:region", args=("68",)) + f"?{query}"
    ).content.decode()
    cohorts = body.split('data-testid="cohorts"', 1)[1].split("</table>", 1)[0]
    link = cohort_url(world.cohort, query.replace("&", "&amp;"))
    assert f'<th scope="row"><a href="{link}">Группа A</a>' in cohorts
    # The trainees at risk link their cohort's dashboard too.
    at_risk = body.split('data-testid="at-risk"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="dashboard-name"><a href="{link}">Группа A</a></td>' in at_risk


def test_breadcrumb_keeps_the_filters_and_shows_the_regions_only_to_those_who_see_them(
    client, world
):
    query = "status=running&period_from=2020-01-01&sort=-progress"
    kept = "status=running&amp;period_from=2020-01-01"
    region = reverse("dashboards:region", args=("68",))
    federal = reverse("dashboards:federal")
    for user, regions_link in ((world.official, False), (federal_user(), True)):
        body = get(client, user, cohort_url(world.cohort, query)).content.decode()
        crumbs = body.split('data-testid="breadcrumb"', 1)[1].split("</ol>", 1)[0]
        # The sort is this page's: the region's page has none.
        assert f'href="{region}?{kept}">Тамбовская область</a>' in crumbs
        assert (f'href="{federal}?{kept}">Сравнение регионов</a>' in crumbs) is regions_link
        assert 'aria-current="page">Группа A</li>' in crumbs


def test_it_links_to_the_course_cohort_page(client, world):
    body = get(client, world.official, cohort_url(world.cohort)).content.decode()
    page = reverse("courses:cohort_detail", args=(world.cohort.pk,))
    assert f'href="{page}" data-testid="cohort-page">Открыть страницу группы</a>' in body


# What it shows ------------------------------------------------------------------------------


def test_the_cohorts_line_is_the_one_of_the_region_table(client, school):
    region = get(client, school.official, reverse("dashboards:region", args=("68",)))
    [line] = [row for row in page_rows(region, "cohorts") if row[0] == "Группа A"]
    response = get(client, school.official, cohort_url(school.cohort))
    [figures] = page_rows(response, "cohort-figures")
    # After the name, the programme (a column only when the region's cohorts have several) and
    # the dates.
    assert figures == line[3 if region.context["programme_column"] else 2 :]
    # enrolled, active, completed, withdrawn, completion rate (1 of the 2 still in it)
    assert figures[:5] == ["3", "1", "1", "1", "50"]


def test_each_trainee_with_their_standing_figures_certificate_and_reasons(client, school):
    done, gone, idle = school.enrolments
    response = get(client, school.official, cohort_url(school.cohort))
    rows = rows_by_name(response)
    assert set(rows) == {e.trainee.full_name for e in school.enrolments}
    assert "Группа B" not in response.content.decode().split('data-testid="trainees"', 1)[1]
    # status, progress, grade, attendance, practice hours, last activity, certificate, reasons
    finished = trainee_figures(done)
    assert rows[done.trainee.full_name][0] == "Завершил обучение"
    assert rows[done.trainee.full_name][1] == "100"
    assert rows[done.trainee.full_name][2] == f"{finished.final_grade.normalize():f}"
    assert rows[done.trainee.full_name][4] == f"{finished.practice_hours_done.normalize():f}"
    assert rows[done.trainee.full_name][5] == f"{timezone.localdate():%d.%m.%Y}"
    assert rows[done.trainee.full_name][6:] == ["Выдано", ""]
    assert rows[gone.trainee.full_name][0] == "Отчислен"
    assert rows[idle.trainee.full_name][:3] == ["Обучается", "0", "0"]
    assert rows[idle.trainee.full_name][5:7] == ["", "Не выдано"]
    # A month without activity: at risk. The withdrawn trainee did as little, but the at-risk
    # rules no longer look at them; nor at the one who completed.
    assert rows[idle.trainee.full_name][7].startswith("Нет активности: ")
    assert rows[gone.trainee.full_name][7] == ""
    body = response.content.decode()
    for enrolment in school.enrolments:
        assert reverse("records:record", args=(enrolment.pk,)) in body


def test_the_reasons_are_the_at_risk_lists(client, world, commit):
    # One trainee studies today; the other two have been idle since the cohort began.
    commit(study_lesson, world, world.enrolments[0])
    response = get(client, world.official, cohort_url(world.cohort))
    rows = rows_by_name(response)
    with_reasons = {name for name, cells in rows.items() if cells[-1]}
    with translation.override("ru"):
        listed = trainees_at_risk(cohort_ids=[world.cohort.pk])
    assert with_reasons == {item.trainee.full_name for item in listed}
    assert len(with_reasons) == 2  # the two idle ones; the one who studied today is not
    for item in listed:
        with translation.override("ru"):
            expected = "".join(f"{reason.label}: {reason.detail}" for reason in item.reasons)
        assert squeeze(rows[item.trainee.full_name][-1]) == squeeze(expected)
    assert 'class="table-warning" data-testid="trainee-row"' in response.content.decode()


def test_no_reasons_once_the_cohort_is_not_running(client, world):
    today = timezone.localdate()
    world.cohort.starts_on = today - dt.timedelta(days=60)
    world.cohort.ends_on = today - dt.timedelta(days=1)
    world.cohort.save()
    rebuild_figures()
    response = get(client, world.official, cohort_url(world.cohort))
    rows = rows_by_name(response)
    assert len(rows) == 3 and all(cells[-1] == "" for cells in rows.values())
    # The day it ends it still runs, and the idle trainees are at risk.
    world.cohort.ends_on = today
    world.cohort.save()
    rebuild_figures()
    rows = rows_by_name(get(client, world.official, cohort_url(world.cohort)))
    assert all(cells[-1] for cells in rows.values())


def test_an_empty_cohort_says_so(client, world):
    empty = factories.cohort(world.program, name="Группа Пустая")
    rebuild_figures()
    body = get(client, world.official, cohort_url(empty)).content.decode()
    assert "Никто не зачислен в эту группу." in body


def test_a_cohort_without_figures_yet_says_they_are_coming(client, world):
    # Created outside a committed transaction: its first refresh has not run.
    fresh = factories.cohort(world.program, name="Группа Новая")
    response = get(client, world.official, cohort_url(fresh))
    assert response.status_code == 200
    assert 'data-testid="no-figures"' in response.content.decode()


def test_the_chart_counts_the_cohorts_completions_in_the_period(client, school, commit):
    today = timezone.localdate()
    response = get(client, school.official, cohort_url(school.cohort))
    chart = response.context["chart"]
    # Today's completion, in its week; the other cohort's none.
    assert [value for _label, value in chart.rows] == ["1"]
    assert chart.svg and "<svg" in response.content.decode()
    # A period that ends before it: its weeks are there, none with a completion.
    before = f"period_from={today - dt.timedelta(days=28)}&period_to={today - dt.timedelta(days=8)}"
    chart = get(client, school.official, cohort_url(school.cohort, before)).context["chart"]
    assert len(chart.rows) >= 3 and {value for _label, value in chart.rows} == {"0"}
    assert chart.svg is None
    # One that reaches today counts it.
    reaching = f"period_from={today - dt.timedelta(days=28)}&period_to={today}"
    chart = get(client, school.official, cohort_url(school.cohort, reaching)).context["chart"]
    assert [value for _label, value in chart.rows][-1] == "1"
    # Another cohort's completions are never counted here.
    commit(complete, school, school.other_enrolment)
    chart = get(client, school.official, cohort_url(school.cohort)).context["chart"]
    assert [value for _label, value in chart.rows] == ["1"]
    assert len(weekly_completions(cohort_ids=[school.other.pk])) == 1


def test_programme_and_status_filters_do_not_hide_the_chosen_cohort(client, school):
    # Another programme the official may choose: one with a cohort in their region.
    other = factories.cohort(factories.program(title="Другая программа"), name="Группа Д")
    query = f"status=finished&program={other.program_id}"
    response = get(client, school.official, cohort_url(school.cohort, query))
    assert len(page_rows(response, "trainees")) == 3
    # Nor its completions on the chart: only the period narrows it.
    assert [value for _label, value in response.context["chart"].rows] == ["1"]


# Sorting ---------------------------------------------------------------------------------------


def test_trainees_sort_by_name_progress_and_grade(client, school, commit):
    commit(study_lesson, school, school.enrolments[2])
    done, gone, idle = (e.trainee.full_name for e in school.enrolments)

    def login_get(query):
        return get(client, school.official, cohort_url(school.cohort, query))

    assert names(login_get("")) == sorted([done, gone, idle], key=str.casefold)
    assert names(login_get("sort=-name")) == sorted([done, gone, idle], key=str.casefold)[::-1]
    # Progress: 100, then the one who studied a lesson, then 0.
    response = login_get("sort=-progress")
    assert names(response) == [done, idle, gone]
    body = response.content.decode()
    assert 'aria-sort="descending"><a href="?sort=progress">' in body
    assert body.count("aria-sort=") == 1
    assert names(login_get("sort=progress")) == [gone, idle, done]
    # Grades: 100 for the one who completed, 0 for the others (by name among themselves).
    assert names(login_get("sort=-grade")) == [done, *sorted([gone, idle], key=str.casefold)]
    assert names(login_get("sort=grade")) == [*sorted([gone, idle], key=str.casefold), done]


@pytest.mark.parametrize("sort", ["bogus", "--progress", "--name", "enrolled", "name;drop"])
def test_unknown_sort_falls_back_to_name(client, world, sort):
    response = get(client, world.official, cohort_url(world.cohort, f"sort={sort}"))
    assert response.status_code == 200
    assert names(response) == sorted(names(response), key=str.casefold)


def test_sort_links_keep_the_filters(client, world):
    body = get(
        client, world.official, cohort_url(world.cohort, "status=running&sort=-progress")
    ).content.decode()
    assert 'href="?status=running&amp;sort=progress"' in body
    assert 'href="?status=running&amp;sort=name"' in body
    assert '<input type="hidden" name="sort" value="-progress">' in body


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "period_from=31.02.2026",
        "period_to=yesterday",
        "period_from=2026-05-02&period_to=2026-05-01",
        "program=999999",
        "status=paused",
    ],
)
def test_bad_filters_get_a_message_and_the_file_goes_back_to_the_page(client, world, query):
    response = get(client, world.official, cohort_url(world.cohort, query))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="invalid-filters"' in body
    assert 'data-testid="trainees"' not in body
    response = get(client, world.official, cohort_url(world.cohort, query, "cohort_trainees_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(cohort_url(world.cohort) + "?")
    followed = client.get(response["Location"], **RU).content.decode()
    assert 'data-testid="invalid-filters"' in followed


def test_a_cohort_id_that_is_not_a_number_is_not_found(client, world):
    client.force_login(world.official)
    assert client.get("/dashboards/cohorts/abc/").status_code == 404
    assert client.get("/dashboards/cohorts/-1/").status_code == 404


# The file -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "query",
    ["", "sort=-progress", "sort=progress", "sort=-name", "sort=-grade&status=running"],
)
def test_the_file_has_the_pages_rows_in_its_order(client, school, fmt, query):
    page = get(client, school.official, cohort_url(school.cohort, query))
    expected = page_rows(page, "trainees")
    response = get(
        client, school.official, cohort_url(school.cohort, query, f"cohort_trainees_{fmt}")
    )
    assert response.status_code == 200
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0] == HEADER
    got = [[*row[:-1], squeeze(row[-1])] for row in file_rows(rows)]
    assert got == [[*row[:-1], squeeze(row[-1])] for row in expected]
    assert len(got) == 3
    if query in ("sort=progress", "sort=-name"):
        # The one who completed comes first by name: here they do not.
        assert got[0][0] != school.enrolments[0].trainee.full_name


def test_the_files_links_carry_the_filters_and_sort(client, world):
    query = "status=running&sort=-grade"
    body = get(client, world.official, cohort_url(world.cohort, query)).content.decode()
    for name in ("cohort_trainees_xlsx", "cohort_trainees_csv"):
        assert f'href="{cohort_url(world.cohort, query.replace("&", "&amp;"), name)}"' in body


def test_the_file_is_formula_safe_typed_and_named(client, world):
    trainee = world.enrolments[0].trainee
    trainee.last_name = '=HYPERLINK("http://evil.example","x")'
    trainee.save()
    client.force_login(world.official)
    csv_names = [
        row[0] for row in csv_rows(client.get(cohort_url(world.cohort, "", "cohort_trainees_csv")))
    ]
    assert "'" + trainee.full_name in csv_names and trainee.full_name not in csv_names
    response = client.get(cohort_url(world.cohort, "", "cohort_trainees_xlsx"))
    day = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cohort-{world.cohort.pk}-trainees-{day}.xlsx"'
    )
    sheet = xlsx_sheet(response)
    cell = next(c for c in sheet["A"] if "HYPERLINK" in str(c.value))
    assert cell.value == "'" + trainee.full_name and cell.data_type == "s"
    progress = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert progress == [0, 0, 0]


# Fixed number of queries ----------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        body_of(response)
    return len(queries.captured_queries)


def test_page_and_files_run_a_fixed_number_of_queries(client, world, commit, drawn_afresh):
    today = timezone.localdate()
    query = f"period_from={today - dt.timedelta(days=30)}&sort=-progress"
    addresses = [
        cohort_url(world.cohort, query),
        cohort_url(world.cohort, query, "cohort_trainees_xlsx"),
        cohort_url(world.cohort, query, "cohort_trainees_csv"),
    ]
    client.force_login(world.official)
    small = []
    for address in addresses:
        client.get(address)  # warm up caches
        small.append(_queries(client, address))
    # Four times the trainees, one completed, one withdrawn, one with a certificate.

    def grow():
        for i in range(9):
            factories.enrol(factories.user("Trainee", last_name=f"Петров{i}"), world.cohort)

    commit(grow)
    commit(complete, world, world.enrolments[0])
    commit(factories.certificate, world.enrolments[0])
    commit(factories.withdraw, world.enrolments[1])
    large = [_queries(client, address) for address in addresses]
    assert len(page_rows(client.get(addresses[0]), "trainees")) == 12
    assert large == small
    assert max(small) <= 12
