"""The dashboards' pages: who sees which, the figures and trainees at risk they show, the
filters and sorting in the address, bad input, and a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from dashboards.services import rebuild_figures
from tests import factories

from .actions import complete

PASSWORD = factories.PASSWORD
FEDERAL = reverse("dashboards:federal")


def region_url(code: str, query: str = "") -> str:
    return reverse("dashboards:region", args=(code,)) + (f"?{query}" if query else "")


def login(client, user):
    client.force_login(user)
    return client


def region_rows(response) -> list[str]:
    """The region names in the federal table, in their order."""
    body = response.content.decode()
    table = body.split('data-testid="regions"', 1)[1].split("<tfoot", 1)[0]
    return re.findall(
        r'data-testid="region-row">\s*<th scope="row"><a href="[^"]*">([^<]+)</a>', table
    )


# Who may see what -----------------------------------------------------------------------------


def test_federal_official_and_administrator_see_the_regions_side_by_side(client, world):
    for role, extra in (("Federal official", {}), ("Administrator", {"is_superuser": True})):
        response = login(client, factories.user(role, region_code="77", **extra)).get(FEDERAL)
        assert response.status_code == 200
        assert region_rows(response) == sorted(region_rows(response), key=str.casefold)
        names = region_rows(response)
        assert set(names) == {world.cohort.region.name, world.elsewhere.region.name}


def test_regional_official_is_sent_to_their_own_region(client, world):
    official = factories.user("Regional official", region_code="86")
    response = login(client, official).get(FEDERAL + "?status=running")
    assert response.status_code == 302
    assert response["Location"] == region_url("86")


@pytest.mark.parametrize("role", ["Trainee", "Instructor", "Senior instructor"])
def test_trainees_and_instructors_are_refused(client, world, role):
    login(client, factories.user(role))
    assert client.get(FEDERAL).status_code == 403
    assert client.get(region_url("68")).status_code == 403


def test_anonymous_goes_to_sign_in(client, world):
    response = client.get(FEDERAL)
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.get(region_url("68"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_official_of_another_region_gets_404_and_never_its_data(client, world):
    official = factories.user("Regional official", region_code="86")
    response = login(client, official).get(region_url("68"))
    assert response.status_code == 404
    assert "Группа A" not in response.content.decode()
    # Their own region, yes (and the other region's cohort is not on it).
    response = client.get(region_url("86"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Группа Ю" in body and "Группа A" not in body


def test_unknown_region_is_404(client, world):
    login(client, factories.user("Federal official", region_code="77"))
    assert client.get(region_url("999")).status_code == 404


def test_navigation_links_to_the_dashboards_for_officials_and_administrators(client, world):
    link = f'href="{FEDERAL}"'
    for role, extra, shown in (
        ("Regional official", {}, True),
        ("Federal official", {}, True),
        ("Administrator", {"is_superuser": True}, True),
        ("Instructor", {}, False),
        ("Trainee", {}, False),
    ):
        client.force_login(factories.user(role, **extra))
        body = client.get(reverse("notifications:list")).content.decode()
        assert (link in body) is shown, role


# What the pages show --------------------------------------------------------------------------


def test_region_page_shows_each_cohort_with_its_figures_and_links(client, world):
    enrolment = world.enrolments[1]

    def withdraw():
        enrolment.status = Enrolment.Status.WITHDRAWN
        enrolment.withdrawn_on = timezone.localdate()
        enrolment.save()

    withdraw()
    rebuild_figures()
    response = login(client, world.official).get(region_url("68"))
    body = response.content.decode()
    rows = body.split('data-testid="cohorts"', 1)[1].split("</table>", 1)[0]
    first = rows.split('data-testid="cohort-row"')[1]
    # The drill-down goes on to the cohort's dashboard (which links the course's cohort page).
    assert f'<a href="{reverse("dashboards:cohort", args=(world.cohort.pk,))}">' in first
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', first)
    # enrolled, active, completed, withdrawn, rate, grade, attendance, certificates, practice
    assert cells[:4] == ["3", "2", "0", "1"]
    assert cells[4] == "0,0 %"  # nobody completed of the two still in the cohort
    assert "Группа B" in rows and "Группа Ю" not in rows


def test_region_page_lists_trainees_at_risk_with_reasons_and_record_links(client, world):
    response = login(client, world.official).get(region_url("68"))
    body = response.content.decode()
    table = body.split('data-testid="at-risk"', 1)[1].split("</table>", 1)[0]
    for enrolment in world.enrolments:
        assert reverse("records:record", args=(enrolment.pk,)) in table
    # Nobody has done anything in the month since the cohorts started.
    assert "Нет активности" in table or "No activity" in table
    # Trainees of another region are never listed.
    other = Enrolment.objects.get(cohort=world.elsewhere)
    assert reverse("records:record", args=(other.pk,)) not in body


def test_federal_table_has_the_country_total(client, world):
    response = login(client, factories.user("Federal official", region_code="77")).get(FEDERAL)
    body = response.content.decode()
    total = body.split('data-testid="total-row"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', total)
    # cohorts, enrolled (3 + 1 in region 68, 1 in 86)
    assert cells[:2] == ["3", "5"]


# Sorting --------------------------------------------------------------------------------------


def test_federal_table_sorts_by_a_column_both_ways_with_aria_sort(client, world):
    login(client, factories.user("Federal official", region_code="77"))
    tambov, yugra = world.cohort.region.name, world.elsewhere.region.name
    response = client.get(FEDERAL + "?sort=-enrolled")
    assert region_rows(response) == [tambov, yugra]  # 4 before 1
    body = response.content.decode()
    assert 'aria-sort="descending"><a href="?sort=enrolled">' in body
    response = client.get(FEDERAL + "?sort=enrolled")
    assert region_rows(response) == [yugra, tambov]
    assert 'aria-sort="ascending"><a href="?sort=-enrolled">' in response.content.decode()
    # Exactly one column says how the table is sorted.
    assert response.content.decode().count("aria-sort=") == 1


def test_sort_links_keep_the_filters_and_filter_form_keeps_the_sort(client, world):
    login(client, factories.user("Federal official", region_code="77"))
    body = client.get(FEDERAL + "?status=running&sort=-completed").content.decode()
    assert 'href="?status=running&amp;sort=completed"' in body
    assert '<input type="hidden" name="sort" value="-completed">' in body
    # Region links carry the filters but not the sort.
    assert f'href="{region_url("68")}?status=running"' in body


@pytest.mark.parametrize("sort", ["bogus", "--enrolled", "--name", "", "name;drop"])
def test_unknown_sort_falls_back_to_region_name(client, world, sort):
    login(client, factories.user("Federal official", region_code="77"))
    response = client.get(FEDERAL, {"sort": sort})
    assert response.status_code == 200
    names = region_rows(response)
    assert names == sorted(names, key=str.casefold)


# Filters --------------------------------------------------------------------------------------


def test_filters_narrow_the_cohorts(client, world):
    today = timezone.localdate()
    planned = factories.cohort(
        world.program,
        name="Группа П",
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=60),
    )
    rebuild_figures()
    login(client, world.official)
    body = client.get(region_url("68", "status=planned")).content.decode()
    assert "Группа П" in body and "Группа A" not in body
    body = client.get(region_url("68", "status=running")).content.decode()
    assert "Группа П" not in body and "Группа A" in body
    other_program = factories.program(title="Другая программа")
    factories.cohort(other_program, name="Группа Д")
    rebuild_figures()
    body = client.get(region_url("68", f"program={other_program.pk}")).content.decode()
    assert "Группа A" not in body and "Группа Д" in body
    body = client.get(region_url("68", f"program={world.program.pk}")).content.decode()
    assert "Группа A" in body and "Группа П" in body
    # A period that ends before the planned cohort starts leaves it out.
    day = today + dt.timedelta(days=5)
    body = client.get(region_url("68", f"period_from={today}&period_to={day}")).content.decode()
    assert "Группа A" in body and "Группа П" not in body
    day = today + dt.timedelta(days=10)
    body = client.get(region_url("68", f"period_from={today}&period_to={day}")).content.decode()
    assert "Группа П" in body
    assert planned.pk


@pytest.mark.parametrize(
    "query",
    [
        "period_from=31.02.2026",
        "period_from=2026-02-31",
        "period_to=yesterday",
        "period_from=2026-05-02&period_to=2026-05-01",
        "program=999999",
        "program=abc",
        "status=paused",
    ],
)
def test_bad_filters_get_a_clear_message_and_no_figures(client, world, query):
    for user, url in (
        (world.official, region_url("68", query)),
        (factories.user("Federal official", region_code="77"), f"{FEDERAL}?{query}"),
    ):
        response = login(client, user).get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="invalid-filters"' in body
        assert "invalid-feedback" in body or 'data-testid="filter-errors"' in body
        assert 'data-testid="cohorts"' not in body and 'data-testid="regions"' not in body
        assert "Группа A" not in body.split('class="card card-body mb-3 dashboard-filters"')[1]


def cohort_url(cohort, query: str = "") -> str:
    return reverse("dashboards:cohort", args=(cohort.pk,)) + (f"?{query}" if query else "")


@pytest.mark.parametrize(
    "query",
    [
        "period_to=9999-12-31",  # the last date Python holds: a week past it overflowed (500)
        "period_from=2026-01-01&period_to=9999-12-31",
        "period_from=0001-01-01",  # one column per week since year 1: minutes of a worker
        "period_from=1900-01-01",
        "period_from=1999-12-31",
        "period_to=2101-01-01",
    ],
)
@pytest.mark.parametrize("page", ["region", "cohort"])
def test_a_date_outside_the_years_of_the_school_gets_a_message_not_a_500(
    client, world, commit, page, query
):
    # One completion, so that the region's chart has a week to start from without `period_from`.
    commit(complete, world, world.enrolments[0])
    address = region_url("68", query) if page == "region" else cohort_url(world.cohort, query)
    response = login(client, world.official).get(address)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="invalid-filters"' in body
    assert "Выберите дату с 01.01.2000 по 31.12.2100." in body
    assert 'data-testid="weekly-chart"' not in body


@pytest.mark.parametrize("page", ["region", "cohort"])
def test_the_widest_period_allowed_draws_the_cohorts_weeks_only(client, world, commit, page):
    """2000-01-01 to 2100-12-31 is accepted: the chart shows the cohorts' weeks, not 5,000."""
    commit(complete, world, world.enrolments[0])
    query = "period_from=2000-01-01&period_to=2100-12-31"
    address = region_url("68", query) if page == "region" else cohort_url(world.cohort, query)
    response = login(client, world.official).get(address)
    body = response.content.decode()
    assert 'data-testid="invalid-filters"' not in body
    # Группа A and B both run 30 days back to 40 ahead: eleven weeks at most.
    assert 10 <= len(response.context["chart"].rows) <= 11
    assert 0 < body.count("<rect") < 100


