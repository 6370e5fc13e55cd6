"""Double clicks and two tabs on the schedule: the same write sent at once is made once.

Real parallel requests through the test client, on PostgreSQL (see tests/concurrency.py): each
answers without a server error, and the register, its history, check-ins, ratings and calendar
keys hold no duplicate and lose no mark.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from schedule.models import Attendance, AttendanceChange, CalendarToken, SessionFeedback
from schedule.services import attendance_mark, calendar_token, checkin_code
from schedule.tests.test_schedule import session
from tests import factories
from tests.concurrency import client_for, concurrency_test, run_together, status_codes


def trainees(world, count: int):
    """The world's trainee and more of the cohort: their enrolments."""
    enrolments = [world["enrolment"]]
    for _ in range(count - 1):
        enrolments.append(
            factories.enrol(factories.user("Trainee", region_code="86"), world["cohort"])
        )
    return enrolments


def history(enrolment) -> list[tuple[str, str]]:
    return list(
        AttendanceChange.objects.filter(attendance__enrolment=enrolment)
        .order_by("changed_at", "pk")
        .values_list("old_status", "new_status")
    )


@concurrency_test
def test_the_same_register_saved_from_two_tabs_marks_each_trainee_once(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    enrolments = trainees(world, 3)
    form = {f"status-{enrolment.pk}": "present" for enrolment in enrolments}
    url = reverse("schedule:register", args=(item.pk,))
    tabs = [client_for(world["instructor"]) for _ in range(3)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url, form) for tab in tabs])

    assert status_codes(outcomes) == [302] * 3
    for enrolment in enrolments:
        assert Attendance.objects.get(session=item, enrolment=enrolment).status == "present"
        assert history(enrolment) == [("", "present")]


@concurrency_test
def test_two_different_registers_at_once_keep_a_whole_history(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    enrolments = trainees(world, 3)
    url = reverse("schedule:register", args=(item.pk,))
    forms = [
        {f"status-{enrolment.pk}": mark for enrolment in enrolments} for mark in ("late", "absent")
    ]
    tabs = [client_for(world["instructor"]) for _ in forms]

    outcomes = run_together(
        *[
            lambda tab=tab, form=form: tab.post(url, form)
            for tab, form in zip(tabs, forms, strict=True)
        ]
    )

    assert status_codes(outcomes) == [302, 302]
    for enrolment in enrolments:
        final = Attendance.objects.get(session=item, enrolment=enrolment).status
        # One register came second and corrected the first: its history says so, link by link.
        [(none, first), (was, became)] = history(enrolment)
        assert (none, was, became) == ("", first, final) and {first, final} == {"late", "absent"}


@concurrency_test
def test_mark_all_present_twice_at_once_marks_each_trainee_once(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    enrolments = trainees(world, 4)
    attendance_mark(session=item, enrolment=enrolments[0], status="excused", by=None)
    url = reverse("schedule:all_present", args=(item.pk,))
    tabs = [client_for(world["instructor"]) for _ in range(3)]

    outcomes = run_together(*[lambda tab=tab: tab.post(url) for tab in tabs])

    assert status_codes(outcomes) == [302] * 3
    assert history(enrolments[0]) == [("", "excused")]  # marked before: left as it was
    for enrolment in enrolments[1:]:
        assert history(enrolment) == [("", "present")]
    # The messages add up to what was done: one request marked three, the others none.
    counts = sorted(
        int(str(message).rsplit(" ", 1)[-1].rstrip("."))
        for response in outcomes
        for message in response.wsgi_request._messages
    )
    assert counts == [0, 0, 3]


@concurrency_test
def test_a_double_tap_on_the_check_in_page_marks_the_trainee_once(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(minutes=5))
    url = reverse("schedule:checkin", args=(item.pk, checkin_code(item, timezone.now())))
    phones = [client_for(world["trainee"]) for _ in range(3)]

    outcomes = run_together(*[lambda phone=phone: phone.post(url) for phone in phones])

    assert status_codes(outcomes) == [302] * 3
    assert history(world["enrolment"]) == [("", "present")]
    assert AttendanceChange.objects.get().via == "qr"


@concurrency_test
def test_a_double_clicked_rating_is_saved_once(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)
    url = reverse("schedule:feedback", args=(item.pk,))
    tabs = [client_for(world["trainee"]) for _ in range(5)]

    outcomes = run_together(
        *[lambda tab=tab: tab.post(url, {"rating": "4", "comment": "Полезно"}) for tab in tabs]
    )

    assert status_codes(outcomes) == [302] * 5
    feedback = SessionFeedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "Полезно")


@concurrency_test
def test_the_calendar_key_made_and_reset_from_two_tabs_at_once_is_one_key(world, client):
    tabs = [client_for(world["trainee"]) for _ in range(3)]

    first_visits = run_together(
        *[lambda tab=tab: tab.get(reverse("schedule:mine")) for tab in tabs]
    )

    assert status_codes(first_visits) == [200] * 3
    old = CalendarToken.objects.get(user=world["trainee"]).token

    resets = run_together(
        *[lambda tab=tab: tab.post(reverse("schedule:reset_feed")) for tab in tabs]
    )

    assert status_codes(resets) == [302] * 3
    new = CalendarToken.objects.get(user=world["trainee"]).token
    assert new != old and calendar_token(world["trainee"]).token == new
    assert client.get(reverse("schedule:trainee_feed", args=(old,))).status_code == 404
    assert client.get(reverse("schedule:trainee_feed", args=(new,))).status_code == 200
