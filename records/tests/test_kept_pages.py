"""Kept pages are never stale (core.freshness): a trainee sees their progress after completing
an activity, a grade once it is released and attendance once it is marked, on the next request;
so do the instructor's pages of the cohort.

Each test first shows that the page is kept — asked again, it is answered from the kept part,
with fewer queries — so that it is the write, and nothing else, that brings the change."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments.casework import CriterionMark, grade_save, submission_save
from courses.models import CaseStudyPage, LessonPage
from schedule.models import Attendance, Session
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()  # a 2-hour lesson and a 6-hour case study
    case = CaseStudyPage.objects.descendant_of(program).get()
    criteria = factories.rubric(case, [("Анализ ситуации", [("Слабо", "0"), ("Отлично", "4")])])
    today = timezone.localdate()
    cohort = factories.cohort(
        program, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30)
    )
    trainee = factories.user("Trainee")
    enrolment = factories.enrol(trainee, cohort)
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    return {
        "program": program,
        "lesson": LessonPage.objects.descendant_of(program).get(),
        "case": case,
        "criteria": criteria,
        "cohort": cohort,
        "trainee": trainee,
        "enrolment": enrolment,
        "instructor": instructor,
    }


def page(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def hours_done(html: str) -> Decimal:
    """What the total progress bar shows done, of the programme's 8 hours."""
    bar = re.search(r'<progress id="progress-total-\d+"[^>]*max="8.0" value="([\d.]+)"', html)
    return Decimal(bar.group(1))


def main(html: str) -> str:
    """The page's main part, without the messages of the last action (shown once)."""
    part = html[html.index("<main") : html.index("</main>")]
    part = re.sub(r'<div class="messages".*?</div>\s*</div>', "", part, flags=re.S)
    return " ".join(part.split())


def kept(client, url) -> str:
    """The page, drawn and then asked again: the second answer's main part is the kept one (the
    header's forms carry a new CSRF mask each time)."""
    html, drawn = page(client, url)
    again, queries = page(client, url)
    assert main(again) == main(html) and queries < drawn, (drawn, queries)
    return html


def test_progress_shows_at_once_after_an_activity_is_completed(client, world):
    client.force_login(world["trainee"])
    home, lesson = reverse("courses:learning"), world["lesson"].url
    assert hours_done(kept(client, home)) == 0
    assert "state-done" not in kept(client, lesson)

    client.post(reverse("courses:mark_studied", args=(world["lesson"].pk,)))

    assert hours_done(page(client, home)[0]) == 2
    assert "state-done" in page(client, lesson)[0]


def _graded_unreleased(world):
    submission = submission_save(
        user=world["trainee"],
        case=world["case"],
        answers={str(world["case"].tasks.get().pk): "План помощи семье"},
        files=[],
        remove_files=[],
        submit=True,
    )
    [criterion] = world["criteria"]
    return grade_save(
        grader=world["instructor"],
        submission=submission,
        marks=[CriterionMark(criterion_id=criterion.pk, level_id=criterion.levels[1].id)],
        comment="Превосходный разбор",
        release=False,
    )


def test_a_grade_shows_at_once_after_its_release_and_not_before(client, world):
    grade = _graded_unreleased(world)
    assert grade.percent == Decimal("100.0") and not grade.is_released
    record = reverse("records:record", args=(world["enrolment"].pk,))
    client.force_login(world["trainee"])
    assert "Превосходный разбор" not in kept(client, world["case"].url)
    assert "100,0" not in kept(client, record)

    client.force_login(world["instructor"])
    client.post(reverse("assessments:release_all", args=(world["cohort"].pk,)))
    client.force_login(world["trainee"])

    assert "Превосходный разбор" in page(client, world["case"].url)[0]
    assert "100,0" in page(client, record)[0]


def test_the_gradebook_shows_a_release_at_once(client, world):
    _graded_unreleased(world)
    gradebook = reverse("records:gradebook", args=(world["cohort"].pk,))
    client.force_login(world["instructor"])
    with translation.override("ru"):
        pending = translation.gettext("not released")
    assert f'title="{pending}"' in kept(client, gradebook)

    client.post(reverse("assessments:release_all", args=(world["cohort"].pk,)))

    html = page(client, gradebook)[0]
    assert f'title="{pending}"' not in html and "100,0" in html


