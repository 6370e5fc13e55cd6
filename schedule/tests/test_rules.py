"""The schedule's rules on both sides of each boundary.

- Attendance: a session not yet over does not count (the threshold rule itself is the trainee
  record's: records/tests/test_attendance_rule.py).
- QR check-in: open from 15 minutes before the start until the end, to the second; present until
  15 minutes after the start, late after.
- Calendar feeds: served only for an active account.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from schedule.models import Attendance, Session
from schedule.selectors import attendance_rate
from schedule.services import CheckinError, attendance_mark, calendar_token, checkin, checkin_code
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()  # attendance threshold 80 % by default
    today = timezone.localdate()
    cohort = factories.cohort(
        program,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    trainee = factories.user("Trainee")
    return {
        "program": program,
        "cohort": cohort,
        "instructor": instructor,
        "trainee": trainee,
        "enrolment": factories.enrol(trainee, cohort),
    }


def session(cohort, start: dt.datetime, minutes: int = 90) -> Session:
    return Session.objects.create(
        cohort=cohort,
        topic="Финансы семьи",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
    )


def held_sessions(cohort, count: int) -> list[Session]:
    now = timezone.now()
    return [session(cohort, now - dt.timedelta(days=day + 1)) for day in range(count)]


def mark(world, item: Session, status: str) -> None:
    attendance_mark(session=item, enrolment=world["enrolment"], status=status, by=None)


# Attendance ------------------------------------------------------------------------------


def test_a_session_counts_as_held_from_the_second_it_ends(world):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    item = session(world["cohort"], start)

    just_before = item.ends_at - dt.timedelta(seconds=1)

    assert attendance_rate(world["enrolment"], now=item.ends_at).counted == 1
    assert attendance_rate(world["enrolment"], now=just_before).counted == 0


# QR check-in -----------------------------------------------------------------------------


def check_in_at(world, at: dt.datetime, *, start: dt.datetime) -> Attendance:
    """A fresh session starting at `start`, checked into at `at` with the code shown then."""
    item = session(world["cohort"], start)
    return checkin(user=world["trainee"], session=item, code=checkin_code(item, at), now=at)


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0) + dt.timedelta(days=1)


def test_check_in_opens_exactly_15_minutes_before_the_start(world, start):
    assert check_in_at(world, start - dt.timedelta(minutes=15), start=start).status == "present"

    with pytest.raises(CheckinError):
        check_in_at(world, start - dt.timedelta(minutes=15, seconds=1), start=start)


def test_check_in_is_refused_hours_before_the_session(world, start):
    with pytest.raises(CheckinError):
        check_in_at(world, start - dt.timedelta(hours=3), start=start)


def test_check_in_closes_exactly_at_the_end(world, start):
    end = start + dt.timedelta(minutes=90)

    assert check_in_at(world, end, start=start).status == "late"

    with pytest.raises(CheckinError):
        check_in_at(world, end + dt.timedelta(seconds=1), start=start)
    assert Attendance.objects.count() == 1  # only the check-in at the end marked anyone


def test_present_until_15_minutes_after_the_start_then_late(world, start):
    on_time = check_in_at(world, start + dt.timedelta(minutes=15), start=start)
    assert on_time.status == "present"

    other = factories.enrol(factories.user("Trainee"), world["cohort"])
    item = session(world["cohort"], start)
    at = start + dt.timedelta(minutes=15, seconds=1)
    late = checkin(user=other.trainee, session=item, code=checkin_code(item, at), now=at)
    assert late.status == "late"


def test_the_check_in_page_refuses_a_scan_before_the_window_and_accepts_one_inside(client, world):
    # Through the real page and clock: a minute of margin either side of the 15 minutes.
    now = timezone.now()
    early = session(world["cohort"], now + dt.timedelta(minutes=16))
    soon = session(world["cohort"], now + dt.timedelta(minutes=14))
    client.force_login(world["trainee"])

    for item in (early, soon):
        code = checkin_code(item, timezone.now())
        client.post(reverse("schedule:checkin", args=(item.pk, code)))

    assert not Attendance.objects.filter(session=early).exists()
    assert Attendance.objects.get(session=soon).status == "present"


def test_the_qr_code_is_shown_only_inside_the_window(client, world):
    now = timezone.now()
    early = session(world["cohort"], now + dt.timedelta(minutes=16))
    soon = session(world["cohort"], now + dt.timedelta(minutes=14))
    client.force_login(world["instructor"])

    def shown(item) -> bool:
        html = client.get(reverse("schedule:checkin_screen", args=(item.pk,))).content.decode()
        return 'class="checkin-qr"' in html

    assert not shown(early)
    assert shown(soon)


# Calendar feeds --------------------------------------------------------------------------


def test_a_deactivated_account_has_no_calendar_feed(client, world):
    trainee = world["trainee"]
    session(world["cohort"], timezone.now() + dt.timedelta(days=2))
    token = calendar_token(trainee).token
    feeds = [
        reverse("schedule:trainee_feed", args=(token,)),
        reverse("schedule:cohort_feed", args=(token, world["cohort"].pk)),
    ]
    assert [client.get(url).status_code for url in feeds] == [200, 200]

    trainee.is_active = False
    trainee.save()

    for url in feeds:
        response = client.get(url)
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
