"""Browser journey of attendance: an instructor takes the register, the trainee sees it."""

import os

import pytest
from django.core.management import call_command

from tests.browser import launch_chromium, serious_violations
from tests.test_browser_learning import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SESSION = "Женские клубы при ЦЗН: практикум «одного окна»"


@pytest.fixture
def browser(live_server):
    from playwright.sync_api import sync_playwright

    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, live_server.url
        chromium.close()


def attendance_rule(page) -> str:
    return page.locator(".completion-rules li", has_text="Посещаемость").inner_text()


def test_instructor_takes_attendance_and_the_trainee_sees_it(browser):
    from playwright.sync_api import expect

    chromium, base = browser
    instructor = chromium.new_context().new_page()
    instructor.set_default_timeout(15_000)
    sign_in(instructor, base, "instructor")
    instructor.get_by_role("link", name="Группа 1").first.click()
    instructor.get_by_role("link", name="Расписание", exact=True).last.click()
    instructor.get_by_role("link", name=SESSION).click()
    assert serious_violations(instructor) == []

    def mark(label: str) -> None:
        instructor.get_by_label("Соколова Анна Дмитриевна").select_option(label=label)
        instructor.get_by_role("button", name="Сохранить журнал").click()
        expect(instructor.locator(".messages")).to_contain_text("Журнал сохранён")

    trainee = chromium.new_context().new_page()
    trainee.set_default_timeout(15_000)
    mark("Отсутствовал(а)")
    sign_in(trainee, base, "trainee01")
    when_absent = attendance_rule(trainee)

    mark("Присутствовал(а)")
    expect(instructor.locator("details")).to_contain_text("Отсутствовал(а) → Присутствовал(а)")
    trainee.reload()
    assert attendance_rule(trainee) != when_absent  # the completion rule moved

    trainee.goto(base + "/schedule/")
    trainee.get_by_role("link", name=SESSION).click()
    expect(trainee.locator(".my-attendance")).to_have_text("Присутствовал(а)")
    assert serious_violations(trainee) == []
