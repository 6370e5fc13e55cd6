"""The dashboards' figures: a region's cohorts, the regions side by side, completions by week,
the filters, and a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Cohort
from dashboards.models import CohortFigures, WeeklyCompletions
from dashboards.selectors import (
    CohortStatus,
    DashboardFilters,
    federal_region_figures,
    region_cohort_figures,
    total_figures,
    weekly_completions,
)
from dashboards.services import rebuild_figures, week_start
from tests import factories

from .actions import complete, study_lesson
from .conftest import World, committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(world, commit):
    """Region 68: two running cohorts of one programme, one trainee of A complete; region 86:
    one cohort of another programme; a finished and a planned cohort in 68 as well."""
    commit(complete, world, world.enrolments[0])
    commit(study_lesson, world, world.enrolments[1])
    today = timezone.localdate()
    world.finished = commit(
        factories.cohort,
        world.program,
        name="Прошлая группа",
        starts_on=today - dt.timedelta(days=200),
        ends_on=today - dt.timedelta(days=100),
    )
    world.planned = commit(
        factories.cohort,
        world.program,
        name="Будущая группа",
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=80),
    )
    return world


def names(rows) -> list[str]:
    return [row.cohort_name for row in rows]


def test_a_region_sees_its_cohorts_with_their_figures(school):
    rows = region_cohort_figures(region=school.cohort.region)

    assert names(rows) == ["Прошлая группа", "Группа A", "Группа B", "Будущая группа"]
    a = rows[1]
    assert (a.enrolled, a.active, a.completed, a.withdrawn) == (3, 2, 1, 0)
    assert a.completion_rate == Decimal("33.3")
    # The completed trainee's 100 only: the others' 0 is work not yet done, not a grade.
    assert a.mean_final_grade == Decimal("100.0")
    assert a.practice_hours_done == Decimal("12")
    assert not a.stale
    assert rows[0].completion_rate is None  # nobody enrolled


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CohortStatus.PLANNED, ["Будущая группа"]),
        (CohortStatus.RUNNING, ["Группа A", "Группа B"]),
        (CohortStatus.FINISHED, ["Прошлая группа"]),
    ],
)
def test_the_cohort_status_filter(school, status, expected):
    filters = DashboardFilters(status=status)
    assert names(region_cohort_figures(region=school.cohort.region, filters=filters)) == expected


def statuses_of(school, name: str, today: dt.date) -> set[str]:
    """The statuses under which the cohort `name` is listed on `today`."""
    region = school.cohort.region

    def filters(status, today):
        return DashboardFilters(status=status, today=today)

    return {
        status
        for status in CohortStatus
        if name in names(region_cohort_figures(region=region, filters=filters(status, today)))
    }


def test_the_status_changes_on_the_day_by_the_dates(school):
    starts, ends = school.planned.starts_on, school.planned.ends_on
    day = dt.timedelta(days=1)
    assert statuses_of(school, "Будущая группа", starts - day) == {CohortStatus.PLANNED}
    assert statuses_of(school, "Будущая группа", starts) == {CohortStatus.RUNNING}
    assert statuses_of(school, "Будущая группа", ends) == {CohortStatus.RUNNING}
    assert statuses_of(school, "Будущая группа", ends + day) == {CohortStatus.FINISHED}


def test_the_period_filter_keeps_cohorts_overlapping_it(school):
    region = school.cohort.region
    finished = school.finished
    on_the_last_day = DashboardFilters(period_from=finished.ends_on, period_to=finished.ends_on)
    the_day_after = DashboardFilters(
        period_from=finished.ends_on + dt.timedelta(days=1),
        period_to=finished.ends_on + dt.timedelta(days=1),
    )
    assert names(region_cohort_figures(region=region, filters=on_the_last_day)) == [
        "Прошлая группа"
    ]
    assert names(region_cohort_figures(region=region, filters=the_day_after)) == []


def test_the_programme_filter(school):
    other_program = DashboardFilters(program_id=school.elsewhere.program_id)
    assert region_cohort_figures(region=school.cohort.region, filters=other_program) == []


def test_a_region_never_sees_another_regions_cohorts(school):
    assert names(region_cohort_figures(region=school.elsewhere.region)) == ["Группа Ю"]


def test_the_regions_side_by_side_are_weighted_by_trainees(school, commit):
    commit(complete, school, school.other_enrolment)

    rows = {row.code: row for row in federal_region_figures()}

    tambov = rows["68"]
    assert (tambov.cohorts, tambov.enrolled, tambov.completed) == (4, 4, 2)
    # 2 of 4 trainees, not the mean of the cohorts' 33.3 % and 100 %.
    assert tambov.completion_rate == Decimal("50.0")
    assert tambov.mean_final_grade == Decimal("100.0")  # the two completed: 100 and 100
    assert rows["86"].enrolled == 1 and rows["86"].completion_rate == Decimal("0.0")
    country = total_figures(list(rows.values()))
    assert (country.enrolled, country.completed, country.completion_rate) == (
        5,
        2,
        Decimal("40.0"),
    )


def test_the_federal_figures_follow_the_filters(school):
    rows = federal_region_figures(filters=DashboardFilters(program_id=school.program.pk))
    assert [row.code for row in rows] == ["68"]
    assert (
        federal_region_figures(filters=DashboardFilters(status=CohortStatus.FINISHED))[0].cohorts
        == 1
    )


def test_completions_by_week_without_gaps(school, commit):
    this_week = week_start(timezone.now())
    assert weekly_completions(region=school.cohort.region) == [
        type(weekly_completions(region=school.cohort.region)[0])(start=this_week, count=1)
    ]
    # An earlier completion, stored as a refresh would: the weeks between are there with 0.
    WeeklyCompletions.objects.create(
        cohort=school.other,
        region=school.other.region,
        program=school.other.program,
        week_start=this_week - dt.timedelta(weeks=3),
        count=2,
    )

    weeks = weekly_completions(region=school.cohort.region)

    assert [(week.start, week.count) for week in weeks] == [
        (this_week - dt.timedelta(weeks=3), 2),
        (this_week - dt.timedelta(weeks=2), 0),
        (this_week - dt.timedelta(weeks=1), 0),
        (this_week, 1),
    ]
    assert [week.count for week in weekly_completions(cohort_ids=[school.cohort.pk])] == [1]


def test_completions_within_a_period(school):
    this_week = week_start(timezone.now())
    period = DashboardFilters(
        period_from=this_week + dt.timedelta(days=2), period_to=this_week + dt.timedelta(days=20)
    )

    weeks = weekly_completions(region=school.cohort.region, filters=period)

    assert [(week.start, week.count) for week in weeks] == [
        (this_week, 1),
        (this_week + dt.timedelta(weeks=1), 0),
        (this_week + dt.timedelta(weeks=2), 0),
    ]
    before = DashboardFilters(
        period_from=this_week - dt.timedelta(days=14), period_to=this_week - dt.timedelta(days=1)
    )
    assert {
        week.count for week in weekly_completions(region=school.cohort.region, filters=before)
    } == {0}


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(1, 1, 1), dt.date(9999, 12, 31)),  # the first and last dates Python holds
        (dt.date(1900, 1, 1), None),
        (None, dt.date(9999, 12, 31)),
    ],
)
def test_a_periods_ends_are_clamped_to_the_cohorts_weeks(school, start, end):
    """Any period, valid on the form or not, draws at most the weeks from the first selected
    cohort's start to the last one's end: never one per week of a century, never an overflow."""
    cohort = school.cohort
    weeks = weekly_completions(
        cohort_ids=[cohort.pk], filters=DashboardFilters(period_from=start, period_to=end)
    )
    starts = [week.start for week in weeks]
    first = _monday(cohort.starts_on) if start else week_start(timezone.now())
    last = _monday(cohort.ends_on) if end else week_start(timezone.now())
    assert starts[0] == first and starts[-1] == last
    assert len(starts) == (last - first).days // 7 + 1
    assert sum(week.count for week in weeks) == 1


def test_the_clamp_keeps_the_periods_own_ends_inside_the_cohorts_weeks(school):
    """A period inside the cohorts' span is drawn exactly: from its first week to its last."""
    cohort = school.cohort
    inside = DashboardFilters(
        period_from=cohort.starts_on + dt.timedelta(days=7),
        period_to=cohort.ends_on - dt.timedelta(days=7),
    )
    weeks = weekly_completions(cohort_ids=[cohort.pk], filters=inside)
    assert weeks[0].start == _monday(cohort.starts_on + dt.timedelta(days=7))
    assert weeks[-1].start == _monday(cohort.ends_on - dt.timedelta(days=7))
    # A day either side of the cohort's own dates: the same weeks as its dates, no more.
    around = DashboardFilters(
        period_from=cohort.starts_on - dt.timedelta(days=7),
        period_to=cohort.ends_on + dt.timedelta(days=7),
    )
    weeks = weekly_completions(cohort_ids=[cohort.pk], filters=around)
    assert weeks[0].start == _monday(cohort.starts_on)
    assert weeks[-1].start == _monday(cohort.ends_on)


