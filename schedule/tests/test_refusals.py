"""What the schedule refuses, and that a refusal changes nothing: a withdrawn trainee's writes
(check-in, feedback), and malformed or unbounded values in the register, the rating form and
the session form — a 400 or a clear message, never a server error."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.services import enrolment_restore
from schedule.models import Attendance, AttendanceChange, Session, SessionFeedback
from schedule.services import attendance_mark, checkin, checkin_code, feedback_leave
from schedule.tests.test_schedule import form_data, local, session
from tests import factories

pytestmark = pytest.mark.django_db


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


# A withdrawn trainee ----------------------------------------------------------------------


def test_a_withdrawn_trainee_can_no_longer_check_in(client, world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(minutes=5))
    code = checkin_code(item, timezone.now())
    factories.withdraw(world["enrolment"])
    client.force_login(world["trainee"])
    url = reverse("schedule:checkin", args=(item.pk, code))

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        checkin(user=world["trainee"], session=item, code=code)
    assert not Attendance.objects.exists()


def test_a_withdrawn_trainee_can_no_longer_rate_a_session_they_attended(client, world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)
    factories.withdraw(world["enrolment"])
    client.force_login(world["trainee"])

    response = client.post(reverse("schedule:feedback", args=(item.pk,)), {"rating": "5"})

    assert response.status_code == 404
    with pytest.raises(ValidationError):
        feedback_leave(user=world["trainee"], session=item, rating=5, comment="")
    assert not SessionFeedback.objects.exists()
    # Reading stays open: their learning page and their schedule.
    assert client.get(reverse("courses:learning")).status_code == 200
    assert client.get(reverse("schedule:mine")).status_code == 200


def test_a_trainee_restored_to_the_cohort_rates_from_their_new_place(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    factories.withdraw(world["enrolment"])
    restored = enrolment_restore(enrolment=world["enrolment"])
    attendance_mark(session=item, enrolment=restored, status="late", by=None)

    feedback = feedback_leave(user=world["trainee"], session=item, rating=4, comment="")

    assert feedback.enrolment == restored


def test_the_register_refuses_a_mark_for_a_withdrawn_trainee(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    factories.withdraw(world["enrolment"])

    with pytest.raises(ValidationError):
        attendance_mark(
            session=item, enrolment=world["enrolment"], status="present", by=world["instructor"]
        )
    assert not Attendance.objects.exists()


# The register -----------------------------------------------------------------------------


@pytest.fixture
def register(client, world):
    """A held session, its instructor signed in, and the register's address."""
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    client.force_login(world["instructor"])
    return item, reverse("schedule:register", args=(item.pk,))


def test_the_register_saves_marks_and_skips_the_empty_ones(client, world, register):
    item, url = register
    other = factories.enrol(factories.user("Trainee", region_code="86"), world["cohort"])

    response = client.post(
        url, {f"status-{world['enrolment'].pk}": "late", f"status-{other.pk}": ""}
    )

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("enrolment_id", "status")) == [
        (world["enrolment"].pk, "late")
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "another cohort's trainee",
        "a withdrawn trainee",
        "a malformed id",
        "an id out of range",
        "an unknown mark",
        "a mark of unbounded length",
    ],
)
def test_a_register_with_one_bad_mark_is_refused_whole(client, world, register, bad):
    item, url = register
    stranger = factories.enrol(factories.user("Trainee"), factories.cohort(world["program"]))
    withdrawn = factories.enrol(
        factories.user("Trainee", region_code="86"), world["cohort"], status="withdrawn"
    )
    good = f"status-{world['enrolment'].pk}"
    field, value = {
        "another cohort's trainee": (f"status-{stranger.pk}", "present"),
        "a withdrawn trainee": (f"status-{withdrawn.pk}", "present"),
        "a malformed id": ("status-²", "present"),
        "an id out of range": ("status-" + "9" * 40, "present"),
        "an unknown mark": (good, "bogus"),
        "a mark of unbounded length": (good, "present" * 10_000),
    }[bad]
    data = {good: "present", field: value} if field != good else {field: value}
    other = factories.enrol(factories.user("Trainee", region_code="86"), world["cohort"])
    data[f"status-{other.pk}"] = "present"  # a good mark in the same form: not saved either

    response = client.post(url, data)

    assert response.status_code == 400
    assert "alert-danger" in response.content.decode()
    assert errors(response)
    assert not Attendance.objects.exists() and not AttendanceChange.objects.exists()


