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

from django.urls import reverse

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
