"""The pages people use run the same number of queries however much the school holds (issue 13).

Each page is drawn afresh (nothing kept: `drawn_afresh`), at a small school and again once the
school has grown around it — more modules, trainees with attempts, case work and attendance,
more sessions and messages, another cohort. The pages with tests of their own at two sizes
(home, module, lesson, case study, record, cohort roster, gradebook, dashboards, certificate
register) are in their apps; these are the rest of `make bench`'s pages. A one-off action (a
quiz started, an attempt submitted) is one trainee's at the small size and another's, in the
same situation, at the large one.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.casework import submission_save
from assessments.models import QuestionKind, QuizAttempt
from assessments.services import attempt_start
from certificates.codes import display_code
from courses.models import CaseStudyPage, ModulePage
from notifications.services import notify
from schedule.models import Session
from schedule.services import attendance_mark
from tests import factories

pytestmark = pytest.mark.django_db


def _session(cohort, days: int) -> Session:
    start = timezone.now() + dt.timedelta(days=days)
    return Session.objects.create(
        cohort=cohort,
        topic="Меры поддержки",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def school(drawn_afresh):
    factories.site_home()
    program = factories.program([[("theory", "2"), ("practice", "6")], [("theory", "1")]])
    module = ModulePage.objects.child_of(program).first()
    bank = factories.question_bank()
    for number in range(3):
        factories.question(
            bank, QuestionKind.SINGLE, options=[(f"Верно {number}", True), ("Неверно", False)]
        )
    quiz = factories.quiz(module, [bank], attempts_allowed=3)
    case = CaseStudyPage.objects.descendant_of(program).first()
    factories.rubric(case, [("Анализ", [("Слабо", "0"), ("Отлично", "4")])])
    today = timezone.localdate()
    cohort = factories.cohort(
        program, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30)
    )
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    people = {name: factories.user("Trainee") for name in ("reader", "a", "b", "c", "d")}
    enrolments = {name: factories.enrol(user, cohort) for name, user in people.items()}
    _session(cohort, -3)
    _session(cohort, 3)
    notify(recipient=people["reader"], subject="Добро пожаловать")
    attempt = attempt_start(user=people["reader"], quiz=quiz)
    certificate = factories.certificate(enrolments["reader"])
    return {
        "program": program,
        "module": module,
        "quiz": quiz,
        "case": case,
        "cohort": cohort,
        "instructor": instructor,
        "people": people,
        "enrolments": enrolments,
        "attempt": attempt,
        "certificate": certificate,
    }


def grow(school) -> None:
    program, cohort = school["program"], school["cohort"]
    for number in range(3):
        module = program.add_child(
            instance=ModulePage(title=f"Доп. модуль {number}", slug=f"grown-{number}")
        )
        factories.lesson(module, "1")
        factories.case_study(module, "3")
    past = [_session(cohort, -day) for day in range(4, 10)]
    for _ in range(8):
        trainee = factories.user("Trainee")
        enrolment = factories.enrol(trainee, cohort)
        attempt_start(user=trainee, quiz=school["quiz"])
        submission_save(
            user=trainee,
            case=school["case"],
            answers={str(school["case"].tasks.get().pk): "План"},
            files=[],
            remove_files=[],
            submit=True,
        )
        for session in past:
            attendance_mark(session=session, enrolment=enrolment, status="present", by=None)
    for number in range(10):
        notify(recipient=school["people"]["reader"], subject=f"Сообщение {number}")
    for session in past:
        attendance_mark(
            session=session, enrolment=school["enrolments"]["reader"], status="present", by=None
        )
    other = factories.cohort(program, name="Другая группа")
    for _ in range(5):
        factories.enrol(factories.user("Trainee"), other)


def queries(user, method: str, url: str, data=None) -> int:
    """The queries of the request; a page is asked once before, as what a first visit makes
    once (a calendar key, Wagtail's profile of the user) is not what the data costs."""
    client = Client()
    client.force_login(user)
    if method == "get":
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(captured)


def measure(school, starter: str, submitter: str) -> dict[str, int]:
    reader, instructor = school["people"]["reader"], school["instructor"]
    attempt = school["attempt"]
    submitted = attempt_start(user=school["people"][submitter], quiz=school["quiz"])
    return {
        "programme": queries(reader, "get", school["program"].url),
        "quiz page": queries(reader, "get", school["quiz"].url),
        "open attempt": queries(reader, "get", reverse("assessments:attempt", args=(attempt.pk,))),
        "answer saved": queries(
            reader, "post", reverse("assessments:autosave", args=(attempt.pk,))
        ),
        "quiz started": queries(
            school["people"][starter],
            "post",
            reverse("assessments:start", args=(school["quiz"].pk,)),
        ),
        "attempt submitted": queries(
            school["people"][submitter],
            "post",
            reverse("assessments:submit", args=(submitted.pk,)),
        ),
        "schedule": queries(reader, "get", reverse("schedule:mine")),
        "notifications": queries(reader, "get", reverse("notifications:list")),
        "grading queue": queries(
            instructor, "get", reverse("assessments:queue", args=(school["cohort"].pk,))
        ),
        "verification": queries(
            reader,
            "get",
            reverse("certificates:verify", args=(display_code(school["certificate"].code),)),
        ),
    }


def test_every_page_runs_the_same_queries_when_the_school_grows(school):
    small = measure(school, starter="a", submitter="b")
    grow(school)
    large = measure(school, starter="c", submitter="d")

    assert large == small
    # The one-off actions did what they say, at both sizes.
    assert QuizAttempt.objects.filter(status=QuizAttempt.Status.GRADED).count() == 2
