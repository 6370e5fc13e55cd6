"""The trainee's learning path: "Моё обучение", module states and marking lessons studied."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import ActivityCompletion, CaseStudyPage, LessonPage, ModulePage
from courses.progress import learning_overview
from courses.services import activity_complete
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    factories.site_home()
    return factories.program([[("theory", "2"), ("practice", "6")], [("theory", "1")]])


@pytest.fixture
def enrolment(trainee, program):
    return factories.enrol(trainee, factories.cohort(program))


def first_lesson(program) -> LessonPage:
    return LessonPage.objects.descendant_of(program).order_by("path").first()


def test_learning_home_shows_cohort_programme_and_hours_progress(client, trainee, enrolment):
    activity_complete(
        enrolment=enrolment,
        activity=CaseStudyPage.objects.get(),
        source=ActivityCompletion.Source.SUBMISSION,
    )
    client.force_login(trainee)

    html = client.get(reverse("courses:learning")).content.decode()

    assert enrolment.cohort.name in html and enrolment.program.title in html
    assert 'id="progress-total-' in html and 'value="6.0"' in html and 'max="9.0"' in html
    assert 'id="progress-practice-' in html and 'id="progress-theory-' in html
    # The next activity is the first one not done: the lesson of module 1.
    assert first_lesson(enrolment.program).title in html


def test_marking_a_lesson_studied_moves_the_progress(client, trainee, enrolment):
    lesson = first_lesson(enrolment.program)
    client.force_login(trainee)
    assert learning_overview(trainee)[0].done.total_hours == 0

    response = client.post(reverse("courses:mark_studied", args=(lesson.pk,)))
    client.post(reverse("courses:mark_studied", args=(lesson.pk,)))  # twice changes nothing

    # It leads on to the next activity (courses/tests/test_navigation.py has the details).
    assert response.status_code == 302 and response.url != lesson.url
    [progress] = learning_overview(trainee)
    assert progress.done.theory_hours == Decimal("2") and progress.done.percent == 22
    assert ActivityCompletion.objects.get().source == ActivityCompletion.Source.SELF
    page = client.get(lesson.url).content.decode()
    assert "courses/mark_studied" not in page and "state-done" in page


def test_module_page_shows_each_activitys_state(client, trainee, enrolment):
    module = ModulePage.objects.child_of(enrolment.program).first()
    activity_complete(
        enrolment=enrolment,
        activity=first_lesson(enrolment.program),
        source=ActivityCompletion.Source.SELF,
    )
    client.force_login(trainee)

    html = client.get(module.url).content.decode()

    assert html.count("state-done") == 1


def test_only_an_active_trainee_of_the_programme_can_mark_lessons(client, enrolment, program):
    lesson = first_lesson(program)
    outsider = factories.user("Trainee")
    client.force_login(outsider)
    assert client.post(reverse("courses:mark_studied", args=(lesson.pk,))).status_code == 403

    factories.withdraw(enrolment)
    client.force_login(enrolment.trainee)
    assert client.post(reverse("courses:mark_studied", args=(lesson.pk,))).status_code == 403
    assert not ActivityCompletion.objects.exists()


def test_draft_lessons_cannot_be_marked(client, trainee, enrolment):
    module = ModulePage.objects.child_of(enrolment.program).first()
    draft = factories.lesson(module, "1", live=False)
    client.force_login(trainee)

    assert client.post(reverse("courses:mark_studied", args=(draft.pk,))).status_code == 404


def test_a_trainee_sees_only_the_programmes_of_their_enrolments(client, trainee, enrolment):
    other = factories.program(title="Чужая программа")
    client.force_login(trainee)

    assert client.get(enrolment.program.url).status_code == 200
    assert client.get(other.url).status_code == 403
    assert client.get(first_lesson(other).url).status_code == 403
    assert "Чужая программа" not in client.get("/").content.decode()


def test_a_withdrawn_trainee_loses_access(client, trainee, enrolment):
    factories.withdraw(enrolment)
    client.force_login(trainee)

    assert client.get(enrolment.program.url).status_code == 403
    assert learning_overview(trainee) == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(program, modules: int, activities: int, trainees: int, cohort):
    for number in range(modules):
        module = program.add_child(
            instance=ModulePage(title=f"Доп. модуль {number}", slug=f"extra-{program.pk}-{number}")
        )
        for _ in range(activities):
            factories.case_study(module, "3")
            factories.lesson(module, "1")
    for _ in range(trainees):
        factories.enrol(factories.user("Trainee"), cohort)


def test_learning_home_and_module_page_run_a_constant_number_of_queries(
    client, trainee, enrolment, drawn_afresh
):
    program = enrolment.program
    module = ModulePage.objects.child_of(program).first()
    lesson = first_lesson(program)
    activity_complete(enrolment=enrolment, activity=lesson, source="self")
    client.force_login(trainee)
    client.get(reverse("courses:learning"))  # warm caches (site root paths)

    small = (_queries(client, reverse("courses:learning")), _queries(client, module.url))
    _grow(program, modules=4, activities=5, trainees=10, cohort=enrolment.cohort)
    for extra in range(5):
        factories.case_study(module, "2", title=f"Ещё кейс {extra}")
    large = (_queries(client, reverse("courses:learning")), _queries(client, module.url))

    assert small == large


def test_staff_without_enrolments_land_on_their_cohorts(client, official):
    client.force_login(official)

    response = client.get(reverse("courses:learning"))

    assert response.status_code == 302 and response.url == reverse("courses:cohort_list")
