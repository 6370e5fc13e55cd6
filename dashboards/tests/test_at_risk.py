"""Trainees at risk: each reason on both sides of its boundary, and the list's query cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from courses.models import Cohort, Enrolment
from courses.services import activity_complete
from dashboards.models import CohortFigures, TraineeFigures
from dashboards.selectors import (
    AtRiskThresholds,
    RiskReason,
    risk_reasons,
    trainees_at_risk,
)
from schedule.models import Session
from schedule.services import attendance_mark
from tests import factories

from .actions import complete, grade_case, submit_case, take_quiz
from .conftest import World, committed

TODAY = dt.date(2026, 11, 25)
THRESHOLDS = AtRiskThresholds()


def figures(**fields) -> TraineeFigures:
    """A trainee on track in a running cohort, changed by `fields` (cohort_* for the cohort)."""
    cohort_fields = {
        "starts_on": TODAY - dt.timedelta(days=30),
        "ends_on": TODAY + dt.timedelta(days=30),
        "median_progress": 50,
    }
    cohort_fields.update({k[7:]: fields.pop(k) for k in list(fields) if k.startswith("cohort_")})
    cohort = Cohort(starts_on=cohort_fields["starts_on"], ends_on=cohort_fields["ends_on"])
    cohort.figures = CohortFigures(**cohort_fields)
    row = {
        "last_activity_at": timezone.make_aware(dt.datetime(2026, 11, 24, 12)),
        "progress_percent": 50,
        "activities_done": 2,
        "activities_total": 4,
        "status": Enrolment.Status.ACTIVE,
        **fields,
    }
    return TraineeFigures(
        cohort=cohort, enrolment=Enrolment(enrolled_on=cohort_fields["starts_on"]), **row
    )


def reasons(item: TraineeFigures, thresholds=THRESHOLDS) -> set[str]:
    return {reason.code for reason in risk_reasons(item, today=TODAY, thresholds=thresholds)}


def days_ago(days: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12)))


def test_on_track_is_not_at_risk():
    assert reasons(figures()) == set()


def test_no_activity_for_14_days_but_not_13():
    assert RiskReason.INACTIVE in reasons(figures(last_activity_at=days_ago(14)))
    assert RiskReason.INACTIVE not in reasons(figures(last_activity_at=days_ago(13)))


def test_never_active_counts_from_the_start_of_the_cohort():
    started = {"last_activity_at": None, "cohort_starts_on": TODAY - dt.timedelta(days=14)}
    assert RiskReason.INACTIVE in reasons(figures(**started))
    started["cohort_starts_on"] = TODAY - dt.timedelta(days=13)
    assert RiskReason.INACTIVE not in reasons(figures(**started))


def test_behind_the_median_by_the_margin_but_not_less():
    assert RiskReason.BEHIND in reasons(figures(progress_percent=30, cohort_median_progress=50))
    assert RiskReason.BEHIND not in reasons(figures(progress_percent=31, cohort_median_progress=50))


def test_the_margin_comes_from_the_settings():
    with override_settings(DASHBOARDS_AT_RISK={"BEHIND_MARGIN": 10}):
        thresholds = AtRiskThresholds.from_settings()
    assert thresholds == AtRiskThresholds(behind_margin=10)
    item = figures(progress_percent=40, cohort_median_progress=50)
    assert RiskReason.BEHIND in reasons(item, thresholds)
    assert RiskReason.BEHIND not in reasons(item)


def test_a_failing_grade_once_every_graded_item_has_a_grade():
    failing = {"grade_failing": True, "final_grade": Decimal("59.9")}
    assert RiskReason.FAILING_GRADE in reasons(figures(**failing, grade_items_open=0))
    # A quiz still to take may lift the grade: not yet failing.
    assert RiskReason.FAILING_GRADE not in reasons(figures(**failing, grade_items_open=1))
    assert RiskReason.FAILING_GRADE not in reasons(
        figures(grade_failing=False, final_grade=Decimal("60.0"))
    )


def test_attendance_under_the_threshold():
    assert RiskReason.ATTENDANCE in reasons(figures(attendance_failing=True))
    assert RiskReason.ATTENDANCE not in reasons(figures(attendance_failing=False))


def test_the_cohort_ending_within_14_days_with_work_missing():
    assert RiskReason.ENDING in reasons(figures(cohort_ends_on=TODAY + dt.timedelta(days=14)))
    assert RiskReason.ENDING not in reasons(figures(cohort_ends_on=TODAY + dt.timedelta(days=15)))
    assert RiskReason.ENDING in reasons(figures(cohort_ends_on=TODAY))
    everything = {"activities_done": 4, "activities_total": 4}
    assert RiskReason.ENDING not in reasons(
        figures(cohort_ends_on=TODAY + dt.timedelta(days=3), **everything)
    )


# The list, from stored figures ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_from_the_stored_figures(django_capture_on_commit_callbacks):
    world = committed(django_capture_on_commit_callbacks, World)
    today = timezone.localdate()
    idle, recent, _untouched = world.enrolments
    with django_capture_on_commit_callbacks(execute=True):
        activity_complete(
            enrolment=idle,
            activity=world.lesson,
            source="self",
            at=timezone.now() - dt.timedelta(days=20),
        )
        for activity in (world.lesson, *world.cases):
            activity_complete(enrolment=recent, activity=activity, source="self")

    at_risk = {item.enrolment.pk: item for item in trainees_at_risk(region=world.cohort.region)}

    # The cohort started 30 days ago: the untouched trainee has done nothing since.
    assert {reason.code for reason in at_risk[idle.pk].reasons} == {RiskReason.INACTIVE}
    assert recent.pk not in at_risk
    assert RiskReason.INACTIVE in {reason.code for reason in at_risk[_untouched.pk].reasons}
    assert trainees_at_risk(cohort_ids=[world.other.pk], today=today)[0].reasons


@pytest.mark.django_db
@pytest.mark.parametrize("trainees", [2, 10])
def test_the_list_is_one_query_whatever_its_length(
    trainees, django_capture_on_commit_callbacks, django_assert_num_queries
):
    world = committed(django_capture_on_commit_callbacks, lambda: World(trainees=trainees))
    committed(
        django_capture_on_commit_callbacks,
        lambda: factories.enrol(factories.user("Trainee"), world.cohort),
    )

    with django_assert_num_queries(1):
        at_risk = trainees_at_risk(region=world.cohort.region)
        names = [item.enrolment.trainee.last_name for item in at_risk]
        [item.figures.cohort.figures.median_progress for item in at_risk]

    assert len(names) == trainees + 2  # everyone in the two Tambov cohorts has done nothing


@pytest.mark.django_db
def test_attendance_at_the_programmes_threshold_is_not_at_risk_below_it_is(
    django_capture_on_commit_callbacks,
):
    world = committed(django_capture_on_commit_callbacks, World)
    enrolment = world.enrolments[0]
    now = timezone.now()

    def sessions_and_marks():
        for days, status in ((2, "present"), (3, "absent")):
            start = now - dt.timedelta(days=days)
            session = Session.objects.create(
                cohort=world.cohort,
                topic="Финансы семьи",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
            )
            attendance_mark(session=session, enrolment=enrolment, status=status, by=None)

    committed(django_capture_on_commit_callbacks, sessions_and_marks)

    def threshold(percent: int) -> set[str]:
        program = world.program
        program.attendance_threshold = percent
        # Published as an editor would: the programme's new rule reaches the figures.
        committed(django_capture_on_commit_callbacks, lambda: program.save_revision().publish())
        at_risk = {
            item.enrolment.pk: item for item in trainees_at_risk(cohort_ids=[world.cohort.pk])
        }
        return (
            {reason.code for reason in at_risk[enrolment.pk].reasons}
            if enrolment.pk in at_risk
            else set()
        )

    assert RiskReason.ATTENDANCE not in threshold(50)  # 1 of 2 sessions: 50 %
    assert RiskReason.ATTENDANCE in threshold(51)


def test_idle_days_count_from_the_enrolment_when_it_came_after_the_start():
    # The cohort began a month ago; a trainee who joined 13 days ago has not been idle for 14.
    late = figures(last_activity_at=None)
    late.enrolment.enrolled_on = TODAY - dt.timedelta(days=13)
    assert RiskReason.INACTIVE not in reasons(late)
    late.enrolment.enrolled_on = TODAY - dt.timedelta(days=14)
    assert RiskReason.INACTIVE in reasons(late)


@pytest.mark.django_db
def test_a_failing_grade_in_the_list_once_everything_is_graded(django_capture_on_commit_callbacks):
    world = committed(django_capture_on_commit_callbacks, World)
    failing, pending, _idle = world.enrolments

    def work():
        take_quiz(world, failing, right=False)
        for index in range(len(world.cases)):
            grade_case(world, submit_case(world, failing, index), top=False)
        # The same wrong quiz, but the case work is not graded yet: the grade may still rise.
        take_quiz(world, pending, right=False)
        for index in range(len(world.cases)):
            submit_case(world, pending, index)

    committed(django_capture_on_commit_callbacks, work)

    stored = TraineeFigures.objects.get(enrolment=failing)
    assert (stored.grade_failing, stored.grade_items_open) == (True, 0)
    assert TraineeFigures.objects.get(enrolment=pending).grade_items_open == 2
    at_risk = {item.enrolment.pk: item for item in trainees_at_risk(cohort_ids=[world.cohort.pk])}
    assert RiskReason.FAILING_GRADE in {reason.code for reason in at_risk[failing.pk].reasons}
    assert pending.pk not in at_risk or RiskReason.FAILING_GRADE not in {
        reason.code for reason in at_risk[pending.pk].reasons
    }


@pytest.mark.django_db
def test_a_good_grade_is_not_failing(django_capture_on_commit_callbacks):
    world = committed(django_capture_on_commit_callbacks, World)
    enrolment = world.enrolments[0]
    committed(django_capture_on_commit_callbacks, lambda: complete(world, enrolment))

    stored = TraineeFigures.objects.get(enrolment=enrolment)
    assert stored.complete and not stored.grade_failing


@pytest.mark.django_db
def test_the_list_leaves_out_who_completed_and_the_cohorts_not_yet_running(
    django_capture_on_commit_callbacks,
):
    world = committed(django_capture_on_commit_callbacks, World)
    today = timezone.localdate()
    done = world.enrolments[0]

    def build():
        complete(world, done)
        # A short cohort starting tomorrow, ending within two weeks, nothing done yet.
        soon = factories.cohort(
            world.program,
            name="Группа Скоро",
            starts_on=today + dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=10),
        )
        return factories.enrol(factories.user("Trainee"), soon)

    waiting = committed(django_capture_on_commit_callbacks, build)
    # They completed three weeks ago and have done nothing since (as stored by a refresh then).
    TraineeFigures.objects.filter(enrolment=done).update(
        last_activity_at=timezone.now() - dt.timedelta(days=21)
    )

    listed = {item.enrolment.pk for item in trainees_at_risk(region=world.cohort.region)}

    assert done.pk not in listed and waiting.pk not in listed
    assert {e.pk for e in world.enrolments[1:]} <= listed
    # Were the cohort running, its ending would put the waiting trainee at risk.
    soon = TraineeFigures.objects.get(enrolment=waiting)
    assert trainees_at_risk(cohort_ids=[soon.cohort_id], today=today + dt.timedelta(days=1))