def test_attendance_shows_at_once_after_a_mark(client, world):
    start = timezone.now() - dt.timedelta(days=1)
    session = Session.objects.create(
        cohort=world["cohort"],
        topic="Финансовая грамотность",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
    )
    record = reverse("records:record", args=(world["enrolment"].pk,))
    with translation.override("ru"):
        unmarked = translation.gettext("No mark (counts as missed)")
        present = str(Attendance.Status.PRESENT.label)
    client.force_login(world["trainee"])
    html = kept(client, record)
    assert unmarked in html and present not in html

    client.force_login(world["instructor"])
    client.post(reverse("schedule:all_present", args=(session.pk,)))
    client.force_login(world["trainee"])

    html = page(client, record)[0]
    assert present in html and unmarked not in html


def test_a_published_change_of_the_curriculum_shows_at_once(client, world):
    client.force_login(world["trainee"])
    lesson = world["lesson"]
    assert "Новое название урока" not in kept(client, lesson.url)

    lesson.title = "Новое название урока"
    lesson.save_revision().publish()

    assert "Новое название урока" in page(client, lesson.url)[0]


def test_each_reader_gets_their_own_page(client, world):
    """Two trainees of the cohort read the same address: each sees their own progress."""
    other = factories.user("Trainee")
    factories.enrol(other, world["cohort"])
    client.force_login(world["trainee"])
    client.post(reverse("courses:mark_studied", args=(world["lesson"].pk,)))
    assert hours_done(kept(client, reverse("courses:learning"))) == 2

    client.force_login(other)

    assert hours_done(page(client, reverse("courses:learning"))[0]) == 0


def test_an_answer_saved_shows_at_once_on_the_attempt_page(client, world):
    from assessments.models import QuestionKind
    from assessments.services import attempt_start

    module = world["lesson"].get_parent()
    bank = factories.question_bank()
    factories.question(
        bank, QuestionKind.SINGLE, options=[("Первый ответ", True), ("Второй ответ", False)]
    )
    quiz = factories.quiz(module, [bank])
    attempt = attempt_start(user=world["trainee"], quiz=quiz)
    url = reverse("assessments:attempt", args=(attempt.pk,))
    client.force_login(world["trainee"])
    html = main(kept(client, url))
    assert " checked" not in html
    name, value = re.search(
        r'type="radio" name="([^"]+)" id="[^"]+" value="([^"]+)"', html
    ).groups()

    client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {name: value},
        HTTP_X_REQUESTED_WITH="fetch",
    )

    assert f'value="{value}" checked' in main(page(client, url)[0])


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("enrolment", ["trainee", "cohort"]),
        ("attendance", ["trainee", "cohort"]),
        ("certificate", ["trainee", "cohort", "certificates"]),
        ("notification", ["trainee"]),
        ("trainee", ["trainee", "cohort"]),
        ("region", ["school"]),
    ],
)
def test_each_write_names_the_pages_it_touches(world, make, expected):
    """What a write bumps (core.freshness): its trainee's pages, their cohort's, every
    verification page for a certificate; the school's for what names nothing."""
    from accounts.models import Region
    from core import freshness
    from notifications.services import notify
    from schedule.services import attendance_mark

    trainee, cohort = world["trainee"], world["cohort"]
    start = timezone.now() - dt.timedelta(days=1)
    session = Session.objects.create(
        cohort=cohort, topic="Встреча", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    instance = {
        "enrolment": lambda: world["enrolment"],
        "attendance": lambda: attendance_mark(
            session=session, enrolment=world["enrolment"], status="present", by=None
        ),
        "certificate": lambda: factories.certificate(world["enrolment"]),
        "notification": lambda: notify(recipient=trainee, subject="Тема"),
        "trainee": lambda: trainee,
        "region": lambda: Region.objects.create(code="98", name="Новый регион"),
    }[make]()
    names = {
        "trainee": freshness.trainee(trainee.pk),
        "cohort": freshness.cohort(cohort.pk),
        "certificates": freshness.CERTIFICATES,
        "school": freshness.SCHOOL,
    }
    before = dict(zip(names, freshness.versions(names.values()), strict=True))

    instance.save()

    after = dict(zip(names, freshness.versions(names.values()), strict=True))
    assert sorted(name for name in names if before[name] != after[name]) == sorted(expected)
