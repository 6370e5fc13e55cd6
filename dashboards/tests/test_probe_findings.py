"""Failing tests for bugs found by the "probe" helper (issue 12), for the lead to judge.

Each test states what an official should get; each fails on the code as it was probed:
- a period reaching the last date Python can hold is a 500 (OverflowError in
  `weekly_completions`), and a century-long period draws one column per week (a year-1 period
  keeps a worker busy for minutes);
- the course cohort page calls a trainee who has completed «Обучается», while the dashboards
  (and the gradebook) count them as completed;
- the filter lists programmes a regional official may not see (another region's, drafts);
- the dashboards answer POST, PUT and DELETE as if they were GET.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

from .actions import complete
from .test_exports import page_rows

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def get(client, user, address):
    client.force_login(user)
    return client.get(address, **RU)


def region_url(code: str, query: str = "") -> str:
    return reverse("dashboards:region", args=(code,)) + (f"?{query}" if query else "")


def cohort_url(cohort, query: str = "") -> str:
    return reverse("dashboards:cohort", args=(cohort.pk,)) + (f"?{query}" if query else "")


# A period that the week loop cannot walk ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "period_to=9999-12-31",
        "period_from=2026-01-01&period_to=9999-12-31",
    ],
)
@pytest.mark.parametrize("page", ["region", "cohort"])
def test_a_period_ending_on_the_last_date_is_not_a_500(client, world, commit, page, query):
    # One completion, so that the region's chart has a week to start from without `period_from`.
    commit(complete, world, world.enrolments[0])
    address = region_url("68", query) if page == "region" else cohort_url(world.cohort, query)
    response = get(client, world.official, address)
    assert response.status_code == 200


def test_a_century_long_period_does_not_draw_a_column_per_week(client, world, commit):
    """1900-01-01 to today is some 6,600 weeks: the page must refuse the period with a message
    or draw a bounded chart, not a 3 MB page (and a year-1 start, minutes of one worker)."""
    commit(complete, world, world.enrolments[0])
    today = timezone.localdate()
    response = get(
        client, world.official, region_url("68", f"period_from=1900-01-01&period_to={today}")
    )
    body = response.content.decode()
    assert response.status_code == 200
    refused = 'data-testid="invalid-filters"' in body
    columns = body.count("<rect")
    assert refused or columns < 1000, f"{columns} rectangles drawn"


# Completed is completed everywhere ------------------------------------------------------------


def test_the_course_cohort_page_says_completed_as_the_dashboards_do(client, world, commit):
    """The dashboards count the trainee as «Завершил обучение» (completed); the cohort page they
    link to («Открыть страницу группы») lists the same trainee as «Обучается» with «Отчислить»."""
    enrolment = world.enrolments[0]
    commit(complete, world, enrolment)
    name = enrolment.trainee.full_name
    dashboard = {
        row[0]: row[1]
        for row in page_rows(get(client, world.official, cohort_url(world.cohort)), "trainees")
    }
    assert dashboard[name] == "Завершил обучение"
    roster = get(client, world.official, reverse("courses:cohort_detail", args=(world.cohort.pk,)))
    body = roster.content.decode()
    row = re.search(rf"{re.escape(name)}.*?</tr>", body, re.S)
    assert row is not None
    assert "Обучается" not in row.group(0)


# The filter offers only what the official may see ---------------------------------------------


def test_the_programme_filter_lists_only_programmes_the_official_may_see(client, world):
    yugra_only = world.elsewhere.program
    draft = factories.program(live=False, title="Черновик")
    body = get(client, world.official, region_url("68")).content.decode()
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', body)
    assert world.program.title in offered
    assert yugra_only.title not in offered
    assert draft.title not in offered


# Read-only pages answer GET and HEAD only -----------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_dashboards_refuse_methods_that_are_not_get(client, world, method):
    client.force_login(world.official)
    for address in (
        region_url("68"),
        cohort_url(world.cohort),
        reverse("dashboards:cohorts_csv", args=("68",)),
    ):
        assert getattr(client, method)(address).status_code == 405, address