def test_a_bad_date_is_named_in_the_message_in_the_form_the_picker_sends(client, world):
    """The date picker cannot show «abc», so the message says what was refused, and asks for
    the picker's own form (ISO), which is what the field sends."""
    login(client, world.official)
    body = client.get(region_url("68", "period_from=abc")).content.decode()
    assert "«abc» — не дата: выберите её в календаре или введите в виде ГГГГ-ММ-ДД." in body
    assert "ДД.ММ.ГГГГ" not in body
    # The picker is bounded as the form is.
    assert 'min="2000-01-01"' in body and 'max="2100-12-31"' in body


def test_the_first_and_last_days_allowed_are_valid(client, world):
    login(client, world.official)
    body = client.get(region_url("68", "period_from=2000-01-01&period_to=2100-12-31"))
    assert 'data-testid="invalid-filters"' not in body.content.decode()
    body = client.get(region_url("68", "period_from=2000-01-01&period_to=2000-01-01"))
    assert 'data-testid="invalid-filters"' not in body.content.decode()
    body = client.get(region_url("68", "period_from=2100-12-31&period_to=2100-12-31"))
    assert 'data-testid="invalid-filters"' not in body.content.decode()


def test_period_boundary_same_day_is_valid(client, world):
    login(client, world.official)
    body = client.get(region_url("68", "period_from=2026-05-01&period_to=2026-05-01"))
    assert 'data-testid="invalid-filters"' not in body.content.decode()


