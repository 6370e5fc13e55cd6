"""The trainee's record page: who may open it, and what it lists for each of them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import CaseGrade, CaseSubmission
from assessments.services import attempt_start, attempt_submit
from courses.models import CaseStudyPage, ModulePage
from schedule.models import Session
from schedule.services import attendance_mark
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program([[("theory", "2"), ("practice", "6")], [("theory", "1")]])
    today = timezone.localdate()
    cohort = factories.cohort(
        program,
        region_code="68",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=20),
    )
    instructor = factories.user("Instructor", region_code="68")
    cohort.instructors.add(instructor)
    trainee = factories.user("Trainee", last_name="Соколова")
    classmate = factories.user("Trainee", last_name="Петрова")
    enrolment = factories.enrol(trainee, cohort)
    factories.enrol(classmate, cohort)
    bank = factories.question_bank()
    factories.question(bank, "true_false")
    quiz = factories.quiz(ModulePage.objects.child_of(program).first(), [bank], title="Тест 1")
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt, _result = attempt_submit(attempt=attempt, data={})
    case = CaseStudyPage.objects.descendant_of(program).get()
    submission = CaseSubmission.objects.create(
        enrolment=enrolment, case=case, status="graded", submitted_at=timezone.now()
    )
    CaseGrade.objects.create(
        submission=submission,
        grader=instructor,
        score=Decimal("7"),
        max_score=Decimal("10"),
        percent=Decimal("73.5"),
        graded_at=timezone.now(),
        released_at=None,  # graded, not yet released
    )
    now = timezone.now()
    held = Session.objects.create(
        cohort=cohort,
        topic="Финансы семьи",
        starts_at=now - dt.timedelta(days=2, hours=2),
        ends_at=now - dt.timedelta(days=2),
    )
    Session.objects.create(
        cohort=cohort,
        topic="Бюджет на месяц",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=2),
    )
    attendance_mark(session=held, enrolment=enrolment, status="late", by=instructor)
    return {
        "program": program,
        "cohort": cohort,
        "instructor": instructor,
        "trainee": trainee,
        "classmate": classmate,
        "enrolment": enrolment,
        "attempt": attempt,
        "submission": submission,
    }


def record_of(client, user, enrolment):
    client.force_login(user)
    return client.get(reverse("records:record", args=(enrolment.pk,)))


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        ("trainee", 200),
        ("classmate", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("official", 200),
        ("other_official", 404),
        ("federal", 200),
        ("admin", 200),
    ],
)
def test_who_may_open_a_record(client, world, who, answer):
    users = {
        "trainee": world["trainee"],
        "classmate": world["classmate"],
        "instructor": world["instructor"],
        "other_instructor": factories.user("Instructor", region_code="68"),
        "official": factories.user("Regional official", region_code="68"),
        "other_official": factories.user("Regional official", region_code="86"),
        "federal": factories.user("Federal official", region_code="77"),
        "admin": factories.user("Administrator", is_superuser=True),
    }

    assert record_of(client, users[who], world["enrolment"]).status_code == answer


def test_staff_see_every_part_of_the_record_with_links_to_grade(client, world):
    html = record_of(client, world["instructor"], world["enrolment"]).content.decode()

    assert "Модуль 1" in html and "Модуль 2" in html  # progress per module
    assert "Тест 1" in html
    # The attempt's result page is the trainee's own: no link for the instructor.
    assert reverse("assessments:result", args=(world["attempt"].pk,)) not in html
    assert reverse("assessments:grade", args=(world["submission"].pk,)) in html
    assert "73,5" in html  # staff see a grade before it is released
    assert "Финансы семьи" in html and "Бюджет на месяц" in html  # session by session
    assert 'data-kind="enrolled"' in html


def test_an_official_sees_the_grade_but_no_grading_link(client, world):
    official = factories.user("Regional official", region_code="68")

    html = record_of(client, official, world["enrolment"]).content.decode()

    assert "73,5" in html
    assert reverse("assessments:grade", args=(world["submission"].pk,)) not in html


def test_the_trainee_sees_their_attempts_and_sessions_but_not_an_unreleased_grade(client, world):
    html = record_of(client, world["trainee"], world["enrolment"]).content.decode()
    mine = client.get(reverse("records:mine")).content.decode()

    assert reverse("assessments:result", args=(world["attempt"].pk,)) in html
    assert "73,5" not in html
    assert reverse("assessments:grade", args=(world["submission"].pk,)) not in html
    assert "Финансы семьи" in html and "Бюджет на месяц" in html
    # Their own address shows the same record.
    assert reverse("assessments:result", args=(world["attempt"].pk,)) in mine
    assert "Финансы семьи" in mine

    CaseGrade.objects.update(released_at=timezone.now())
    assert "73,5" in record_of(client, world["trainee"], world["enrolment"]).content.decode()


def test_the_record_page_takes_the_same_queries_with_more_attempts_and_sessions(
    client, world, drawn_afresh
):
    client.force_login(world["instructor"])
    url = reverse("records:record", args=(world["enrolment"].pk,))
    client.get(url)

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    now = timezone.now()
    for day in range(6):
        Session.objects.create(
            cohort=world["cohort"],
            topic=f"Встреча {day}",
            starts_at=now - dt.timedelta(days=day + 5, hours=2),
            ends_at=now - dt.timedelta(days=day + 5),
        )
    for _ in range(3):
        factories.enrol(factories.user("Trainee"), world["cohort"])
    with CaptureQueriesContext(connection) as large:
        client.get(url)

    assert len(small) == len(large)
