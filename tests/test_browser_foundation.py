"""A trainee's first visit, in a real browser, with axe-core checking accessibility."""

import re

import pytest

from tests.browser import BROWSER_TEST, launch_chromium, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST


@pytest.fixture
def browser_page(demo_browser):
    chromium, base = demo_browser
    return new_page(chromium, locale="en-US"), base


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

    sign_in(page, base, "trainee01")
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


def test_a_trainee_reads_what_is_held_about_them_and_downloads_it(browser_page):
    """The profile shows the consent given and the text agreed to; «Мои данные» lists what is
    held and downloads it as one archive; both pages pass the accessibility check."""
    import io
    import json
    import zipfile
    from pathlib import Path

    from playwright.sync_api import expect

    page, base = browser_page
    sign_in(page, base, "trainee02")
    page.goto(base + "/accounts/profile/")
    expect(page.locator(".consent-state")).to_contain_text("версии 1.0")
    page.locator(".consent-text summary").click()
    expect(page.locator(".consent-body")).to_contain_text("ФИС ФРДО")
    profile_violations = serious_violations(page)

    page.get_by_role("link", name="Все данные, которые школа хранит о вас").click()
    expect(page.locator("h1")).to_have_text("Мои данные")
    expect(page.locator(".my-data-account")).to_contain_text("trainee02")
    expect(page.locator(".my-data-certificates")).to_contain_text("Действительно")
    my_data_violations = serious_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать архив (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))

    assert data["account"]["login"] == "trainee02"
    assert any(name.startswith("files/certificates/") for name in archive.namelist())
    assert profile_violations == [] and my_data_violations == []
