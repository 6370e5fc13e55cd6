"""Content-Security-Policy in a real browser: the admin pages an instructor uses, the site pages
with Wagtail's user bar, and a check that the violation listener itself works.

Every browser journey fails on any CSP violation (see `demo_browser`); these add the admin."""

import re

from django.urls import reverse

from tests import browser
from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

PROGRAM = "/programmy/soprovozhdenie-uchastnikov-svo/"


def test_an_instructor_works_in_the_admin_without_policy_violations(demo_browser):
    from playwright.sync_api import expect

    from assessments.models import QuestionBank
    from courses.models import CaseStudyPage, ProgramPage
    from schedule.models import Speaker

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "instructor")

    page.goto(base + reverse("wagtailadmin_home"))
    expect(page.locator("h1")).to_be_visible()

    program = ProgramPage.objects.get(slug="soprovozhdenie-uchastnikov-svo")
    page.goto(base + reverse("wagtailadmin_explore", args=(program.pk,)))
    expect(page.get_by_role("table")).to_be_visible()

    case = CaseStudyPage.objects.live().first()
    page.goto(base + reverse("wagtailadmin_pages:edit", args=(case.pk,)))
    expect(page.locator("#id_title")).to_have_value(case.title)
    # The rubric's inline panel adds a criterion from its template, scripts included.
    # The rubric's inline panel adds a criterion from its template, scripts included.
    page.locator("#id_rubric_criteria-ADD").click()
    expect(page.locator("#id_rubric_criteria-FORMS > *")).not_to_have_count(0)
    # The live preview is a same-origin frame beside the editor; the checks panel runs axe-core
    # on it; the status panel holds the publishing schedule.
    page.locator("[data-side-panel-toggle='preview']").click()
    expect(page.frame_locator("iframe[title]").first.locator("h1")).to_have_text(case.title)
    page.locator("[data-side-panel-toggle='checks']").click()
    expect(page.locator("[data-side-panel='checks']")).to_be_visible()
    page.locator("[data-side-panel-toggle='status']").click()
    expect(page.locator("[data-side-panel='status']")).to_be_visible()

    page.goto(base + reverse(Speaker.snippet_viewset.get_url_name("list")))
    expect(page.get_by_role("table")).to_be_visible()
    page.goto(base + reverse(QuestionBank.snippet_viewset.get_url_name("list")))
    expect(page.get_by_role("table")).to_be_visible()
    page.goto(base + reverse("wagtaildocs:index"))

    # The site itself, with Wagtail's user bar for staff.
    page.goto(base + PROGRAM)
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_timeout(500)


def test_the_listener_really_reports_a_violation(demo_browser):
    """Guards the check above: an inline script on our page is refused and reported."""
    chromium, base = demo_browser
    page = new_page(chromium)
    page.goto(base + "/")

    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true;"; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")

    assert page.evaluate("() => window.injected") is None
    violations = browser.collect_csp_violations(chromium)
    assert any(line.startswith("script-src-elem refused inline") for line in violations)
    browser.csp_violations.clear()
    page.evaluate("() => { window.__cspViolations = []; }")


def test_a_locked_out_trainee_is_told_to_wait_and_an_administrator_unlocks(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    trainee = new_page(chromium)
    for _ in range(5):
        sign_in(trainee, base, "trainee01", password="not-my-password")
    expect(trainee.locator("h1")).to_have_text("Вход временно приостановлен")
    expect(trainee.get_by_role("alert")).to_contain_text("Попробуйте снова через 15 минут.")
    assert serious_violations(trainee) == []

    admin = new_page(chromium)
    sign_in(admin, base, "admin")
    admin.goto(base + reverse("security_lockouts"))
    expect(admin.get_by_role("table")).to_contain_text("trainee01")
    admin.get_by_role("button", name="Разблокировать trainee01").click()
    expect(admin.get_by_text("Вход разблокирован")).to_be_visible()
    expect(admin.get_by_text("Сейчас никто не заблокирован.")).to_be_visible()

    sign_in(trainee, base, "trainee01")
    expect(trainee).to_have_url(re.compile(r"/learning/$"))
