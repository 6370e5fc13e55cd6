"""The daily jobs: who is told what, on which day, and never twice."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import CaseSubmission
from courses.models import CaseStudyPage, Enrolment
from notifications.models import Notification
from reminders.services import (
    cohort_end_reminders_send,
    grading_digests_send,
    session_reminders_send,
)
from schedule.models import Session
from tests import factories

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")
PUBLIC = "https://school.example.org"
# The timer runs the jobs in the morning: Wednesday 4 March 2026, 07:00 in Moscow.
NOW = dt.datetime(2026, 3, 4, 7, 0, tzinfo=MOSCOW)


@pytest.fixture
def cohort():
    factories.site_home()
    return factories.cohort(
        factories.program(), starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2026, 4, 30)
    )


@pytest.fixture
def trainees(cohort):
    people = [factories.user("Trainee"), factories.user("Trainee")]
    for person in people:
        factories.enrol(person, cohort)
    return people


def session(cohort, start: dt.datetime, topic: str = "Финансы семьи") -> Session:
    return Session.objects.create(
        cohort=cohort, topic=topic, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def inbox(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


# Sessions: the day before ------------------------------------------------------------------


def test_a_session_tomorrow_is_announced_and_one_the_day_after_is_not(cohort, trainees):
    tomorrow = session(cohort, dt.datetime(2026, 3, 5, 10, 0, tzinfo=MOSCOW), "Завтрашнее")
    session(cohort, dt.datetime(2026, 3, 6, 10, 0, tzinfo=MOSCOW), "Послезавтрашнее")

    assert session_reminders_send(now=NOW) == 2

    for trainee in trainees:
        [reminder] = inbox(trainee, "session_reminder")
        assert "Завтрашнее" in reminder.subject
        assert "5 March" in reminder.body and "10:00" in reminder.body
        assert "in Moscow time" in reminder.body and "Europe/Moscow" not in reminder.body
        assert reminder.url == reverse("schedule:session", args=(tomorrow.pk,))


def test_tomorrow_ends_at_midnight(cohort, trainees):
    session(cohort, dt.datetime(2026, 3, 5, 23, 59, tzinfo=MOSCOW), "Поздно вечером")
    session(cohort, dt.datetime(2026, 3, 6, 0, 0, tzinfo=MOSCOW), "После полуночи")

    session_reminders_send(now=NOW)

    assert [n.subject for n in inbox(trainees[0], "session_reminder")] == [
        "Session reminder: Поздно вечером"
    ]


def test_tomorrow_is_the_regions_tomorrow():
    factories.site_home()
    yugra = factories.cohort(
        factories.program(),
        region_code="86",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 4, 30),
    )
    trainee = factories.user("Trainee", region_code="86")
    factories.enrol(trainee, yugra)
    # 23:00 on the 4th in Moscow is already 01:00 on the 5th in Yugra, where the 6th is tomorrow.
    late_evening = dt.datetime(2026, 3, 4, 23, 0, tzinfo=MOSCOW)
    session(yugra, dt.datetime(2026, 3, 6, 10, 0, tzinfo=YEKATERINBURG))

    assert session_reminders_send(now=late_evening) == 1
    [reminder] = inbox(trainee, "session_reminder")
    assert "UTC+5" in reminder.body and "6 March" in reminder.body


def test_a_session_later_today_not_yet_announced_is_announced_but_a_started_one_is_not(
    cohort, trainees
):
    session(cohort, dt.datetime(2026, 3, 4, 15, 0, tzinfo=MOSCOW), "Сегодня днём")
    session(cohort, dt.datetime(2026, 3, 4, 6, 30, tzinfo=MOSCOW), "Уже идёт")

    session_reminders_send(now=NOW)

    assert [n.subject for n in inbox(trainees[0], "session_reminder")] == [
        "Session reminder: Сегодня днём"
    ]


def test_running_twice_the_same_day_reminds_once_and_mails_once(
    cohort, trainees, django_capture_on_commit_callbacks
):
    session(cohort, dt.datetime(2026, 3, 5, 10, 0, tzinfo=MOSCOW))

    with django_capture_on_commit_callbacks(execute=True):
        first = session_reminders_send(now=NOW)
        second = session_reminders_send(now=NOW + dt.timedelta(hours=5))

    assert (first, second) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(t.email for t in trainees)


def test_a_session_moved_after_its_reminder_is_announced_again(cohort, trainees):
    item = session(cohort, dt.datetime(2026, 3, 5, 10, 0, tzinfo=MOSCOW))
    session_reminders_send(now=NOW)

    item.starts_at = dt.datetime(2026, 3, 5, 14, 0, tzinfo=MOSCOW)
    item.ends_at = item.starts_at + dt.timedelta(hours=2)
    item.save()

    assert session_reminders_send(now=NOW + dt.timedelta(hours=1)) == 2
    assert "14:00" in inbox(trainees[0], "session_reminder")[-1].body


def test_withdrawn_trainees_are_not_reminded(cohort, trainees):
    Enrolment.objects.filter(trainee=trainees[1]).update(status=Enrolment.Status.WITHDRAWN)
    session(cohort, dt.datetime(2026, 3, 5, 10, 0, tzinfo=MOSCOW))

    assert session_reminders_send(now=NOW) == 1
    assert inbox(trainees[1], "session_reminder") == []


# The cohort's end: a week before -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_on", "told"),
    [
        (dt.date(2026, 3, 11), True),  # exactly 7 days ahead
        (dt.date(2026, 3, 12), False),  # 8 days ahead: not yet
        (dt.date(2026, 3, 4), True),  # today, not announced before: still told
        (dt.date(2026, 3, 3), False),  # over
    ],
)
def test_trainees_hear_of_the_cohorts_end_seven_days_before(cohort, trainees, ends_on, told):
    cohort.ends_on = ends_on
    cohort.save()

    cohort_end_reminders_send(now=NOW)

    reminders = inbox(trainees[0], "cohort_end_reminder")
    assert len(reminders) == (1 if told else 0)
    if told and ends_on == dt.date(2026, 3, 11):
        assert reminders[0].subject == f"«{cohort.name}» ends in 7 days"
        assert "11 March 2026" in reminders[0].body
        assert reminders[0].url == reverse("courses:learning")


def test_the_cohort_end_is_told_once_over_the_whole_week(cohort, trainees):
    cohort.ends_on = dt.date(2026, 3, 11)
    cohort.save()

    sent = [cohort_end_reminders_send(now=NOW + dt.timedelta(days=day)) for day in range(8)]

    assert sent == [2, 0, 0, 0, 0, 0, 0, 0]


def test_only_active_trainees_hear_of_the_end(cohort, trainees):
    cohort.ends_on = dt.date(2026, 3, 11)
    cohort.save()
    Enrolment.objects.filter(trainee=trainees[0]).update(status=Enrolment.Status.WITHDRAWN)

    assert cohort_end_reminders_send(now=NOW) == 1
    assert inbox(trainees[0], "cohort_end_reminder") == []


# The instructors' daily digest -------------------------------------------------------------


def waiting_work(cohort, count: int, status: str = "submitted") -> None:
    case = CaseStudyPage.objects.descendant_of(cohort.program).first()
    for _number in range(count):
        enrolment = factories.enrol(factories.user("Trainee"), cohort)
        CaseSubmission.objects.create(
            enrolment=enrolment, case=case, status=status, submitted_at=NOW, times_submitted=1
        )


@pytest.fixture
def instructor(cohort):
    person = factories.user("Instructor")
    cohort.instructors.add(person)
    return person


def test_one_digest_lists_per_cohort_how_much_waits_with_links_to_the_queues(
    cohort, instructor, django_capture_on_commit_callbacks
):
    second = factories.cohort(cohort.program, name="Вторая группа")
    second.instructors.add(instructor)
    other = factories.cohort(cohort.program, name="Чужая группа")
    other_instructor = factories.user("Instructor")
    other.instructors.add(other_instructor)
    waiting_work(cohort, 2)
    waiting_work(cohort, 1, status="draft")  # not sent: nothing to grade
    waiting_work(cohort, 1, status="graded")
    waiting_work(second, 1)
    waiting_work(other, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert grading_digests_send(now=NOW) == 2

    [digest] = inbox(instructor, "grading_digest")
    assert digest.subject == "3 pieces of case work wait to be graded"
    lines = digest.body.splitlines()
    first_queue = f"{PUBLIC}{reverse('assessments:queue', args=(cohort.pk,))}"
    second_queue = f"{PUBLIC}{reverse('assessments:queue', args=(second.pk,))}"
    assert f"«{cohort.name}»: 2 pieces of work wait — {first_queue}" in lines
    assert f"«Вторая группа»: 1 piece of work waits — {second_queue}" in lines
    assert "Чужая группа" not in digest.body
    [other_digest] = inbox(other_instructor, "grading_digest")
    assert other_digest.url == reverse("assessments:queue", args=(other.pk,))
    # One e-mail per instructor, whose links name the public address.
    [mail_to_instructor] = [m for m in mail.outbox if m.to == [instructor.email]]
    assert first_queue in mail_to_instructor.body


def test_no_digest_when_nothing_waits(cohort, instructor):
    waiting_work(cohort, 1, status="graded")
    waiting_work(cohort, 1, status="draft")

    assert grading_digests_send(now=NOW) == 0
    assert inbox(instructor, "grading_digest") == []


def test_one_digest_a_day_however_often_the_job_runs(cohort, instructor):
    waiting_work(cohort, 1)

    same_day = [grading_digests_send(now=NOW + dt.timedelta(hours=hour)) for hour in (0, 6, 16)]
    next_day = grading_digests_send(now=NOW + dt.timedelta(days=1))

    assert same_day == [1, 0, 0] and next_day == 1
    assert len(inbox(instructor, "grading_digest")) == 2


def test_submitting_case_work_sends_instructors_nothing_at_once(
    client, cohort, instructor, trainees
):
    """New work is announced by the daily digest only, not a message per submission."""
    today = timezone.localdate()
    cohort.starts_on, cohort.ends_on = today - dt.timedelta(days=5), today + dt.timedelta(days=30)
    cohort.save()
    case = CaseStudyPage.objects.descendant_of(cohort.program).first()
    client.force_login(trainees[0])
    task_id = case.tasks.first().pk

    response = client.post(
        reverse("assessments:casework_save", args=(case.pk,)),
        {f"task-{task_id}": "План помощи семье", "submit": "1"},
    )

    assert response.status_code == 302
    assert CaseSubmission.objects.filter(status="submitted").count() == 1
    assert not Notification.objects.filter(recipient=instructor).exists()
