"""Browser journeys of assessment: a quiz taken and graded, case work graded on its rubric."""

import re

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

PROGRAM = "/programmy/soprovozhdenie-uchastnikov-svo/"


def test_trainee_takes_a_quiz_and_sees_the_result(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "trainee01")
    page.goto(base + PROGRAM + "finansy-i-svoe-delo/test-zanyatost-i-finansy/")
    page.get_by_role("button", name="Начать тест").click()
    expect(page).to_have_url(re.compile(r"/assessments/attempts/\d+/$"))
    assert serious_violations(page) == []

    # Every true-or-false statement of this bank is true: two of ten questions answered right.
    true_buttons = page.get_by_role("radio", name="Верно", exact=True)
    expect(true_buttons).to_have_count(2)
    true_buttons.first.check()
    expect(page.locator(".quiz-save-status")).to_have_text("Ответы сохранены")  # autosaved
    true_buttons.nth(1).check()
    page.get_by_role("button", name="Сдать на проверку").click()

    expect(page.locator(".quiz-result")).to_contain_text("20,0 %")
    expect(page.locator(".quiz-result")).to_contain_text("не сдан")
    expect(page.locator(".review")).to_be_visible()  # this quiz shows answers after an attempt
    assert serious_violations(page) == []


def test_instructor_grades_case_work_on_its_rubric_and_the_trainee_sees_feedback(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    case_url = base + PROGRAM + "semi-s-detmi/nyanya-v-pomoshch/"

    trainee = new_page(chromium)
    sign_in(trainee, base, "trainee01")
    trainee.goto(case_url)
    for index, box in enumerate(trainee.locator("#casework textarea").all()):
        box.fill(f"Ответ на задание {index + 1}: план адаптации и присмотра за детьми.")
    trainee.get_by_role("button", name="Сдать на проверку").click()
    expect(trainee.locator(".casework-status")).to_contain_text("ожидает проверки")

    instructor = new_page(chromium)
    sign_in(instructor, base, "instructor")
    instructor.get_by_role("link", name="Группа 1").first.click()
    instructor.get_by_role("link", name="Кейсы на проверку").click()
    instructor.locator(".queue-waiting li", has_text="«Няня в помощь маме»").filter(
        has_text="Соколова"
    ).get_by_role("link").click()
    for level in ("Глубоко", "Рабочий план", "Полностью"):
        instructor.get_by_label(re.compile(f"^{level}")).check()
    instructor.get_by_label("Общий комментарий").fill("Хороший план адаптации ребёнка.")
    assert serious_violations(instructor) == []
    instructor.get_by_role("button", name="Сохранить и опубликовать").click()
    expect(instructor.locator(".queue-graded")).to_contain_text("«Няня в помощь маме»")

    trainee.goto(case_url)
    feedback = trainee.locator(".feedback")
    expect(feedback).to_contain_text("Оценка: 100,0 %")
    expect(feedback).to_contain_text("Хороший план адаптации ребёнка.")
    trainee.get_by_role("link", name=re.compile("^Уведомления")).click()
    expect(trainee.locator(".notification-list li").first).to_contain_text(
        "Ваша работа по кейсу ««Няня в помощь маме»» оценена"
    )