def offered_programmes(body: str) -> list[str]:
    form = body.split('name="program"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', form)


def test_the_programme_filter_lists_the_programmes_of_the_cohorts_the_official_sees(client, world):
    yugra_only = world.elsewhere.program
    draft = factories.program(live=False, title="Черновик")
    unpublished = factories.program(live=False, title="Снятая с публикации")
    factories.cohort(unpublished, name="Группа С")
    login(client, world.official)
    offered = offered_programmes(client.get(region_url("68")).content.decode())
    # Their region's programmes, an unpublished one with a cohort here too: its cohort is shown.
    assert sorted(offered) == sorted([world.program.title, unpublished.title])
    assert yugra_only.title not in offered and draft.title not in offered
    # Asked for in the address anyway: refused like an unknown one, nothing shown.
    body = client.get(region_url("68", f"program={yugra_only.pk}")).content.decode()
    assert 'data-testid="invalid-filters"' in body and "Группа A" not in body.split("</form>")[1]
    # A federal official compares every region: every programme run anywhere, no draft.
    login(client, factories.user("Federal official", region_code="77"))
    offered = offered_programmes(client.get(FEDERAL).content.decode())
    assert sorted(offered) == sorted([world.program.title, unpublished.title, yugra_only.title])


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_dashboards_answer_get_and_head_only(client, world, method):
    login(client, world.official)
    cohort = world.cohort.pk
    for address in (
        region_url("68"),
        reverse("dashboards:cohort", args=(cohort,)),
        reverse("dashboards:cohorts_csv", args=("68",)),
        reverse("dashboards:at_risk_xlsx", args=("68",)),
        reverse("dashboards:cohort_trainees_csv", args=(cohort,)),
    ):
        assert getattr(client, method)(address).status_code == 405, address
        assert client.head(address).status_code == 200, address
    federal = login(client, factories.user("Federal official", region_code="77"))
    for address in (FEDERAL, reverse("dashboards:regions_xlsx")):
        assert getattr(federal, method)(address).status_code == 405, address
        assert federal.head(address).status_code == 200, address


