"""Trainees at risk: each reason on both sides of its boundary, and the list's query cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from courses.models import Enrolment
from courses.services import activity_complete
from dashboards.models import TraineeFigures
from dashboards.selectors import (
    AtRiskThresholds,
    RiskReason,
    at_risk_figures,
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
    """A trainee on track in a running cohort, changed by `fields` (cohort_* for the cohort's
    copies on the row: its start, end and median progress)."""
    row = {
        "cohort_starts_on": TODAY - dt.timedelta(days=30),
        "cohort_ends_on": TODAY + dt.timedelta(days=30),
        "cohort_median_progress": 50,
        "last_activity_at": timezone.make_aware(dt.datetime(2026, 11, 24, 12)),
        "progress_percent": 50,
        "activities_done": 2,
        "activities_total": 4,
        "status": Enrolment.Status.ACTIVE,
        **fields,
    }
    row.setdefault("enrolled_on", row["cohort_starts_on"])
    return TraineeFigures(**row)


def by_enrolment(items) -> dict:
    """The list's items by their enrolment, in the list's order."""
    return {item.figures.enrolment_id: item for item in items}


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


# The words: a short name, then the facts, each said once --------------------------------------


def said(item: TraineeFigures, language: str = "ru") -> dict[str, str]:
    """Each reason as the pages and the files print it («label: detail»), by its code."""
    with translation.override(language):
        return {
            reason.code: str(reason)
            for reason in risk_reasons(item, today=TODAY, thresholds=THRESHOLDS)
        }


@pytest.mark.parametrize(
    ("days", "missing", "russian", "english"),
    [
        (11, 3, "через 11 дней, не выполнено 3 задания", "in 11 days, 3 activities not done"),
        (1, 1, "через 1 день, не выполнено 1 задание", "in 1 day, 1 activity not done"),
        (2, 4, "через 2 дня, не выполнено 4 задания", "in 2 days, 4 activities not done"),
        (0, 21, "сегодня последний день, не выполнено 21 задание", "today is the last day, 21"),
        (0, 5, "сегодня последний день, не выполнено 5 заданий", "today is the last day, 5"),
    ],
)
def test_the_cohort_ending_says_when_and_how_much_is_missing(days, missing, russian, english):
    item = figures(
        cohort_ends_on=TODAY + dt.timedelta(days=days),
        activities_done=2,
        activities_total=2 + missing,
    )
    assert said(item)[RiskReason.ENDING] == f"Скоро конец обучения: {russian}"
    assert said(item, "en")[RiskReason.ENDING].startswith(f"Cohort ends soon: {english}")


@pytest.mark.parametrize(
    ("days", "russian"), [(14, "14 дней"), (21, "21 день"), (22, "22 дня"), (25, "25 дней")]
)
def test_no_activity_says_for_how_long(days, russian):
    assert said(figures(last_activity_at=days_ago(days)))[RiskReason.INACTIVE] == (
        f"Нет активности: {russian}"
    )


def test_no_activity_at_all_says_so():
    never = figures(last_activity_at=None, cohort_starts_on=TODAY - dt.timedelta(days=30))
    assert said(never)[RiskReason.INACTIVE] == "Нет активности: 30 дней, ещё ничего не сделано"
    assert said(never, "en")[RiskReason.INACTIVE] == "No activity: 30 days, nothing done yet"
    assert said(figures(last_activity_at=days_ago(15)), "en")[RiskReason.INACTIVE] == (
        "No activity: 15 days"
    )


def test_behind_failing_and_attendance_give_their_figures():
    item = figures(
        progress_percent=22,
        cohort_median_progress=70,
        grade_failing=True,
        final_grade=Decimal("45.5"),
        attendance_failing=True,
        attended=3,
        counted=8,
    )
    assert said(item) == {
        RiskReason.BEHIND: "Отстаёт от группы: пройдено 22 % при медиане 70 %",
        RiskReason.FAILING_GRADE: "Оценка ниже проходной: итоговая 45,5 %",
        RiskReason.ATTENDANCE: "Посещаемость ниже порога: посещено 3 из 8 занятий",
    }
    assert said(item, "en") == {
        RiskReason.BEHIND: "Behind the cohort: 22 % done against a median of 70 %",
        RiskReason.FAILING_GRADE: "Failing grade: final grade 45.5 %",
        RiskReason.ATTENDANCE: "Attendance below the threshold: attended 3 of 8 sessions",
    }
    # «из 1 занятия», «из 21 занятия»: the genitive after «из» follows the last digit.
    for counted, word in ((1, "занятия"), (21, "занятия"), (11, "занятий"), (24, "занятий")):
        one = figures(attendance_failing=True, attended=0, counted=counted)
        assert said(one)[RiskReason.ATTENDANCE].endswith(f"из {counted} {word}")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_detail_repeats_its_label(language):
    """The complaint that started this: «Группа завершает обучение, а работы не сданы: Группа
    завершает обучение через 11 дней…». A detail is the facts, never the name again."""
    everything = figures(
        last_activity_at=days_ago(20),
        progress_percent=10,
        grade_failing=True,
        final_grade=Decimal("40"),
        attendance_failing=True,
        attended=1,
        counted=4,
        cohort_ends_on=TODAY + dt.timedelta(days=5),
    )
    with translation.override(language):
        reasons = risk_reasons(everything, today=TODAY, thresholds=THRESHOLDS)
        assert {reason.code for reason in reasons} == set(RiskReason)
        for reason in reasons:
            label, detail = str(reason.label).casefold(), reason.detail.casefold()
            assert label not in detail
            # Its first word neither: «Посещаемость ниже порога: посещаемость …».
            assert not detail.startswith(label.split()[0])
            assert str(reason) == f"{reason.label}: {reason.detail}"


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

    at_risk = by_enrolment(trainees_at_risk(region=world.cohort.region))

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
        names = [item.trainee.last_name for item in at_risk]
        [item.figures.cohort_name for item in at_risk]

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
        at_risk = by_enrolment(trainees_at_risk(cohort_ids=[world.cohort.pk]))
        return (
            {reason.code for reason in at_risk[enrolment.pk].reasons}
            if enrolment.pk in at_risk
            else set()
        )

    assert RiskReason.ATTENDANCE not in threshold(50)  # 1 of 2 sessions: 50 %
    assert RiskReason.ATTENDANCE in threshold(51)


# The same rules in the database ---------------------------------------------------------------


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _on_boundaries(today: dt.date) -> list:
    """(what changes for the first trainee, at risk?), on both sides of each rule's boundary."""
    day = dt.timedelta(days=1)
    return [
        ({}, False),
        # Last active late on the 14th day back, in the school's time zone; early on the 13th.
        ({"trainee": {"last_activity_at": _local(today - 14 * day, 23, 59)}}, True),
        ({"trainee": {"last_activity_at": _local(today - 13 * day, 0, 1)}}, False),
        # Never active: counted from the later of the cohort's start and the enrolment.
        (
            {
                "trainee": {"last_activity_at": None},
                "cohort": {"starts_on": today - 14 * day},
                "enrolment": {"enrolled_on": today - 14 * day},
            },
            True,
        ),
        (
            {
                "trainee": {"last_activity_at": None},
                "cohort": {"starts_on": today - 13 * day},
                "enrolment": {"enrolled_on": today - 20 * day},
            },
            False,
        ),
        (
            {
                "trainee": {"last_activity_at": None},
                "cohort": {"starts_on": today - 20 * day},
                "enrolment": {"enrolled_on": today - 13 * day},
            },
            False,
        ),
        # 20 points behind the cohort's median of 50, and 19.
        ({"trainee": {"progress_percent": 30}}, True),
        ({"trainee": {"progress_percent": 31}}, False),
        ({"trainee": {"grade_failing": True, "grade_items_open": 0}}, True),
        ({"trainee": {"grade_failing": True, "grade_items_open": 1}}, False),
        ({"trainee": {"attendance_failing": True}}, True),
        # The cohort ends in 14 days with work missing; in 15; in 14 with everything done.
        ({"cohort": {"ends_on": today + 14 * day}}, True),
        ({"cohort": {"ends_on": today + 15 * day}}, False),
        ({"cohort": {"ends_on": today + 14 * day}, "trainee": {"activities_done": 4}}, False),
        ({"cohort": {"ends_on": today}}, True),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case", range(15))
def test_the_database_finds_exactly_those_the_rules_name(case, django_capture_on_commit_callbacks):
    world = committed(django_capture_on_commit_callbacks, World)
    today = timezone.localdate()
    change, expected = _on_boundaries(today)[case]
    # Everyone of the cohort on track: active yesterday, at the median, nothing failing; the
    # others have done everything, so that a change to the cohort concerns the first alone.
    TraineeFigures.objects.filter(cohort=world.cohort).update(
        last_activity_at=timezone.now() - dt.timedelta(days=1),
        progress_percent=50,
        grade_failing=False,
        grade_items_open=0,
        attendance_failing=False,
        activities_done=4,
        activities_total=4,
        cohort_median_progress=50,
        cohort_starts_on=today - dt.timedelta(days=30),
    )
    # The cohort's and the enrolment's facts as the refresh copies them onto the rows.
    TraineeFigures.objects.filter(cohort=world.cohort).update(
        **{f"cohort_{name}": value for name, value in change.get("cohort", {}).items()}
    )
    first = world.enrolments[0]
    TraineeFigures.objects.filter(enrolment=first).update(
        **{"activities_done": 1, **change.get("trainee", {}), **change.get("enrolment", {})}
    )

    found = {row.pk for row in at_risk_figures(cohort_ids=[world.cohort.pk], today=today)}
    candidates = TraineeFigures.objects.filter(cohort=world.cohort)
    named = {row.pk for row in candidates if risk_reasons(row, today=today, thresholds=THRESHOLDS)}

    assert found == named
    assert (first.pk in found) is expected
    assert list(by_enrolment(trainees_at_risk(cohort_ids=[world.cohort.pk]))) == (
        [first.pk] if expected else []
    )


def test_idle_days_count_from_the_enrolment_when_it_came_after_the_start():
    # The cohort began a month ago; a trainee who joined 13 days ago has not been idle for 14.
    late = figures(last_activity_at=None)
    late.enrolled_on = TODAY - dt.timedelta(days=13)
    assert RiskReason.INACTIVE not in reasons(late)
    late.enrolled_on = TODAY - dt.timedelta(days=14)
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
    at_risk = by_enrolment(trainees_at_risk(cohort_ids=[world.cohort.pk]))
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

    listed = {item.figures.enrolment_id for item in trainees_at_risk(region=world.cohort.region)}

    assert done.pk not in listed and waiting.pk not in listed
    assert {e.pk for e in world.enrolments[1:]} <= listed
    # Were the cohort running, its ending would put the waiting trainee at risk.
    soon = TraineeFigures.objects.get(enrolment=waiting)
    assert trainees_at_risk(cohort_ids=[soon.cohort_id], today=today + dt.timedelta(days=1))
