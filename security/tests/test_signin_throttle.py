"""Sign-in throttling with django-axes, on the site's sign-in and on the Wagtail admin's.

The rule: 5 failures of one login from one address within 15 minutes lock that login out from that
address for 15 minutes; other logins and other addresses are unaffected.
"""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 5
WRONG = "not-the-password"
SITE = reverse("accounts:login")
ADMIN = reverse("wagtailadmin_login")


def sign_in(client, user, password=factories.PASSWORD, *, ip="192.0.2.10", url=SITE, **extra):
    return client.post(
        url, {"username": user.get_username(), "password": password}, REMOTE_ADDR=ip, **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, user, times, **kwargs):
    return [sign_in(client, user, WRONG, **kwargs) for _ in range(times)]


def test_four_failures_still_let_the_right_password_in(client, trainee):
    responses = fail(client, trainee, LIMIT - 1)

    assert [response.status_code for response in responses] == [200] * (LIMIT - 1)
    assert "Пожалуйста, введите правильные" in responses[-1].content.decode()
    response = sign_in(client, trainee)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_login_and_says_how_long_to_wait(client, trainee):
    *_, fifth = fail(client, trainee, LIMIT)

    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Слишком много неудачных попыток входа" in page
    assert "Попробуйте снова через 15 минут." in page

    # Now even the right password is refused, with the same page.
    response = sign_in(client, trainee)
    assert response.status_code == 429
    assert "Попробуйте снова через 15 минут." in response.content.decode()
    assert not signed_in(client)


def test_a_lockout_leaves_other_logins_and_other_addresses_alone(client, trainee, instructor):
    fail(client, trainee, LIMIT, ip="192.0.2.10")

    assert sign_in(client, instructor, ip="192.0.2.10").status_code == 302
    client.logout()
    assert sign_in(client, trainee, ip="198.51.100.7").status_code == 302
    assert signed_in(client)
    client.logout()
    assert sign_in(client, trainee, ip="192.0.2.10").status_code == 429


def test_a_successful_sign_in_starts_the_count_again(client, trainee):
    fail(client, trainee, LIMIT - 1)
    assert sign_in(client, trainee).status_code == 302
    client.logout()

    fail(client, trainee, LIMIT - 1)

    assert sign_in(client, trainee).status_code == 302


def _age_failures(user, by: dt.timedelta) -> None:
    """As if the failures had happened `by` earlier (the cool-off counts from the last one)."""
    for attempt in AccessAttempt.objects.filter(username=user.get_username()):
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_the_wait_counts_down_and_the_lockout_ends_after_fifteen_minutes(client, trainee):
    fail(client, trainee, LIMIT)

    _age_failures(trainee, dt.timedelta(minutes=10, seconds=30))
    response = sign_in(client, trainee)
    assert response.status_code == 429
    assert "Попробуйте снова через 5 минут." in response.content.decode()

    _age_failures(trainee, dt.timedelta(minutes=4, seconds=29))  # 14:59 after the last failure
    assert sign_in(client, trainee).status_code == 429
    assert "через 1 минуту." in sign_in(client, trainee).content.decode()

    _age_failures(trainee, dt.timedelta(seconds=2))  # 15:01
    assert sign_in(client, trainee).status_code == 302
    assert signed_in(client)


def test_failures_spread_over_more_than_the_cool_off_do_not_lock(client, trainee):
    fail(client, trainee, LIMIT - 1)
    _age_failures(trainee, dt.timedelta(minutes=15, seconds=1))

    fail(client, trainee, 1)

    assert sign_in(client, trainee).status_code == 302


def test_the_admin_sign_in_is_throttled_and_counts_with_the_site(client, instructor):
    fail(client, instructor, LIMIT - 2, url=SITE)
    responses = fail(client, instructor, 2, url=ADMIN)

    assert [response.status_code for response in responses] == [200, 429]
    assert "Попробуйте снова через 15 минут." in responses[-1].content.decode()
    response = sign_in(client, instructor, url=ADMIN)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_admin_sign_in_still_works_below_the_limit(client, instructor):
    fail(client, instructor, LIMIT - 1, url=ADMIN)

    response = sign_in(client, instructor, url=ADMIN)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_spoofed_forwarded_for_header_does_not_escape_a_lockout(client, trainee):
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for n in range(LIMIT):
            # The proxy appends the real address; what the client wrote before it is ignored.
            sign_in(
                client,
                trainee,
                WRONG,
                ip="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5",
            )
        locked = sign_in(
            client, trainee, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.99, 203.0.113.5"
        )
        other = sign_in(client, trainee, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert locked.status_code == 429
    assert other.status_code == 302


def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(client, trainee):
    for n in range(LIMIT):
        sign_in(client, trainee, WRONG, ip="192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert sign_in(client, trainee, ip="192.0.2.10").status_code == 429