# Fixed number of queries ----------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _grow(world, *, cohorts: int, codes: list[str]):
    today = timezone.localdate()
    for i in range(cohorts):
        cohort = factories.cohort(
            world.program,
            region_code=codes[i % len(codes)],
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=10),
        )
        for _ in range(2):
            factories.enrol(factories.user("Trainee"), cohort)
    rebuild_figures()


def test_pages_run_a_fixed_number_of_queries(client, world, drawn_afresh):
    federal = factories.user("Federal official", region_code="77")
    login(client, world.official)
    client.get(region_url("68"))  # warm up caches (content types, site)
    small_region = _queries(client, region_url("68"))
    login(client, federal)
    client.get(FEDERAL)
    small_federal = _queries(client, FEDERAL + "?sort=-completion_rate")
    _grow(world, cohorts=6, codes=["68", "77", "29", "50"])
    login(client, world.official)
    assert _queries(client, region_url("68")) == small_region
    login(client, federal)
    assert _queries(client, FEDERAL + "?sort=-completion_rate") == small_federal
    assert small_region <= 9 and small_federal <= 6


# Charts ---------------------------------------------------------------------------------------


def test_the_federal_chart_has_a_bar_per_region_in_the_tables_order(client, world):
    login(client, factories.user("Federal official", region_code="77"))

    for sort in ("-enrolled", "enrolled"):
        response = client.get(FEDERAL + f"?sort={sort}")
        chart = response.context["chart"]
        assert [label for label, _value in chart.rows] == region_rows(response)
        body = response.content.decode()
        section = body.split('data-testid="regions-chart"', 1)[1]
        assert "<svg" in section and "<table" in section


