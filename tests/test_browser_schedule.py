"""Browser journey of attendance: an instructor takes the register, the trainee sees it."""

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

SESSION = "Женские клубы при ЦЗН: практикум «одного окна»"


def attendance_rule(page) -> str:
    return page.locator(".completion-rules li", has_text="Посещаемость").inner_text()


def test_instructor_takes_attendance_and_the_trainee_sees_it(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    instructor = new_page(chromium)
    sign_in(instructor, base, "instructor")
    instructor.get_by_role("link", name="Группа 1").first.click()
    instructor.get_by_role("link", name="Расписание", exact=True).last.click()
    instructor.get_by_role("link", name=SESSION).click()
    assert serious_violations(instructor) == []

    def mark(label: str) -> None:
        instructor.get_by_label("Соколова Анна Дмитриевна").select_option(label=label)
        instructor.get_by_role("button", name="Сохранить журнал").click()
        expect(instructor.locator(".messages")).to_contain_text("Журнал сохранён")

    trainee = new_page(chromium)
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
