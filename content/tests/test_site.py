"""Language, low-vision mode, accessibility basics and the CSP-friendliness of templates."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return factories.site_home()


def test_the_site_speaks_russian_whatever_the_browser_prefers(client, home):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert '<html lang="ru"' in html
    assert "Войти" in html


def test_a_visitor_can_switch_to_english_and_it_sticks(client, home):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Sign in" in html


def test_low_vision_mode_can_be_switched_on_and_persists(client, home):
    assert 'class="low-vision"' not in client.get("/").content.decode()

    response = client.post(reverse("toggle_low_vision"), {"enable": "1", "next": "/"})

    assert response.status_code == 302 and response.url == "/"
    assert response.cookies["low_vision"]["max-age"] >= 365 * 24 * 3600
    html = client.get("/").content.decode()
    assert 'class="low-vision"' in html
    assert 'aria-pressed="true"' in html

    client.post(reverse("toggle_low_vision"), {"enable": "0", "next": "/"})
    assert 'class="low-vision"' not in client.get("/").content.decode()


def test_low_vision_switch_never_redirects_off_site(client, home):
    response = client.post(
        reverse("toggle_low_vision"), {"enable": "1", "next": "https://evil.example/"}
    )

    assert response.url == "/"


def test_every_page_has_a_skip_link_to_the_main_content(client, home):
    html = client.get("/").content.decode()

    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html


def test_sign_in_form_has_labelled_fields(client, home):
    html = client.get(reverse("accounts:login")).content.decode()

    for field_id in ("id_username", "id_password"):
        assert re.search(rf'<label[^>]+for="{field_id}"', html)


def test_a_trainee_can_sign_in_and_out(client, trainee, home):
    response = client.post(
        reverse("accounts:login"), {"username": trainee.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert trainee.last_name in client.get("/").content.decode()

    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_message_not_an_error(client, trainee, home):
    response = client.post(
        reverse("accounts:login"), {"username": trainee.username, "password": "nope"}
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_bootstrap_is_served_from_the_installed_package_not_a_cdn(client, home):
    html = client.get("/").content.decode()

    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_unknown_pages_answer_404_with_our_page(client, home):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'id="main-content"' in response.content.decode()


def test_our_templates_have_no_inline_scripts_or_styles():
    """A Content-Security-Policy without 'unsafe-inline' must hold on every page we serve."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text):
            offenders.append(str(template))
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template} (inline event handler)")
    assert offenders == []
