"""Sessions, calendar feeds, attendance, check-in, feedback and the completion rule."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from schedule.models import Attendance, AttendanceChange, Session, SessionFeedback
from schedule.selectors import attendance_rate, feedback_report
from schedule.services import (
    CheckinError,
    attendance_mark,
    calendar_token,
    checkin,
    checkin_code,
    feedback_leave,
    mark_all_present,
)
from tests import factories

pytestmark = pytest.mark.django_db
YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")


def session(cohort, *, start: dt.datetime, minutes: int = 90, **fields) -> Session:
    return Session.objects.create(
        cohort=cohort,
        topic=fields.pop("topic", "Финансы семьи"),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **fields,
    )


def form_data(**changes) -> dict:
    data = {
        "topic": "Социальный паспорт",
        "starts_at": "",
        "ends_at": "",
        "format": "in_person",
        "room": "Каб. 12",
        "link": "",
        "hours": "2",
        "kind": "practice",
        "weeks": "1",
    }
    data.update(changes)
    return data


def local(days: int, hour: int, minute: int = 0) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


# Scheduling ------------------------------------------------------------------------------


def test_times_are_read_in_the_regions_time_zone_and_a_weekly_series_is_made(client, world):
    client.force_login(world["instructor"])

    response = client.post(
        reverse("schedule:session_create", args=(world["cohort"].pk,)),
        form_data(starts_at=local(1, 10), ends_at=local(1, 11, 30), weeks="3"),
    )

    assert response.status_code == 302
    sessions = list(Session.objects.order_by("starts_at"))
    assert len(sessions) == 3
    first = sessions[0].starts_at.astimezone(YEKATERINBURG)
    assert (first.hour, first.minute) == (10, 0)
    assert sessions[0].starts_at.astimezone(dt.UTC).hour == 5
    assert sessions[2].starts_at - sessions[0].starts_at == dt.timedelta(weeks=2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": local(1, 12), "ends_at": local(1, 11)}, "ends_at"),
        ({"starts_at": local(-40, 10), "ends_at": local(-40, 11)}, "starts_at"),
        ({"starts_at": local(40, 10), "ends_at": local(40, 11)}, "ends_at"),
        ({"starts_at": local(1, 10), "ends_at": local(1, 11), "format": "online"}, "link"),
    ],
)
def test_bad_sessions_are_refused_with_a_message(client, world, changes, field):
    client.force_login(world["instructor"])

    response = client.post(
        reverse("schedule:session_create", args=(world["cohort"].pk,)), form_data(**changes)
    )

    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Session.objects.exists()


def test_overlapping_sessions_are_warned_about(client, world):
    client.force_login(world["instructor"])
    url = reverse("schedule:session_create", args=(world["cohort"].pk,))
    client.post(url, form_data(starts_at=local(1, 10), ends_at=local(1, 12)))

    response = client.post(
        url, form_data(topic="Вторая", starts_at=local(1, 11), ends_at=local(1, 13))
    )

    levels = [message.level_tag for message in get_messages(response.wsgi_request)]
    assert "warning" in levels and Session.objects.count() == 2


# Calendar feeds ---------------------------------------------------------------------------


def test_the_feed_is_valid_icalendar_with_correct_times_across_midnight(client, world):
    late = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=2), dt.time(23, 30), tzinfo=YEKATERINBURG
    )
    session(world["cohort"], start=late, topic="Поздняя встреча")
    token = calendar_token(world["trainee"]).token

    response = client.get(reverse("schedule:trainee_feed", args=(token,)))

    assert response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Поздняя встреча"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == late and start.astimezone(YEKATERINBURG).hour == 23
    assert end.astimezone(YEKATERINBURG).date() == late.date() + dt.timedelta(days=1)


def test_the_cohort_feed_and_resetting_the_key(client, world):
    session(world["cohort"], start=timezone.now() + dt.timedelta(days=1))
    old = calendar_token(world["trainee"]).token
    url = reverse("schedule:cohort_feed", args=(old, world["cohort"].pk))
    assert len(Calendar.from_ical(client.get(url).content).walk("VEVENT")) == 1

    client.force_login(world["trainee"])
    client.post(reverse("schedule:reset_feed"))

    assert client.get(url).status_code == 404
    new = calendar_token(world["trainee"]).token
    assert client.get(reverse("schedule:trainee_feed", args=(new,))).status_code == 200
    other_cohort = factories.cohort(world["program"])
    assert (
        client.get(reverse("schedule:cohort_feed", args=(new, other_cohort.pk))).status_code == 404
    )


# Attendance ------------------------------------------------------------------------------


def test_register_corrections_keep_an_audit_trail(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))

    attendance_mark(
        session=item, enrolment=world["enrolment"], status="absent", by=world["instructor"]
    )
    attendance_mark(
        session=item, enrolment=world["enrolment"], status="excused", by=world["instructor"]
    )

    assert Attendance.objects.get().status == "excused"
    assert [(c.old_status, c.new_status) for c in AttendanceChange.objects.all()] == [
        ("", "absent"),
        ("absent", "excused"),
    ]


def test_a_mark_for_someone_not_in_the_cohort_is_refused(client, world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    stranger = factories.enrol(factories.user("Trainee"), factories.cohort(world["program"]))
    with pytest.raises(ValidationError):
        attendance_mark(session=item, enrolment=stranger, status="present", by=world["instructor"])

    client.force_login(world["instructor"])
    client.post(reverse("schedule:register", args=(item.pk,)), {f"status-{stranger.pk}": "present"})
    assert not Attendance.objects.exists()


def test_mark_all_present_and_the_rate_leaves_excused_absences_out(world):
    now = timezone.now()
    sessions = [
        session(world["cohort"], start=now - dt.timedelta(days=days)) for days in (5, 4, 3, 2)
    ]
    session(world["cohort"], start=now + dt.timedelta(days=1))  # not held yet
    assert mark_all_present(session=sessions[0], by=world["instructor"]) == 1
    attendance_mark(session=sessions[1], enrolment=world["enrolment"], status="late", by=None)
    attendance_mark(session=sessions[2], enrolment=world["enrolment"], status="excused", by=None)
    attendance_mark(session=sessions[3], enrolment=world["enrolment"], status="absent", by=None)

    rate = attendance_rate(world["enrolment"])

    assert (rate.attended, rate.counted) == (2, 3)
    assert rate.percent == Decimal("66.7")


# Check-in --------------------------------------------------------------------------------


def test_the_qr_code_checks_a_trainee_in_only_while_fresh_and_during_the_session(world):
    start = timezone.now().replace(second=5, microsecond=0) - dt.timedelta(minutes=5)
    item = session(world["cohort"], start=start)
    now = start + dt.timedelta(minutes=5)

    mark = checkin(user=world["trainee"], session=item, code=checkin_code(item, now), now=now)
    assert mark.status == "present"
    assert AttendanceChange.objects.get().via == "qr"

    stale = checkin_code(item, now - dt.timedelta(minutes=3))
    with pytest.raises(CheckinError):
        checkin(user=world["trainee"], session=item, code=stale, now=now)
    after = item.ends_at + dt.timedelta(minutes=1)
    with pytest.raises(CheckinError):
        checkin(user=world["trainee"], session=item, code=checkin_code(item, after), now=after)
    with pytest.raises(PermissionDenied):
        checkin(user=factories.user("Trainee"), session=item, code=checkin_code(item, now), now=now)


def test_checking_in_late_is_marked_late(world):
    start = timezone.now() - dt.timedelta(minutes=40)
    item = session(world["cohort"], start=start)
    now = timezone.now()

    assert (
        checkin(user=world["trainee"], session=item, code=checkin_code(item, now), now=now).status
        == "late"
    )


def test_the_check_in_page_marks_the_trainee_with_one_tap(client, world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(world["trainee"])
    url = reverse("schedule:checkin", args=(item.pk, checkin_code(item, timezone.now())))

    assert client.get(url).status_code == 200
    assert not Attendance.objects.exists()  # opening the link changes nothing
    client.post(url)
    assert Attendance.objects.get().status == "present"


# Feedback --------------------------------------------------------------------------------


def test_feedback_once_and_only_after_attending(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        feedback_leave(user=world["trainee"], session=item, rating=5, comment="")
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)

    feedback_leave(user=world["trainee"], session=item, rating=4, comment="Полезно")
    with pytest.raises(ValidationError):
        feedback_leave(user=world["trainee"], session=item, rating=5, comment="")

    report = feedback_report(Session.objects.filter(pk=item.pk))
    assert (report.count, report.mean, report.comments) == (1, Decimal("4.0"), ["Полезно"])


def test_a_rating_out_of_range_gets_a_message(client, world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)
    client.force_login(world["trainee"])

    client.post(reverse("schedule:feedback", args=(item.pk,)), {"rating": "9"})

    assert not SessionFeedback.objects.exists()


def test_the_instructor_shows_a_qr_code_only_while_check_in_is_open(client, world):
    running = session(world["cohort"], start=timezone.now() - dt.timedelta(minutes=10))
    later = session(world["cohort"], start=timezone.now() + dt.timedelta(days=1))
    client.force_login(world["instructor"])

    shown = client.get(reverse("schedule:checkin_screen", args=(running.pk,))).content.decode()
    hidden = client.get(reverse("schedule:checkin_screen", args=(later.pk,))).content.decode()

    assert 'class="checkin-qr"' in shown and checkin_code(running, timezone.now()) in shown
    assert 'class="checkin-qr"' not in hidden
    assert client.get(reverse("schedule:checkin_screen", args=(running.pk,))).status_code == 200
    client.force_login(world["trainee"])
    assert client.get(reverse("schedule:checkin_screen", args=(running.pk,))).status_code == 403


def test_speaker_report_sums_feedback_across_cohorts(client, world):
    from schedule.models import Speaker

    speaker = Speaker.objects.create(name="Ольга Никитина", organisation="Банк России")
    other_cohort = factories.cohort(world["program"], region_code="68")
    other = factories.enrol(factories.user("Trainee", region_code="68"), other_cohort)
    for cohort, enrolment, rating in (
        (world["cohort"], world["enrolment"], 5),
        (other_cohort, other, 3),
    ):
        item = session(cohort, start=timezone.now() - dt.timedelta(days=2))
        item.speakers.add(speaker)
        attendance_mark(session=item, enrolment=enrolment, status="present", by=None)
        feedback_leave(user=enrolment.trainee, session=item, rating=rating, comment="")
    client.force_login(factories.user("Federal official", region_code="77"))
    html = client.get(reverse("schedule:speaker", args=(speaker.pk,))).content.decode()
    assert "4,0" in html and "(оценок: 2)" in html

    # A regional official sees their own region's sessions only.
    client.force_login(factories.user("Regional official", region_code="86"))
    html = client.get(reverse("schedule:speaker", args=(speaker.pk,))).content.decode()
    assert "5,0" in html and "(оценок: 1)" in html
