"""A small school for the dashboards' tests: one programme (a lesson, two case studies and a
quiz), two running cohorts in Tambov (68) and a third in another programme in Yugra (86)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import QuestionKind
from courses.models import CaseStudyPage, LessonPage, ModulePage
from dashboards import services
from dashboards.models import CohortFigures, TraineeFigures
from dashboards.services import rebuild_figures
from tests import factories


class World:
    def __init__(self, *, trainees: int = 3):
        factories.site_home()
        today = timezone.localdate()
        running = {
            "starts_on": today - dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=40),
        }
        self.program = factories.program([[("theory", "2"), ("practice", "6"), ("practice", "6")]])
        self.module = ModulePage.objects.child_of(self.program).get()
        bank = factories.question_bank()
        self.question = factories.question(
            bank, QuestionKind.SINGLE, options=[("Неверно", False), ("Верно", True)]
        )
        self.quiz = factories.quiz(self.module, [bank], attempts_allowed=3, pass_mark=50)
        self.lesson = LessonPage.objects.descendant_of(self.program).get()
        self.cases = list(CaseStudyPage.objects.descendant_of(self.program).order_by("path"))
        self.criteria = [
            factories.rubric(case, [("Анализ", [("Слабо", "0"), ("Отлично", "10")])])[0]
            for case in self.cases
        ]
        self.cohort = factories.cohort(self.program, name="Группа A", capacity=30, **running)
        self.other = factories.cohort(self.program, name="Группа B", capacity=30, **running)
        self.elsewhere = factories.cohort(
            factories.program(), name="Группа Ю", region_code="86", **running
        )
        self.instructor = factories.user("Instructor")
        self.cohort.instructors.add(self.instructor)
        self.other.instructors.add(self.instructor)
        self.official = factories.user("Regional official")
        self.enrolments = [
            factories.enrol(factories.user("Trainee", last_name=f"Иванов{i}"), self.cohort)
            for i in range(trainees)
        ]
        self.other_enrolment = factories.enrol(factories.user("Trainee"), self.other)
        factories.enrol(factories.user("Trainee", region_code="86"), self.elsewhere)
        rebuild_figures()

    @property
    def trainee(self):
        return self.enrolments[0].trainee


def committed(capture, build):
    """Build as a committed request would: the on-commit refreshes run (a test's transaction
    never commits, so what it collected would otherwise wait for a commit that never comes)."""
    with capture(execute=True):
        return build()


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    return committed(django_capture_on_commit_callbacks, World)


@pytest.fixture
def commit(django_capture_on_commit_callbacks, monkeypatch):
    """Run `action` as a request would: its transaction commits, then the refresh runs.
    Records how many cohort refreshes ran (each takes its cohort's lock once, on any database)."""
    locked: list[int] = []
    take_lock = services._lock

    def counted_lock(cohort_id: int) -> None:
        locked.append(cohort_id)
        take_lock(cohort_id)

    monkeypatch.setattr(services, "_lock", counted_lock)

    def run(action, *args, **kwargs):
        locked.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        run.refreshes = len(locked)
        run.result = result
        return result

    return run


def cohort_figures(cohort) -> CohortFigures:
    return CohortFigures.objects.get(cohort=cohort)


def trainee_figures(enrolment) -> TraineeFigures:
    return TraineeFigures.objects.get(enrolment=enrolment)


def snapshot(model, **filters) -> dict:
    """Every stored field but the time of writing, by primary key."""
    fields = [f.attname for f in model._meta.concrete_fields if f.name != "updated_at"]
    return {row["pk"]: row for row in model.objects.filter(**filters).values("pk", *fields)}


ZERO = Decimal("0")