def test_a_completion_after_the_cohorts_end_is_still_drawn(school):
    """A grade released after the end completes a trainee then: the clamp widens to it."""
    finished = school.finished
    late = _monday(finished.ends_on) + dt.timedelta(weeks=3)
    WeeklyCompletions.objects.create(
        cohort=finished, region=finished.region, program=finished.program, week_start=late, count=1
    )
    period = DashboardFilters(period_from=dt.date(2000, 1, 1), period_to=dt.date(2100, 12, 31))
    weeks = weekly_completions(cohort_ids=[finished.pk], filters=period)
    assert weeks[0].start == _monday(finished.starts_on)
    assert weeks[-1] == type(weeks[-1])(start=late, count=1)


def test_a_year_long_period_draws_at_most_53_weeks(school):
    long_cohort = factories.cohort(
        school.program,
        name="Долгая группа",
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2030, 12, 31),
    )
    rebuild_figures(cohort_ids=[long_cohort.pk])
    for year in (2024, 2025, 2026):
        period = DashboardFilters(period_from=dt.date(year, 1, 1), period_to=dt.date(year, 12, 31))
        weeks = weekly_completions(cohort_ids=[long_cohort.pk], filters=period)
        assert 52 <= len(weeks) <= 53
        assert weeks[0].start <= dt.date(year, 1, 1) < weeks[0].start + dt.timedelta(days=7)