def test_the_region_chart_counts_the_weeks_completions(client, world):
    from dashboards.selectors import weekly_completions

    login(client, factories.user("Federal official", region_code="77"))
    region = world.cohort.region

    response = client.get(region_url(region.code))

    chart = response.context["chart"]
    weeks = weekly_completions(region=region)
    assert len(chart.rows) == len(weeks)
    section = response.content.decode().split('data-testid="weekly-chart"', 1)[1]
    if any(week.count for week in weeks):
        assert "<svg" in section
    else:
        assert chart.empty_message in section


# How the pages look: a desk's width, compact headings, the sorted column's mark, the programme ---


def cohorts_table(response) -> str:
    return response.content.decode().split('data-testid="cohorts"', 1)[1].split("</table>", 1)[0]


def test_the_dashboards_take_a_desks_width_and_other_pages_do_not(client, world):
    federal = factories.user("Federal official", region_code="77")
    cohort = reverse("dashboards:cohort", args=(world.cohort.pk,))
    for address in (FEDERAL, region_url("68"), cohort):
        assert '<body class="layout-wide">' in login(client, federal).get(address).content.decode()
    other = login(client, federal).get(reverse("notifications:list")).content.decode()
    assert "layout-wide" not in other


def test_long_headings_are_short_with_the_whole_heading_in_their_title(client, world):
    federal = factories.user("Federal official", region_code="77")
    cohort = reverse("dashboards:cohort", args=(world.cohort.pk,))
    for address in (FEDERAL, region_url("68"), cohort):
        body = login(client, federal).get(address).content.decode()
        assert '<abbr title="Пройдено практических часов">Практика, ч</abbr>' in body
        if address != cohort:  # the trainees' table has its own certificate column
            assert '<abbr title="Выдано удостоверений">Документы</abbr>' in body


def sort_marks(body: str) -> list[tuple[str, str, str]]:
    """(aria-sort, the heading's text, the mark) of each heading with a mark."""
    found = []
    for attributes, inner in re.findall(r"<th(\s[^>]*)>(.*?)</th>", body, flags=re.S):
        mark = re.search(r'<span class="sort-mark" aria-hidden="true"[^>]*>(.)</span>', inner)
        aria = re.search(r'aria-sort="(\w+)"', attributes)
        if mark or aria:
            text = re.sub(r"<[^>]+>|[▲▼]", "", inner).replace("&nbsp;", " ").strip()
            found.append((aria.group(1) if aria else "", text, mark.group(1) if mark else ""))
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [("ascending", "Регион", "▲")]),
        ("?sort=-enrolled", [("descending", "Зачислено", "▼")]),
        ("?sort=enrolled", [("ascending", "Зачислено", "▲")]),
        ("?sort=-completion_rate", [("descending", "Доля завершивших", "▼")]),
    ],
)
def test_the_sorted_column_shows_a_mark_beside_aria_sort(client, world, query, expected):
    login(client, factories.user("Federal official", region_code="77"))
    assert sort_marks(client.get(FEDERAL + query).content.decode()) == expected


def test_the_cohorts_trainees_show_their_sort_mark_too(client, world):
    login(client, world.official)
    address = reverse("dashboards:cohort", args=(world.cohort.pk,))
    assert sort_marks(client.get(address).content.decode()) == [("ascending", "Слушатель", "▲")]
    assert sort_marks(client.get(address + "?sort=-progress").content.decode()) == [
        ("descending", "Прогресс", "▼")
    ]


