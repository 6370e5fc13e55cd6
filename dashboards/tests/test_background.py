"""Changes are refreshed by the worker, once per cohort however many changes it queued; changes
at the same moment leave the figures right."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dashboards.models import CohortFigures, FiguresInvalidation, TraineeFigures
from dashboards.services import rebuild_figures, stale_cohort_ids
from dashboards.tasks import refresh_figures
from schedule.models import Session
from schedule.services import mark_all_present
from tests import factories
from tests.concurrency import assert_no_errors, concurrency_test, run_together

from .actions import study_lesson
from .conftest import World, snapshot, trainee_figures

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_refreshes() -> list[list[int]]:
    return [
        result.args_kwargs["args"][0]
        for result in DBTaskResult.objects.filter(
            task_path="dashboards.tasks.refresh_figures"
        ).order_by("enqueued_at")
    ]


@pytest.mark.django_db
@override_settings(TASKS=QUEUED)
def test_a_change_to_many_cohorts_goes_to_the_worker(world, commit):
    new_case = commit(factories.case_study, world.module, "4", live=False)

    commit(lambda: new_case.save_revision().publish())

    # Two cohorts teach the programme: one task for both, nothing refreshed in the request.
    assert commit.refreshes == 0
    assert queued_refreshes() == [sorted([world.cohort.pk, world.other.pk])]
    assert set(stale_cohort_ids()) == {world.cohort.pk, world.other.pk}
    assert trainee_figures(world.enrolments[0]).activities_total == 4

    # What the worker runs (a real `db_worker` would close the test's connection).
    assert refresh_figures.call(queued_refreshes()[0]) == 2

    assert trainee_figures(world.enrolments[0]).activities_total == 5
    assert trainee_figures(world.other_enrolment).activities_total == 5
    assert stale_cohort_ids() == []


@pytest.mark.django_db
@override_settings(TASKS=QUEUED)
def test_a_trainees_work_does_not_wait_for_the_figures(world, commit):
    commit(study_lesson, world, world.enrolments[0])

    assert commit.refreshes == 0
    assert queued_refreshes() == [[world.cohort.pk]]
    assert stale_cohort_ids() == [world.cohort.pk]
    assert trainee_figures(world.enrolments[0]).activities_done == 0

    assert refresh_figures.call([world.cohort.pk]) == 1

    assert trainee_figures(world.enrolments[0]).activities_done == 1
    assert stale_cohort_ids() == []


@pytest.mark.django_db
# Both settings in one override: pytest-django's `settings` fixture, undone after this one,
# would put back the queued TASKS it saw for every test after.
@override_settings(TASKS=QUEUED, DASHBOARDS_COALESCE_REFRESHES=True)
def test_many_changes_to_a_cohort_are_refreshed_once(world, commit):
    """While a cohort's refresh waits in the queue, another change to it queues nothing: the
    waiting refresh sees both. Once it has started, the next change queues again. (The mark is
    in the shared cache; here the test's own memory, where the task below runs too.)"""
    commit(study_lesson, world, world.enrolments[0])
    commit(study_lesson, world, world.enrolments[1])
    [waiting] = queued_refreshes()

    assert refresh_figures.call(waiting) == 1
    assert [trainee_figures(e).activities_done for e in world.enrolments[:2]] == [1, 1]
    assert stale_cohort_ids() == []

    commit(study_lesson, world, world.enrolments[2])
    assert len(queued_refreshes()) == 2
    assert refresh_figures.call(queued_refreshes()[-1]) == 1
    assert trainee_figures(world.enrolments[2]).activities_done == 1


@pytest.mark.django_db
@override_settings(TASKS=QUEUED)
def test_a_refresh_behind_another_finds_its_cohort_caught_up(world, commit):
    """Two refreshes queued for one cohort (without the shared mark, as here, or one from a
    change to many cohorts): the first sees both changes, the second recomputes nothing."""
    commit(study_lesson, world, world.enrolments[0])
    commit(study_lesson, world, world.enrolments[1])
    first, second = queued_refreshes()

    assert refresh_figures.call(first) == 1
    assert [trainee_figures(e).activities_done for e in world.enrolments[:2]] == [1, 1]
    assert refresh_figures.call(second) == 0


@concurrency_test
def test_trainees_and_their_instructor_at_the_same_moment():
    world = World(trainees=5)
    session = Session.objects.create(
        cohort=world.cohort,
        topic="Финансы семьи",
        starts_at=world.cohort.starts_on.isoformat() + "T10:00:00+03:00",
        ends_at=world.cohort.starts_on.isoformat() + "T12:00:00+03:00",
    )

    def studies(enrolment):
        return lambda: transaction.atomic(study_lesson)(world, enrolment)

    outcomes = run_together(
        *[studies(enrolment) for enrolment in world.enrolments],
        lambda: mark_all_present(session=session, by=world.instructor),
    )

    assert_no_errors(outcomes)
    assert not FiguresInvalidation.objects.exists()
    kept = (snapshot(TraineeFigures), snapshot(CohortFigures))
    rebuild_figures()
    assert (snapshot(TraineeFigures), snapshot(CohortFigures)) == kept
    figures = CohortFigures.objects.get(cohort=world.cohort)
    assert (figures.attended, figures.counted, figures.hours_done) == (5, 5, 10)


@pytest.mark.django_db
@override_settings(TASKS=QUEUED)
def test_a_refresh_waits_behind_the_tasks_people_wait_for(world, commit):
    """A certificate batch, an import or a mail queued after a refresh is still taken first."""
    from django_tasks.base import DEFAULT_TASK_PRIORITY

    commit(study_lesson, world, world.enrolments[0])

    assert queued_refreshes() == [[world.cohort.pk]]
    [queued] = DBTaskResult.objects.filter(task_path="dashboards.tasks.refresh_figures")
    assert queued.priority < DEFAULT_TASK_PRIORITY
