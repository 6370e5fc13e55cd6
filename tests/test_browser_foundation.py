"""A trainee's first visit, in a real browser, with axe-core checking accessibility."""

import os
import re

import pytest
from django.core.management import call_command

from tests.browser import launch_chromium, serious_violations

# serialized_rollback: the regions, roles and workflow of the data migrations survive the flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are
# still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, live_server.url
        context.close()
        browser.close()


def test_trainee_signs_in_and_sees_the_programme_with_its_hours(browser_page):
    from playwright.sync_api import expect

    page, base = browser_page
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Школа социальных координаторов")
    home_violations = serious_violations(page)

    page.get_by_role("link", name="Войти", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login_violations = serious_violations(page)
    page.get_by_label("Логин").fill("trainee01")
    page.get_by_label("Пароль").fill("demo-2026")
    page.get_by_role("button", name="Войти").click()

    page.get_by_role("link", name="Сопровождение участников СВО и членов их семей").click()
    hours = page.locator(".hours-split")
    expect(hours).to_contain_text("72 ак. ч")
    expect(hours).to_contain_text("54 ак. ч")
    expect(hours).to_contain_text("18 ак. ч")
    expect(hours).to_contain_text("75 %")
    program_violations = serious_violations(page)

    assert home_violations == [] and login_violations == [] and program_violations == []


def test_low_vision_mode_persists_and_stays_accessible(browser_page):
    from playwright.sync_api import expect

    page, base = browser_page
    page.goto(base + "/accounts/login/")
    page.get_by_role("button", name="Версия для слабовидящих").click()
    expect(page.locator("html")).to_have_class(re.compile("low-vision"))
    assert serious_violations(page) == []

    page.goto(base + "/")
    expect(page.locator("html")).to_have_class(re.compile("low-vision"))
    assert serious_violations(page) == []

    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill("trainee01")
    page.get_by_label("Пароль").fill("demo-2026")
    page.get_by_role("button", name="Войти", exact=True).click()
    page.get_by_role("link", name="Сопровождение участников СВО и членов их семей").click()
    expect(page.locator("html")).to_have_class(re.compile("low-vision"))
    expect(page.locator(".hours-split")).to_contain_text("72")
    assert serious_violations(page) == []

    # Keyboard users reach the main content through the skip link.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()


def test_the_accessibility_checker_really_reports_violations():
    """Guards the checks above: a page with an unlabelled image and field must fail them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.set_content(
            "<html lang='ru'><body><main><img src='x.png'><input type='text'></main></body></html>"
        )
        violations = serious_violations(page)
        browser.close()

    assert any(line.startswith("image-alt") for line in violations)