def test_one_programme_is_named_once_above_the_cohorts_not_on_each_row(client, world):
    response = login(client, world.official).get(region_url("68"))
    table = cohorts_table(response)
    assert "Группа A" in table and "Группа B" in table
    assert "Программа</th>" not in table and world.program.title not in table
    assert 'class="dashboard-programme"' not in table
    body = response.content.decode()
    assert f'data-testid="only-programme">Программа: {world.program.title}</p>' in body
    assert body.count(world.program.title) == 1 + body.count(f">{world.program.title}</option>")


def test_cohorts_of_two_programmes_show_each_ones_programme(client, world):
    second = factories.cohort(
        factories.program(title="Вторая программа"),
        name="Группа В",
        starts_on=world.cohort.starts_on,
        ends_on=world.cohort.ends_on,
    )
    rebuild_figures()
    response = login(client, world.official).get(region_url("68"))
    table = cohorts_table(response)
    assert '<th scope="col">Программа</th>' in table
    rows = dict(
        re.findall(
            r'<th scope="row"><a [^>]*>([^<]+)</a>.*?<td class="dashboard-programme">([^<]+)</td>',
            table,
            flags=re.S,
        )
    )
    assert rows == {
        "Группа A": world.program.title,
        "Группа B": world.program.title,
        "Группа В": second.program.title,
    }
    assert 'data-testid="only-programme"' not in response.content.decode()

    # The programme filter leaves one: named once again, above the table.
    response = client.get(region_url("68", f"program={second.program_id}"))
    assert "Программа</th>" not in cohorts_table(response)
    assert f"Программа: {second.program.title}</p>" in response.content.decode()


def test_no_cohort_shown_has_no_programme_to_name(client, world):
    response = login(client, world.official).get(region_url("68", "status=planned"))
    table = cohorts_table(response)
    assert '<td colspan="11">' in table and "Программа</th>" not in table
    assert 'data-testid="only-programme"' not in response.content.decode()


def test_regions_without_a_rate_go_last_whichever_way_the_rate_is_sorted(client, world):
    # A cohort in Arkhangelsk with nobody in it: no completion rate, «—», not 0 %.
    factories.cohort(world.program, name="Группа Пустая", region_code="29")
    rebuild_figures()
    login(client, factories.user("Federal official", region_code="77"))
    empty = factories.region("29").name

    for sort in ("completion_rate", "-completion_rate"):
        names = region_rows(client.get(FEDERAL + f"?sort={sort}"))
        assert len(names) == 3 and names[-1] == empty, sort


def test_a_number_column_sorts_largest_first_on_the_first_click(client, world):
    login(client, factories.user("Federal official", region_code="77"))
    body = client.get(FEDERAL + "?status=running&sort=-completed").content.decode()
    # Not the sorted column: largest first; the region's name: A to Z.
    assert 'href="?status=running&amp;sort=-enrolled"' in body
    assert 'href="?status=running&amp;sort=-completion_rate"' in body
    assert 'href="?status=running&amp;sort=name"' in body


def test_the_region_chart_follows_the_filters(client, world):
    complete(world, world.enrolments[0])
    rebuild_figures()
    login(client, world.official)

    def counts(query: str) -> list[str]:
        chart = client.get(region_url("68", query)).context["chart"]
        return [value for _label, value in chart.rows]

    assert counts("") == ["1"]
    assert counts("status=running") == ["1"]
    assert counts("status=finished") == []
    # Another programme of the region, without a completion.
    other = factories.cohort(factories.program(title="Другая программа"), name="Группа Д")
    assert counts(f"program={other.program_id}") == []


def test_a_programme_no_longer_published_can_still_be_chosen(client, world):
    world.program.unpublish()
    rebuild_figures()
    login(client, world.official)

    body = client.get(region_url("68", f"program={world.program.pk}")).content.decode()

    assert 'data-testid="invalid-filters"' not in body
    assert "Группа A" in body
