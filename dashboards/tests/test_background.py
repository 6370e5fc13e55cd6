"""A change reaching many cohorts is refreshed by the worker; changes at the same moment leave
the figures right."""

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


@pytest.mark.django_db
@override_settings(DASHBOARDS_INLINE_REFRESH_LIMIT=1, TASKS=QUEUED)
def test_a_change_to_many_cohorts_goes_to_the_worker(world, commit):
    new_case = commit(factories.case_study, world.module, "4", live=False)

    commit(lambda: new_case.save_revision().publish())

    # Two cohorts teach the programme: more than the request refreshes itself.
    assert commit.refreshes == 0
    [queued] = DBTaskResult.objects.filter(task_path="dashboards.tasks.refresh_figures")
    assert set(stale_cohort_ids()) == {world.cohort.pk, world.other.pk}
    assert trainee_figures(world.enrolments[0]).activities_total == 4

    # What the worker runs (a real `db_worker` would close the test's connection).
    assert refresh_figures.call(*queued.args_kwargs["args"]) == 2

    assert trainee_figures(world.enrolments[0]).activities_total == 5
    assert trainee_figures(world.other_enrolment).activities_total == 5
    assert stale_cohort_ids() == []


@pytest.mark.django_db
@override_settings(DASHBOARDS_INLINE_REFRESH_LIMIT=1, TASKS=QUEUED)
def test_a_change_to_as_many_cohorts_as_the_limit_is_refreshed_in_the_request(world, commit):
    commit(study_lesson, world, world.enrolments[0])

    assert commit.refreshes == 1
    assert not DBTaskResult.objects.filter(task_path="dashboards.tasks.refresh_figures").exists()
    assert trainee_figures(world.enrolments[0]).activities_done == 1


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
