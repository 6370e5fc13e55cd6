"""A new e-mail takes effect only through a link sent to it; an address counts as confirmed
once a link sent to it has been followed."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core import mail, signing
from django.urls import reverse

from accounts.forms import SchoolUserEditForm
from accounts.models import User
from accounts.services import EMAIL_CHANGE_MAX_AGE, email_change_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return factories.user("Trainee", email="old@example.org", email_confirmed=True)


def ask_for(client, user, email: str):
    client.force_login(user)
    return client.post(
        reverse("accounts:profile"),
        {"email": email, "phone": "", "organisation": "", "position": ""},
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def sent_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_new_email_waits_for_its_link_and_both_addresses_are_told(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for(client, person, "New@Example.org")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "old@example.org" and person.email_confirmed
    assert person.pending_email == "new@example.org"
    [to_new] = sent_to("new@example.org")
    [to_old] = sent_to("old@example.org")
    assert "/accounts/email/confirm/" in to_new.body
    assert "new@example.org" in to_old.body and "/accounts/email/confirm/" not in to_old.body
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "email-pending" in page


def test_following_the_link_signed_in_changes_the_email_and_tells_the_old_address(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for(client, person, "new@example.org")
    link = "/" + link_in(sent_to("new@example.org")[0])
    mail.outbox.clear()

    shown = client.get(link)
    person.refresh_from_db()
    assert shown.status_code == 200 and "new@example.org" in shown.content.decode()
    assert person.email == "old@example.org"  # opening the link alone changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)

    person.refresh_from_db()
    assert (person.email, person.email_confirmed, person.pending_email) == (
        "new@example.org",
        True,
        "",
    )
    [told] = sent_to("old@example.org")
    assert "new@example.org" in told.body
    assert client.post(link).status_code == 400  # used once


def test_the_link_works_only_for_the_account_that_asked(client, person):
    ask_for(client, person, "new@example.org")
    person.refresh_from_db()
    link = reverse("accounts:email_confirm", args=(email_change_token(person),))
    client.logout()

    assert client.get(link).status_code == 302  # to the sign-in page
    other = factories.user("Trainee", email="other@example.org", email_confirmed=True)
    ask_for(client, other, "new@example.org")  # even one waiting for the same address
    assert client.post(link).status_code == 400
    person.refresh_from_db()
    assert person.email == "old@example.org"


def test_the_link_expires_after_its_time(client, person, monkeypatch):
    sent_at = 1_900_000_000
    monkeypatch.setattr(signing.time, "time", lambda: sent_at)
    ask_for(client, person, "new@example.org")
    person.refresh_from_db()
    link = reverse("accounts:email_confirm", args=(email_change_token(person),))
    limit = EMAIL_CHANGE_MAX_AGE.total_seconds()

    monkeypatch.setattr(signing.time, "time", lambda: sent_at + limit + 1)
    assert client.post(link).status_code == 400
    monkeypatch.setattr(signing.time, "time", lambda: sent_at + limit)
    assert client.post(link).status_code == 302

    person.refresh_from_db()
    assert person.email == "new@example.org"


def test_a_newer_request_or_calling_it_off_retires_the_earlier_link(client, person):
    ask_for(client, person, "first@example.org")
    person.refresh_from_db()
    first = reverse("accounts:email_confirm", args=(email_change_token(person),))
    ask_for(client, person, "second@example.org")

    assert client.post(first).status_code == 400
    person.refresh_from_db()
    second = reverse("accounts:email_confirm", args=(email_change_token(person),))
    ask_for(client, person, "old@example.org")  # the current address back: called off
    person.refresh_from_db()
    assert person.pending_email == ""
    assert client.post(second).status_code == 400
    person.refresh_from_db()
    assert person.email == "old@example.org"


@pytest.mark.parametrize("token", ["²", "abc", "x" * 5000, "eyJ1IjoxfQ:1abc:forged"])
def test_a_malformed_or_forged_link_is_a_400_and_changes_nothing(client, person, token):
    ask_for(client, person, "new@example.org")

    assert client.get(reverse("accounts:email_confirm", args=(token,))).status_code == 400
    assert client.post(reverse("accounts:email_confirm", args=(token,))).status_code == 400
    person.refresh_from_db()
    assert person.email == "old@example.org" and person.pending_email == "new@example.org"


def test_asking_for_an_address_another_account_uses_looks_the_same(client, person, instructor):
    # The answer must not tell whether the address has an account…
    taken = ask_for(client, person, instructor.email.upper())
    free = ask_for(client, person, "nobody@example.org")

    assert taken.status_code == free.status_code == 302
    # …and following the link (which shows the address is the reader's own) is refused.
    ask_for(client, person, instructor.email)
    person.refresh_from_db()
    link = reverse("accounts:email_confirm", args=(email_change_token(person),))
    response = client.post(link)
    assert response.status_code == 400
    assert "уже указан у другой учётной записи" in response.content.decode()  # pages speak Russian
    person.refresh_from_db()
    assert person.email == "old@example.org"


def test_a_password_link_confirms_the_address_it_was_sent_to(client):
    person = factories.user("Trainee", email="invited@example.org")
    person.set_unusable_password()
    person.save()
    client.post(reverse("accounts:password_reset"), {"email": "invited@example.org"})
    link = "/" + link_in(mail.outbox[0])

    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Zq9!long-enough", "new_password2": "Zq9!long-enough"},
    )

    person.refresh_from_db()
    assert person.email_confirmed


def test_an_address_typed_in_by_an_administrator_is_not_confirmed(person):
    data = {
        "username": person.username,
        "email": "typed@example.org",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "region": person.region_id,
        "is_active": "on",
    }
    form = SchoolUserEditForm(data, instance=person)
    assert form.is_valid(), form.errors

    form.save()

    person.refresh_from_db()
    assert person.email == "typed@example.org" and not person.email_confirmed


def test_existing_people_with_a_password_count_as_confirmed():
    migration = importlib.import_module("accounts.migrations.0004_email_confirmation")
    with_password = factories.user("Trainee")
    invitee = factories.user("Trainee")
    no_email = factories.user("Trainee", email="")
    User.objects.filter(pk=invitee.pk).update(password=make_password(None))
    User.objects.update(email_confirmed=False)

    migration.confirm_existing_addresses(apps, None)

    assert User.objects.get(pk=with_password.pk).email_confirmed
    assert not User.objects.get(pk=invitee.pk).email_confirmed
    assert not User.objects.get(pk=no_email.pk).email_confirmed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a" * 250 + "@x.ru"),
        ("email", "new@exa\x00mple.org"),
        ("organisation", "К" * 256),
        ("position", "С" * 256),
        ("phone", "9" * 40),
        ("organisation", "nul\x00byte"),
    ],
)
def test_oversized_or_malformed_profile_values_get_a_form_error(client, person, field, value):
    client.force_login(person)
    data = {"email": person.email, "phone": "", "organisation": "", "position": ""}

    response = client.post(reverse("accounts:profile"), {**data, field: value})

    assert response.status_code == 200 and field in response.context["form"].errors
    person.refresh_from_db()
    assert (person.email, person.pending_email, person.organisation, person.position) == (
        "old@example.org",
        "",
        "",
        "",
    )
    assert mail.outbox == []


def test_an_empty_post_to_the_profile_gets_messages(client, person):
    client.force_login(person)

    response = client.post(reverse("accounts:profile"), {})

    assert response.status_code == 200 and "email" in response.context["form"].errors
