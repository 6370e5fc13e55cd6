"""Every absolute link we send away from the site names the one configured public address.

The requests below come with a forged Host header (host-header injection): the links in the
e-mails, the calendar feed and the check-in QR code must still name `PUBLIC_URL`.
"""

import datetime as dt
import logging
import re

import pytest
import segno
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.checks import public_url_check
from core.links import absolute_url, public_url_problem
from notifications.services import notify
from schedule.models import Session
from schedule.services import calendar_token, checkin_code
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC = "https://school.example.org"  # lms.settings.test
FORGED = "evil.example"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


# The helper and the setting ------------------------------------------------------------------


def test_absolute_url_puts_the_public_address_before_a_path():
    assert absolute_url("/learning/") == f"{PUBLIC}/learning/"
    with override_settings(PUBLIC_URL="https://lms.region.ru/"):
        assert absolute_url("/learning/") == "https://lms.region.ru/learning/"


@pytest.mark.parametrize("path", ["https://evil.example/x", "//evil.example/x", "learning/"])
def test_absolute_url_refuses_anything_but_a_path_of_this_site(path):
    with pytest.raises(ValueError):
        absolute_url(path)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://127.0.0.1:8000",
        "https://localhost",
        "https://127.0.1.1",
        "https://[::1]:8000",
        "http://school.example.org",  # production is https only
        "https://school.example.org/lms",  # a path would be doubled by reverse()
        "school.example.org",
    ],
)
def test_production_refuses_an_address_that_is_missing_local_or_not_https(url):
    with override_settings(DEBUG=False, PUBLIC_URL=url):
        [error] = public_url_check()
    assert error.id == "lms.E001" and "PUBLIC_URL" in error.msg


def test_production_accepts_a_real_https_address():
    with override_settings(DEBUG=False, PUBLIC_URL="https://school.example.org"):
        assert public_url_check() == []
    assert public_url_problem("https://lms.region.ru:8443", debug=False) is None


def test_the_demo_may_link_to_the_machine_it_runs_on_but_still_needs_an_address():
    assert public_url_problem("http://127.0.0.1:8000", debug=True) is None
    assert public_url_problem("", debug=True) is not None


# Links sent away from the site ------------------------------------------------------------


def test_a_notification_email_links_to_the_public_address(
    trainee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=trainee, subject="Оценка", url="/learning/")

    [message] = mail.outbox
    assert links_in(message.body) == [f"{PUBLIC}/learning/"]


def test_a_password_reset_link_ignores_a_forged_host_header(client, trainee):
    client.post(
        reverse("accounts:password_reset"),
        {"email": trainee.email},
        HTTP_HOST=FORGED,
        REMOTE_ADDR="192.0.2.10",
    )

    [message] = mail.outbox
    [link] = links_in(message.body)
    assert link.startswith(f"{PUBLIC}/accounts/password-reset/") and FORGED not in message.body


def test_an_email_change_link_ignores_a_forged_host_header(
    client, django_capture_on_commit_callbacks
):
    person = factories.user("Trainee", email="old@example.org", email_confirmed=True)
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:profile"),
            {"email": "new@example.org", "phone": "", "organisation": "", "position": ""},
            HTTP_HOST=FORGED,
        )

    [to_new] = [message for message in mail.outbox if message.to == ["new@example.org"]]
    [link] = links_in(to_new.body)
    assert link.startswith(f"{PUBLIC}/accounts/email/confirm/")


@pytest.fixture
def running_session():
    factories.site_home()
    today = timezone.localdate()
    cohort = factories.cohort(
        factories.program(),
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=30),
    )
    instructor = factories.user("Instructor")
    cohort.instructors.add(instructor)
    trainee = factories.user("Trainee")
    factories.enrol(trainee, cohort)
    start = timezone.now() - dt.timedelta(minutes=5)
    session = Session.objects.create(
        cohort=cohort, topic="Финансы семьи", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    return session, instructor, trainee


def test_calendar_feeds_link_to_the_public_address(client, running_session):
    session, _instructor, trainee = running_session
    token = calendar_token(trainee).token

    feed = client.get(reverse("schedule:trainee_feed", args=(token,)), HTTP_HOST=FORGED)
    client.force_login(trainee)
    page = client.get(reverse("schedule:mine"), HTTP_HOST=FORGED).content.decode()

    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(event["url"]) == f"{PUBLIC}/schedule/sessions/{session.pk}/"
    feed_path = reverse("schedule:trainee_feed", args=(token,))
    assert f"{PUBLIC}{feed_path}" in page and FORGED not in page


def test_the_checkin_qr_code_holds_the_public_address(client, running_session):
    session, instructor, _trainee = running_session
    client.force_login(instructor)

    html = client.get(
        reverse("schedule:checkin_screen", args=(session.pk,)), HTTP_HOST=FORGED
    ).content.decode()

    expected = absolute_url(
        reverse("schedule:checkin", args=(session.pk, checkin_code(session, timezone.now())))
    )
    # The QR code on the screen is exactly the code of the public address (segno is
    # deterministic), and so is the address printed under it.
    qr = segno.make(expected, error="m").svg_inline(omitsize=True, dark="#000", light="#fff")
    assert qr in html and expected in html
    assert not [link for link in links_in(html) if FORGED in link]


# A refused request in the log ---------------------------------------------------------------


def forbidden_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "status_code", None) == 403]


def test_a_403_is_logged_in_one_line_without_a_traceback(client, trainee, caplog):
    cohort = factories.cohort(factories.program())
    client.force_login(trainee)

    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("assessments:queue", args=(cohort.pk,)))

    assert response.status_code == 403
    [record] = forbidden_records(caplog)
    line = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    path = response.request["PATH_INFO"]
    assert line == f"WARNING django.request Forbidden (Permission denied): {path}"
    assert record.exc_info is None and "Traceback" not in caplog.text
