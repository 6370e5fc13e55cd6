"""Browser journey of the trainee's record, on the demo school."""

import re

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST


def test_official_opens_a_trainees_record_from_the_roster(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "official")
    expect(page).to_have_url(re.compile(r"/cohorts/$"))
    page.get_by_role("link", name="Группа 1").first.click()

    first = page.locator("table.roster tbody th a").first
    name = first.inner_text()
    first.click()

    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Прогресс по модулям")).to_be_visible()
    expect(page.locator(".completion-rules li")).to_have_count(3)
    expect(page.locator(".record-sessions tbody tr").first).to_be_visible()
    expect(page.locator('.record-history [data-kind="enrolled"]')).to_be_visible()
    assert serious_violations(page) == []

    # The withdrawn trainee's record says why, and when.
    page.go_back()
    withdrawn = page.locator("table.roster tr", has_text="Отчислен").locator("th a").first
    withdrawn.click()
    expect(page.locator('[data-testid="withdrawn"]')).to_contain_text("Причина:")
    expect(page.locator('.record-history [data-kind="withdrawn"]')).to_be_visible()
