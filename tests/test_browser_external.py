"""No page asks another host for anything: no CDN, no web font, no avatar service, the admin
included. Every request a page makes is watched; one to a host other than the live server's
fails the test (and is refused, so that nothing leaves the machine)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from courses.models import CaseStudyPage, Cohort, ProgramPage
from schedule.models import Session
from tests.browser import BROWSER_TEST, launch_chromium, new_page, sign_in

pytestmark = BROWSER_TEST


def guard_requests(page, base: str) -> list[str]:
    """Refuse, and list, every request of `page` to another host than the live server's."""
    own = urlsplit(base).netloc
    elsewhere: list[str] = []

    def check(route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.netloc == own:
            route.continue_()
        else:
            elsewhere.append(f"{url} (from {page.url})")
            route.abort()

    page.context.route("**/*", check)
    return elsewhere


def visit(page, base: str, paths: list[str]) -> list[str]:
    """Open each path; the statuses that are not 200 (so that a broken visit is seen)."""
    problems = []
    for path in paths:
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if response is None or response.status != 200:
            problems.append(f"{path}: {response.status if response else 'no response'}")
    return problems


def test_the_guard_catches_a_request_to_another_host():
    """Guards the test below: a page that loads an image from elsewhere must be caught."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page()
        elsewhere = guard_requests(page, "http://127.0.0.1:1")
        page.set_content("<img src='https://www.gravatar.com/avatar/x' alt=''>")
        page.wait_for_load_state("networkidle")
        chromium.close()

    assert len(elsewhere) == 1 and "gravatar.com" in elsewhere[0]


def test_no_page_of_any_role_loads_anything_from_another_host(demo_browser):
    chromium, base = demo_browser
    program = ProgramPage.objects.live().first()
    case = CaseStudyPage.objects.live().first()
    cohort = Cohort.objects.get(name="Группа 1", region__code="68")
    session = Session.objects.filter(cohort=cohort).first()
    problems: list[str] = []
    elsewhere: list[str] = []

    anonymous = new_page(chromium)
    elsewhere += guard_requests(anonymous, base)
    problems += visit(anonymous, base, ["/", reverse("accounts:login"), program.url])
    # The icon the pages link to, and /favicon.ico that browsers ask for on their own.
    assert anonymous.locator("link[rel=icon]").get_attribute("href").endswith("favicon.svg")
    icon = anonymous.request.get(base + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")

    journeys = {
        "trainee01": [
            reverse("courses:learning"),
            program.url,
            case.url,
            reverse("schedule:mine"),
            reverse("notifications:list"),
            reverse("accounts:profile"),
        ],
        "instructor": [
            reverse("courses:cohort_list"),
            reverse("courses:cohort_detail", args=(cohort.pk,)),
            reverse("assessments:queue", args=(cohort.pk,)),
            reverse("records:gradebook", args=(cohort.pk,)),
            reverse("schedule:session", args=(session.pk,)),
            reverse("wagtailadmin_home"),
            reverse("wagtailadmin_explore", args=(program.pk,)),
            reverse("wagtailadmin_pages:edit", args=(case.pk,)),
            reverse("wagtaildocs:index"),
            reverse("wagtailadmin_account"),
        ],
        "official": [
            reverse("courses:cohort_list"),
            reverse("courses:cohort_detail", args=(cohort.pk,)),
        ],
        "admin": [
            reverse("wagtailadmin_home"),
            reverse("wagtailusers_users:index"),
            reverse("wagtailimages:index"),
            reverse("wagtailadmin_reports:site_history"),
            reverse("wagtailsnippets:index"),
        ],
    }
    for username, paths in journeys.items():
        page = new_page(chromium)
        elsewhere += guard_requests(page, base)
        sign_in(page, base, username)
        problems += [f"{username} {line}" for line in visit(page, base, paths)]
        page.context.close()

    assert elsewhere == [], "Requests to other hosts:\n" + "\n".join(elsewhere)
    assert problems == []


@pytest.mark.parametrize("setting", ["WAGTAIL_GRAVATAR_PROVIDER_URL"])
def test_the_admin_is_configured_to_ask_no_avatar_service(setting, settings):
    assert getattr(settings, setting) is None
