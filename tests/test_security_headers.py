"""The Content-Security-Policy header on representative responses: site pages, error pages,
the lockout page, the Wagtail admin and its previews.

The site's policy allows scripts and styles from our own origin only; the admin's (under /admin/)
adds inline <script> and <style> elements, which Wagtail 8 needs, and nothing else that runs code.
"""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import path, reverse

from tests import factories

pytestmark = pytest.mark.django_db

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:")


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_site_policy(response) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "script-src-elem" not in csp and "script-src-attr" not in csp
    # Nothing anywhere in the policy lets a script in by another way.
    for directive in ("default-src", "script-src", "style-src", "connect-src", "frame-src"):
        assert not set(csp[directive]) & set(UNSAFE), directive


def test_site_pages_carry_the_strict_policy(client, trainee):
    factories.site_home()

    assert_site_policy(client.get("/"))
    assert_site_policy(client.get(reverse("accounts:login")))
    client.force_login(trainee)
    assert_site_policy(client.get(reverse("accounts:profile")))


def test_a_not_found_page_carries_the_strict_policy(client):
    factories.site_home()

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_site_policy(response)


def _fails(request):
    raise RuntimeError("boom")


urlpatterns = [path("fails/", _fails)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_page_carries_the_strict_policy(client):
    client.raise_request_exception = False

    response = client.get("/fails/")

    assert response.status_code == 500
    assert_site_policy(response)


def test_the_lockout_page_carries_the_strict_policy(client, trainee):
    for _ in range(5):
        response = client.post(
            reverse("accounts:login"), {"username": trainee.username, "password": "wrong"}
        )

    assert response.status_code == 429
    assert_site_policy(response)


def assert_admin_policy(response) -> None:
    csp = policy(response)
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["script-src-attr"] == ["'none'"]  # no inline event handlers
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["style-src-attr"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]  # the editor frames its own preview
    assert "'unsafe-eval'" not in " ".join(sum(csp.values(), []))


def test_the_admin_carries_its_own_policy(client, instructor):
    assert_admin_policy(client.get(reverse("wagtailadmin_login")))
    client.force_login(instructor)
    assert_admin_policy(client.get(reverse("wagtailadmin_home")))


def test_an_admin_preview_keeps_the_site_policy_but_may_be_framed(instructor):
    home = factories.site_home()
    request = RequestFactory().get(reverse("wagtailadmin_home"))
    request.user = instructor

    response = home.make_preview_request(original_request=request)

    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]