def test_no_cohort_selected_draws_no_weeks(school):
    period = DashboardFilters(period_from=dt.date(1, 1, 1), period_to=dt.date(9999, 12, 31))
    empty_region = factories.region("29")
    assert weekly_completions(region=empty_region, filters=period) == []


@pytest.mark.parametrize("cohorts", [1, 6])
def test_the_dashboard_figures_cost_the_same_queries_at_any_size(
    cohorts, django_capture_on_commit_callbacks, django_assert_num_queries
):
    world = committed(django_capture_on_commit_callbacks, lambda: World(trainees=cohorts))
    for number in range(cohorts):
        region_code = "68" if number % 2 else "86"
        committed(
            django_capture_on_commit_callbacks,
            lambda c=region_code, n=number: factories.enrol(
                factories.user("Trainee", region_code=c, username=f"extra-{n}"),
                factories.cohort(world.program, region_code=c, name=f"Поток {n}"),
            ),
        )
    region = world.cohort.region

    with django_assert_num_queries(1):
        rows = region_cohort_figures(region=region)
        [row.cohort_name for row in rows]
    with django_assert_num_queries(1):
        federal_region_figures()
    with django_assert_num_queries(1):
        weekly_completions(region=region)
    # A period adds the cohorts' span its ends are clamped to.
    period = DashboardFilters(period_from=dt.date(2000, 1, 1), period_to=dt.date(2100, 12, 31))
    with django_assert_num_queries(2):
        weekly_completions(region=region, filters=period)
    assert len(rows) == 2 + cohorts // 2
    assert Cohort.objects.count() == 3 + cohorts


def test_a_session_ended_since_the_refresh_marks_the_cohort_updating(school):
    # The refresh ran before the session ended: its attendance is not counted yet.
    CohortFigures.objects.filter(cohort=school.cohort).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    CohortFigures.objects.filter(cohort=school.other).update(
        due_at=timezone.now() + dt.timedelta(hours=1)
    )

    shown = {row.cohort_id: row.stale for row in region_cohort_figures(region=school.cohort.region)}

    assert shown[school.cohort.pk] is True
    assert shown[school.other.pk] is False
    tambov = next(row for row in federal_region_figures() if row.code == "68")
    assert tambov.stale == 1


def test_completions_in_the_last_week_of_the_period_count(school):
    this_week = week_start(timezone.now())
    ending_this_week = DashboardFilters(
        period_from=this_week - dt.timedelta(days=10), period_to=this_week + dt.timedelta(days=2)
    )

    weeks = weekly_completions(region=school.cohort.region, filters=ending_this_week)

    assert [(week.start, week.count) for week in weeks][-1] == (this_week, 1)


def test_completions_by_week_follow_the_region_and_the_filters(school, commit):
    # A trainee in Yugra completes the same programme this week: never on Tambov's chart.
    yugra = commit(
        factories.cohort,
        school.program,
        region_code="86",
        starts_on=school.cohort.starts_on,
        ends_on=school.cohort.ends_on,
    )
    yugra.instructors.add(school.instructor)
    trainee = factories.user("Trainee", region_code="86")
    commit(complete, school, commit(factories.enrol, trainee, yugra))
    region = school.cohort.region
    this_week = week_start(timezone.now())

    assert [(w.start, w.count) for w in weekly_completions(region=region)] == [(this_week, 1)]
    assert [(w.start, w.count) for w in weekly_completions(region=school.elsewhere.region)] == [
        (this_week, 1)
    ]
    # Tambov's completion is in a running cohort of its programme.
    finished = DashboardFilters(status=CohortStatus.FINISHED)
    assert weekly_completions(region=region, filters=finished) == []
    other_program = DashboardFilters(program_id=school.elsewhere.program_id)
    assert weekly_completions(region=region, filters=other_program) == []
    running = DashboardFilters(status=CohortStatus.RUNNING, program_id=school.program.pk)
    assert [w.count for w in weekly_completions(region=region, filters=running)] == [1]
