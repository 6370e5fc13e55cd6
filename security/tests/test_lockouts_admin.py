"""«Блокировки входа» in the Wagtail admin: administrators see who is locked out and unlock them."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 5
INDEX = reverse("security_lockouts")


def lock_out(client, user, *, ip="192.0.2.10", times=LIMIT):
    for _ in range(times):
        client.post(
            reverse("accounts:login"),
            {"username": user.get_username(), "password": "wrong"},
            REMOTE_ADDR=ip,
        )


def can_sign_in(client, user, *, ip="192.0.2.10") -> bool:
    response = client.post(
        reverse("accounts:login"),
        {"username": user.get_username(), "password": factories.PASSWORD},
        REMOTE_ADDR=ip,
    )
    client.logout()
    return response.status_code == 302


def release_url(user) -> str:
    attempt = AccessAttempt.objects.filter(username=user.get_username()).latest("attempt_time")
    return reverse("security_lockout_release", args=(attempt.pk,))


@pytest.fixture
def administrator(db):
    # An administrator by role, not a superuser: the permission comes from the role.
    return factories.user("Administrator")


def test_an_administrator_sees_current_lockouts_only(client, administrator, trainee, instructor):
    lock_out(client, trainee, ip="192.0.2.10")
    lock_out(client, instructor, times=LIMIT - 1)
    client.force_login(administrator)

    page = client.get(INDEX).content.decode()

    assert trainee.username in page
    assert "192.0.2.10" in page
    assert "Разблокировать" in page
    assert instructor.username not in page


def test_unlocking_lets_that_person_in_at_once_and_keeps_other_lockouts(
    client, administrator, trainee, instructor
):
    lock_out(client, trainee)
    lock_out(client, instructor)
    url = release_url(trainee)
    client.force_login(administrator)

    response = client.post(url)

    assert response.status_code == 302 and response.url == INDEX
    assert "Вход разблокирован" in client.get(INDEX).content.decode()
    client.logout()
    assert can_sign_in(client, trainee)
    assert not can_sign_in(client, instructor)


def test_the_admin_menu_offers_the_page_to_administrators_only(client, administrator, instructor):
    client.force_login(administrator)
    assert INDEX in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(instructor)
    assert INDEX not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_staff_without_the_permission_can_neither_see_nor_unlock(client, instructor, trainee):
    lock_out(client, trainee)
    url = release_url(trainee)
    client.force_login(instructor)

    listing = client.get(INDEX)
    unlock = client.post(url)

    assert listing.status_code == 302 and listing.url == reverse("wagtailadmin_home")
    assert unlock.status_code == 302 and unlock.url == reverse("wagtailadmin_home")
    client.logout()
    assert not can_sign_in(client, trainee)


def test_anonymous_visitors_are_sent_to_sign_in(client, trainee):
    lock_out(client, trainee)
    url = release_url(trainee)

    assert reverse("wagtailadmin_login") in client.get(INDEX).url
    assert reverse("wagtailadmin_login") in client.post(url).url
    assert not can_sign_in(client, trainee)


def test_unlocking_is_a_post_and_a_stale_button_changes_nothing(client, administrator, trainee):
    lock_out(client, trainee)
    url = release_url(trainee)
    client.force_login(administrator)

    assert client.get(url).status_code == 405
    missing = client.post(reverse("security_lockout_release", args=(999999,)))

    assert missing.status_code == 302
    assert "Эта блокировка уже закончилась" in client.get(INDEX).content.decode()
    client.logout()
    assert not can_sign_in(client, trainee)