def test_a_body_over_the_upload_limit_is_a_400(client, world, register):
    item, url = register
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(
        url,
        f"status-{world['enrolment'].pk}=present&note={padding}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not Attendance.objects.exists()


# Check-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), [("x" * 2000, 200), ("ABC-def_0", 200), ("²", 404)])
def test_a_wrong_check_in_code_of_any_shape_gets_a_message(client, world, code, status):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(world["trainee"])

    response = client.post(f"/schedule/check-in/{item.pk}/{code}/")

    assert response.status_code == status  # «²» is no code at all: the address is unknown
    if status == 200:
        assert errors(response)
    assert not Attendance.objects.exists()


# Feedback ---------------------------------------------------------------------------------


@pytest.fixture
def attended(client, world):
    """A session the trainee attended yesterday, the trainee signed in, the rating address."""
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)
    client.force_login(world["trainee"])
    return reverse("schedule:feedback", args=(item.pk,))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rating": ""},
        {"rating": "0"},
        {"rating": "6"},
        {"rating": "²"},
        {"rating": "٣"},
        {"rating": "4.0"},
        {"rating": "9" * 400},
        {"rating": "5", "comment": "x" * 2001},
        {"rating": "5", "comment": "до\x00после"},
    ],
)
def test_a_rating_that_cannot_be_kept_gets_a_message_and_saves_nothing(client, attended, data):
    response = client.post(attended, data)

    assert response.status_code == 302
    assert errors(response)
    assert not SessionFeedback.objects.exists()


@pytest.mark.parametrize(("rating", "comment"), [("1", ""), ("5", "x" * 2000)])
def test_ratings_and_comments_at_their_limits_are_kept(client, attended, rating, comment):
    client.post(attended, {"rating": rating, "comment": comment})

    feedback = SessionFeedback.objects.get()
    assert (feedback.rating, feedback.comment) == (int(rating), comment)


def test_a_comment_too_long_is_named_in_the_message(client, attended):
    response = client.post(attended, {"rating": "5", "comment": "x" * 2001})

    [message] = errors(response)
    assert message.startswith("Комментарий:") and "2000" in message


def test_the_rating_service_refuses_what_the_form_would(world):
    item = session(world["cohort"], start=timezone.now() - dt.timedelta(days=1))
    attendance_mark(session=item, enrolment=world["enrolment"], status="present", by=None)

    for rating, comment in ((6, ""), (0, ""), (5, "x" * 2001), (5, "a\x00b")):
        with pytest.raises(ValidationError):
            feedback_leave(user=world["trainee"], session=item, rating=rating, comment=comment)
    assert not SessionFeedback.objects.exists()

    feedback_leave(user=world["trainee"], session=item, rating=5, comment="x" * 2000)
    assert SessionFeedback.objects.get().comment == "x" * 2000


def test_a_second_rating_is_refused_with_a_message(client, attended):
    client.post(attended, {"rating": "4"})

    response = client.post(attended, {"rating": "1"})

    assert errors(response)
    assert SessionFeedback.objects.get().rating == 4


# The session form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topic": "т" * 256}, "topic"),
        ({"room": "к" * 256}, "room"),
        ({"format": "online", "link": "https://example.org/" + "a" * 181}, "link"),
        ({"format": "bogus"}, "format"),
        ({"kind": "bogus"}, "kind"),
        ({"hours": "99999"}, "hours"),
        ({"hours": "1e400"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"weeks": "21"}, "weeks"),
        ({"weeks": "²"}, "weeks"),
        ({"weeks": "9" * 40}, "weeks"),
        ({"module": "²"}, "module"),
        ({"module": "9" * 40}, "module"),
        ({"speakers": ["9" * 40]}, "speakers"),
        ({"materials": ["-1"]}, "materials"),
        ({"starts_at": "²"}, "starts_at"),
        ({"starts_at": "99999-01-01T10:00"}, "starts_at"),
    ],
)
def test_bad_session_values_are_form_errors_and_save_nothing(client, world, changes, field):
    client.force_login(world["instructor"])

    data = form_data(starts_at=local(1, 10), ends_at=local(1, 11))
    data.update(changes)

    response = client.post(reverse("schedule:session_create", args=(world["cohort"].pk,)), data)

    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"topic": "т" * 255},
        {"format": "online", "link": "https://example.org/" + "a" * 180},
        {"weeks": "20"},
    ],
)
def test_session_values_at_their_limits_are_saved(client, world, changes):
    client.force_login(world["instructor"])
    world["cohort"].ends_on = timezone.localdate() + dt.timedelta(weeks=30)
    world["cohort"].save()

    response = client.post(
        reverse("schedule:session_create", args=(world["cohort"].pk,)),
        form_data(starts_at=local(1, 10), ends_at=local(1, 11), **changes),
    )

    assert response.status_code == 302
    assert Session.objects.count() == int(changes.get("weeks", 1))
