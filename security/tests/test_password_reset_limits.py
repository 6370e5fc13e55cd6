"""Password-reset requests: limited per e-mail (3 an hour) and per address (20 an hour), and
answered alike whether or not an account uses the e-mail."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from security.models import PasswordResetRequest

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ask(client, email, *, ip="192.0.2.10"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip)


def page_text(response, *, typed: str = "") -> str:
    """The page as a person sees it: without the per-request CSRF tokens and what they typed."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(typed, "…") if typed else text


def test_a_known_address_gets_the_link(client, trainee):
    response = ask(client, trainee.email)

    assert response.status_code == 302 and response.url == DONE
    [message] = mail.outbox
    assert message.to == [trainee.email]
    assert "/accounts/password-reset/" in message.body
    assert trainee.username in message.body


# The worker closes its database connection when done, so this test cannot run inside a
# transaction; serialized_rollback keeps the regions and roles of the data migrations.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=QUEUED)
def test_known_and_unknown_addresses_are_answered_alike_and_mailed_later(client, trainee):
    with CaptureQueriesContext(connection) as known_queries:
        known = ask(client, trainee.email)
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = ask(client, "nobody-here@example.org")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, DONE)
    assert page_text(client.get(known.url)) == page_text(client.get(unknown.url))
    # The same work in the request (nothing looks the address up), and no mail sent in it.
    assert len(known_queries) == len(unknown_queries)
    assert not any("accounts_user" in query["sql"] for query in known_queries.captured_queries)
    assert mail.outbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    assert [message.to for message in mail.outbox] == [[trainee.email]]


def test_three_requests_an_hour_per_email_then_a_clear_refusal(client, trainee):
    answers = [ask(client, trainee.email).status_code for _ in range(3)]
    fourth = ask(client, trainee.email)

    assert answers == [302, 302, 302]
    assert fourth.status_code == 429
    assert "Слишком много запросов на новый пароль" in fourth.content.decode()
    assert len(mail.outbox) == 3


def test_the_refusal_is_the_same_for_an_unknown_address(client, trainee):
    for _ in range(3):
        ask(client, trainee.email)
        ask(client, "nobody-here@example.org")

    known = ask(client, trainee.email)
    unknown = ask(client, "nobody-here@example.org")

    assert known.status_code == unknown.status_code == 429
    assert page_text(known, typed=trainee.email) == page_text(
        unknown, typed="nobody-here@example.org"
    )


def test_the_email_limit_ignores_case_and_spaces_and_spares_other_emails(client, trainee):
    for variant in [trainee.email, trainee.email.upper(), f"  {trainee.email}  "]:
        ask(client, variant)

    assert ask(client, trainee.email.title()).status_code == 429
    assert ask(client, "someone-else@example.org").status_code == 302


def test_the_email_limit_counts_across_addresses(client, trainee):
    for n in range(3):
        ask(client, trainee.email, ip=f"198.51.100.{n}")

    assert ask(client, trainee.email, ip="198.51.100.99").status_code == 429


def test_twenty_requests_an_hour_per_address_then_a_refusal(client):
    answers = [ask(client, f"person{n}@example.org").status_code for n in range(20)]

    assert answers == [302] * 20
    assert ask(client, "person20@example.org").status_code == 429
    assert ask(client, "person20@example.org", ip="198.51.100.7").status_code == 302


def _age_requests(by: dt.timedelta) -> None:
    for request in PasswordResetRequest.objects.all():
        request.requested_at -= by
        request.save(update_fields=["requested_at"])


def test_the_limit_lifts_an_hour_after_the_requests(client, trainee):
    for _ in range(3):
        ask(client, trainee.email)

    _age_requests(dt.timedelta(minutes=59, seconds=59))
    assert ask(client, trainee.email).status_code == 429

    _age_requests(dt.timedelta(seconds=2))
    assert ask(client, trainee.email).status_code == 302


def test_a_malformed_email_is_refused_and_not_counted(client):
    response = ask(client, "not an e-mail")

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert PasswordResetRequest.objects.count() == 0
    assert mail.outbox == []


def test_the_email_is_not_stored_in_clear(client, trainee):
    ask(client, trainee.email)

    [row] = PasswordResetRequest.objects.all()
    assert trainee.email not in row.email_digest
    assert row.ip_address == "192.0.2.10"
