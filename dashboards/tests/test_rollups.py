"""The stored rollups equal a full recomputation, and the refresh costs the same queries for
any cohort size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.services import issue_certificate, reissue_certificate, revoke_certificate
from courses.models import Enrolment
from courses.services import enrolment_withdraw
from dashboards import services
from dashboards.models import (
    CohortFigures,
    FiguresInvalidation,
    Standing,
    TraineeFigures,
    WeeklyCompletions,
    completion_rate,
)
from dashboards.selectors import cohort_trainees, federal_region_figures, region_cohort_figures
from dashboards.services import rebuild_figures, refresh_cohort_figures, stale_cohort_ids
from records.selectors import cohort_records
from schedule.models import Session
from schedule.services import attendance_mark
from tests import factories

from .actions import complete, grade_case, study_lesson, submit_case, take_quiz
from .conftest import World, cohort_figures, committed, snapshot, trainee_figures

pytestmark = pytest.mark.django_db

MODELS = (TraineeFigures, CohortFigures, WeeklyCompletions)


def every_state(world: World, commit) -> None:
    """Trainees in every state, made through the services: complete (one certified, one whose
    certificate was revoked, one reissued), partway, failing, absent, withdrawn, untouched."""
    factories.certificate_template(world.program)
    more = [
        commit(factories.enrol, factories.user("Trainee", last_name=f"Петров{i}"), world.cohort)
        for i in range(5)
    ]
    done, certified, revoked, partway, failing = (*world.enrolments, *more)[:5]
    withdrawn, untouched = more[3], more[4]
    session = commit(
        Session.objects.create,
        cohort=world.cohort,
        topic="Финансы семьи",
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=2),
    )
    for enrolment in (done, certified, revoked):
        commit(complete, world, enrolment)
        commit(attendance_mark, session=session, enrolment=enrolment, status="present", by=None)
    commit(attendance_mark, session=session, enrolment=partway, status="absent", by=None)
    commit(attendance_mark, session=session, enrolment=failing, status="excused", by=None)
    first = commit(issue_certificate, enrolment=certified)
    commit(reissue_certificate, certificate=first, by=world.official, reason="Опечатка")
    gone = commit(issue_certificate, enrolment=revoked)
    commit(revoke_certificate, certificate=gone, by=world.official, reason="Ошибка")
    commit(study_lesson, world, partway)
    commit(take_quiz, world, failing, right=False)
    for index in range(2):
        commit(lambda i=index: grade_case(world, submit_case(world, failing, i), top=False))
    commit(study_lesson, world, withdrawn)
    commit(
        enrolment_withdraw, enrolment=withdrawn, on=timezone.localdate(), reason="Переезд", by=None
    )
    commit(complete, world, world.other_enrolment)
    assert untouched.status == Enrolment.Status.ACTIVE


def stored() -> dict:
    rows = {model.__name__: snapshot(model) for model in MODELS}
    # Weeks are rewritten at each refresh: compare them by cohort and week, not by id.
    rows["WeeklyCompletions"] = {
        (row["cohort_id"], row["week_start"]): {
            k: v for k, v in row.items() if k not in ("pk", "id")
        }
        for row in rows["WeeklyCompletions"].values()
    }
    return rows


def test_the_rollups_equal_a_full_recomputation_for_every_cohort(world, commit):
    every_state(world, commit)
    # A cohort created after the others, and one whose dates were moved.
    commit(factories.cohort, world.program, name="Группа C")
    world.other.ends_on = timezone.localdate() + dt.timedelta(days=5)
    commit(world.other.save)
    kept = stored()
    assert not FiguresInvalidation.objects.exists()

    TraineeFigures.objects.all().delete()
    CohortFigures.objects.all().delete()
    WeeklyCompletions.objects.all().delete()
    rebuild_figures()

    rebuilt = stored()
    for model in kept:
        assert kept[model].keys() == rebuilt[model].keys(), model
        for pk, row in kept[model].items():
            for name, value in row.items():
                assert rebuilt[model][pk][name] == value, (model, pk, name)
    assert len(kept["TraineeFigures"]) == 10
    assert len(kept["CohortFigures"]) == 4


def test_the_rollups_say_what_the_completion_service_says(world, commit):
    every_state(world, commit)

    view = cohort_records(cohort=world.cohort)
    for record in view.records:
        figures = trainee_figures(record.enrolment)
        assert figures.complete == record.complete
        assert figures.final_grade == record.grades.final
        assert figures.attendance_rate == record.attendance.percent
        assert figures.activities_done == len(
            [a for m in view.breakdown.modules for a in m.activities]
        ) - len(record.completion.missing)
    cohort = cohort_figures(world.cohort)
    assert (cohort.enrolled, cohort.completed, cohort.withdrawn, cohort.active) == (8, 3, 1, 4)
    assert cohort.certificates == 1  # the reissued one; the revoked one does not count
    assert cohort.completion_rate == Decimal("42.9")  # 3 of the 7 still in the cohort
    # 3 present of 6 counted: one session; one trainee excused, the withdrawn one left out.
    assert cohort.attendance_rate == Decimal("50.0")
    assert WeeklyCompletions.objects.get(cohort=world.cohort).count == 3


def test_completion_rate_counts_those_still_in_the_cohort():
    assert completion_rate(completed=3, enrolled=10, withdrawn=4) == Decimal("50.0")
    assert completion_rate(completed=0, enrolled=2, withdrawn=2) is None
    assert completion_rate(completed=0, enrolled=0, withdrawn=0) is None


def refresh_queries(cohort) -> int:
    with CaptureQueriesContext(connection) as queries:
        refresh_cohort_figures(cohort_id=cohort.pk)
    return len(queries)


def test_the_refresh_costs_the_same_queries_whatever_the_cohort_size(
    db, django_capture_on_commit_callbacks
):
    small = committed(django_capture_on_commit_callbacks, lambda: World(trainees=2))
    large = committed(django_capture_on_commit_callbacks, lambda: World(trainees=12))
    for world in (small, large):
        for enrolment in world.enrolments:
            committed(
                django_capture_on_commit_callbacks, lambda w=world, e=enrolment: complete(w, e)
            )

    counts = {refresh_queries(small.cohort), refresh_queries(large.cohort)}

    assert len(counts) == 1
    assert counts.pop() <= 27


def test_a_failed_refresh_leaves_the_cohort_stale_until_rebuilt(world, commit, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "cohort_records", broken)
    commit(study_lesson, world, world.enrolments[0])

    # The change itself is saved; the figures are not, and say so.
    assert "could not be refreshed" in caplog.text
    assert trainee_figures(world.enrolments[0]).activities_done == 0
    assert stale_cohort_ids() == [world.cohort.pk]
    shown = {row.cohort_id: row.stale for row in region_cohort_figures(region=world.cohort.region)}
    assert shown == {world.cohort.pk: True, world.other.pk: False}
    tambov = next(row for row in federal_region_figures() if row.code == "68")
    assert tambov.stale == 1

    monkeypatch.undo()
    call_command("rebuild_figures", "--stale", verbosity=0)

    assert trainee_figures(world.enrolments[0]).activities_done == 1
    assert stale_cohort_ids() == []


def test_a_session_ending_makes_the_figures_due(world, commit):
    start = timezone.now() - dt.timedelta(minutes=30)
    session = commit(
        Session.objects.create,
        cohort=world.cohort,
        topic="Финансы семьи",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    assert cohort_figures(world.cohort).due_at == session.ends_at
    assert world.cohort.pk not in stale_cohort_ids()
    assert world.cohort.pk in stale_cohort_ids(now=session.ends_at)


def test_the_command_refuses_an_unknown_cohort(world):
    with pytest.raises(CommandError, match="No cohort has the id 999999"):
        call_command("rebuild_figures", "--cohort", "999999")


def test_the_command_rebuilds_one_cohort(world, capsys):
    CohortFigures.objects.filter(cohort=world.cohort).delete()

    call_command("rebuild_figures", "--cohort", str(world.cohort.pk))

    assert cohort_figures(world.cohort).enrolled == 3
    assert "1 cohort" in capsys.readouterr().out


def test_a_bulk_loader_pauses_the_refreshes_and_rebuilds_once(world, commit):
    with services.figures_paused():
        commit(study_lesson, world, world.enrolments[0])

    assert commit.refreshes == 0
    assert not FiguresInvalidation.objects.exists()
    assert trainee_figures(world.enrolments[0]).activities_done == 0
    assert not services.is_paused()

    rebuild_figures(cohort_ids=[world.cohort.pk])

    assert trainee_figures(world.enrolments[0]).activities_done == 1


# Rates and means from the sums --------------------------------------------------------------


def test_the_mean_final_grade_is_of_those_graded_rounded_half_up():
    # Two graded of five enrolled (one withdrawn, two with no grade yet): 70.5 / 2 = 35.25.
    figures = CohortFigures(enrolled=5, withdrawn=1, graded=2, grade_sum=Decimal("70.5"))
    assert figures.mean_final_grade == Decimal("35.3")
    assert CohortFigures(enrolled=3, graded=0, grade_sum=Decimal("0")).mean_final_grade is None


def test_attendance_with_no_session_counted_is_no_figure_not_zero():
    assert CohortFigures(attended=0, counted=0).attendance_rate is None
    assert CohortFigures(attended=1, counted=3).attendance_rate == Decimal("33.3")


# Staleness and repair -------------------------------------------------------------------------


def test_a_change_made_during_a_refresh_keeps_the_cohort_stale(world, monkeypatch):
    """A change committed while a refresh reads (after it has listed the invalidations it
    deletes) may be missed by it: its own invalidation must survive for its own refresh."""
    records = services.cohort_records

    def meanwhile(**kwargs):
        services.invalidate(cohort_ids=[world.cohort.pk])
        return records(**kwargs)

    services.invalidate(cohort_ids=[world.cohort.pk])
    monkeypatch.setattr(services, "cohort_records", meanwhile)

    refresh_cohort_figures(cohort_id=world.cohort.pk)

    assert FiguresInvalidation.objects.filter(cohort_id=world.cohort.pk).count() == 1
    assert stale_cohort_ids() == [world.cohort.pk]


def test_a_cohort_without_figures_is_stale_and_the_repair_builds_them(world):
    # Written by a bulk loader: neither refreshed nor marked out of date.
    with services.figures_paused():
        fresh = factories.cohort(world.program, name="Группа Новая")
    assert not CohortFigures.objects.filter(cohort=fresh).exists()
    assert not FiguresInvalidation.objects.exists()
    assert stale_cohort_ids() == [fresh.pk]

    call_command("rebuild_figures", "--stale", verbosity=0)

    assert cohort_figures(fresh).enrolled == 0
    assert stale_cohort_ids() == []


def test_the_repair_of_given_cohorts_refreshes_only_the_stale_among_them(world):
    services.invalidate(cohort_ids=[world.cohort.pk, world.other.pk])

    assert rebuild_figures(cohort_ids=[world.cohort.pk, world.elsewhere.pk], only_stale=True) == 1

    assert stale_cohort_ids() == [world.other.pk]


def test_a_refresh_that_fails_is_not_counted(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "cohort_records", broken)

    assert rebuild_figures(cohort_ids=[world.cohort.pk, world.other.pk]) == 0


def test_the_refresh_of_a_deleted_cohort_drops_its_invalidations_quietly(world, caplog):
    gone = world.cohort.pk + 1000
    services.invalidate(cohort_ids=[gone])

    assert services.refresh_quietly(cohort_id=gone) is False

    assert not FiguresInvalidation.objects.filter(cohort_id=gone).exists()
    assert "could not be refreshed" not in caplog.text


def test_the_week_of_a_completion_is_on_the_schools_clock():
    # Sunday 22:00 in UTC is already Monday 01:00 in Moscow: the new week.
    sunday_night = dt.datetime(2026, 3, 1, 22, 0, tzinfo=dt.UTC)
    assert services.week_start(sunday_night) == dt.date(2026, 3, 2)
    assert services.week_start(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)) == dt.date(
        2026, 2, 23
    )


def _moment(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_an_ended_cohorts_unfinished_trainee_is_not_active(world, commit):
    """Active = not completed, not withdrawn, the cohort not yet over. On its last day an
    unfinished trainee is still active; from the next midnight they did not complete, counted
    in `enrolled` only, and the cohort's figures are due then without any write."""
    commit(complete, world, world.enrolments[0])
    commit(factories.withdraw, world.enrolments[1])
    last_day = world.cohort.ends_on

    figures = refresh_cohort_figures(cohort_id=world.cohort.pk, now=_moment(last_day, 23, 59))
    assert (figures.enrolled, figures.active, figures.completed, figures.withdrawn) == (3, 1, 1, 1)
    # Due at the cohort's end (no session is scheduled after it).
    assert figures.due_at == _moment(last_day + dt.timedelta(days=1))

    figures = refresh_cohort_figures(
        cohort_id=world.cohort.pk, now=_moment(last_day + dt.timedelta(days=1))
    )
    assert (figures.enrolled, figures.active, figures.completed, figures.withdrawn) == (3, 0, 1, 1)
    assert figures.due_at is None
    standings = {
        row.figures.enrolment_id: row.standing
        for row in cohort_trainees(cohort_id=world.cohort.pk, today=last_day + dt.timedelta(days=1))
    }
    assert standings == {
        world.enrolments[0].pk: Standing.COMPLETED,
        world.enrolments[1].pk: Standing.WITHDRAWN,
        world.enrolments[2].pk: Standing.NOT_COMPLETED,
    }
    on_the_last_day = cohort_trainees(cohort_id=world.cohort.pk, today=last_day)
    assert {row.standing for row in on_the_last_day} == {
        Standing.COMPLETED,
        Standing.WITHDRAWN,
        Standing.ACTIVE,
    }


def test_a_cohort_whose_end_has_passed_is_stale_until_refreshed(world):
    CohortFigures.objects.filter(cohort=world.cohort).update(
        due_at=_moment(world.cohort.ends_on + dt.timedelta(days=1))
    )
    assert world.cohort.pk not in stale_cohort_ids(now=_moment(world.cohort.ends_on, 23, 59))
    assert world.cohort.pk in stale_cohort_ids(
        now=_moment(world.cohort.ends_on + dt.timedelta(days=1))
    )
