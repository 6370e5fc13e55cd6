"""Browser journeys of assessment: a quiz taken and graded, case work graded on its rubric."""

import re

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

PROGRAM = "/programmy/soprovozhdenie-uchastnikov-svo/"


QUIZ = PROGRAM + "finansy-i-svoe-delo/test-zanyatost-i-finansy/"


def test_trainee_takes_a_quiz_through_its_rules_summary_and_review(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium, viewport={"width": 1280, "height": 720})
    sign_in(page, base, "trainee01")
    page.goto(base + QUIZ)

    # The rules, before starting.
    rules = page.locator(".quiz-rules")
    expect(rules).to_contain_text("15 минут")
    expect(rules).to_contain_text("разрешено 2 попытки; осталось 2 попытки")
    expect(rules).to_contain_text("Проходной балл")
    expect(rules).to_contain_text("Засчитывается среднее по всем попыткам.")
    expect(rules).to_contain_text("Правильные ответы показываются после каждой попытки.")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Начать тест").click()
    expect(page).to_have_url(re.compile(r"/assessments/attempts/\d+/$"))

    # The timer counts down from the server's 15 minutes, and stays in view on scrolling.
    clock = page.locator(".quiz-timer-clock")
    expect(clock).to_have_text(re.compile(r"^1[45]:\d\d$"))
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=3000)
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => window.scrollY > 1000")
    top = page.locator(".quiz-bar").bounding_box()["y"]
    assert 0 <= top < 5, top
    expect(page.locator(".quiz-timer-warning")).to_be_empty()
    assert serious_violations(page) == []

    # Every true-or-false statement of this bank is true: two of ten questions answered right.
    true_buttons = page.get_by_role("radio", name="Верно", exact=True)
    expect(true_buttons).to_have_count(2)
    true_buttons.first.check()
    expect(page.locator(".quiz-save-status")).to_have_text("Ответы сохранены")  # autosaved
    true_buttons.nth(1).check()
    page.get_by_role("button", name="Проверить и отправить").click()

    # The summary lists the eight questions still without an answer, with links back.
    expect(page).to_have_url(re.compile(r"/assessments/attempts/\d+/summary/$"))
    missing = page.locator(".quiz-unanswered")
    expect(missing).to_contain_text("8 вопросов без полного ответа")
    expect(missing.get_by_role("link")).to_have_count(8)
    expect(page.locator(".quiz-summary tbody tr")).to_have_count(10)
    expect(page.get_by_text("Ответ сохранён", exact=True)).to_have_count(2)
    assert serious_violations(page) == []
    link = missing.get_by_role("link").first
    target = link.get_attribute("href").split("#")[1]
    link.click()
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    page.go_back()
    page.get_by_role("button", name="Сдать на проверку").click()

    # The review: each question marked, the trainee's answer beside the right one.
    expect(page.locator(".quiz-result")).to_contain_text("20,0 %")
    expect(page.locator(".quiz-result")).to_contain_text("не сдан")
    right = page.locator(".review-question--right")
    expect(right).to_have_count(2)
    expect(right.first).to_contain_text("✓ Правильно")
    expect(right.first).to_contain_text("Ваш ответ:Верно")
    expect(page.locator(".review-question--wrong")).to_have_count(8)
    expect(page.locator(".review-question--wrong").first).to_contain_text("✗ Неправильно")
    expect(page.locator(".review")).to_contain_text("Правильный ответ")
    assert serious_violations(page) == []


def test_the_quiz_timer_warns_at_five_and_one_minutes_and_submits_at_zero(demo_browser):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from assessments.models import QuizAttempt

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "trainee01")
    page.goto(base + QUIZ)
    page.get_by_role("button", name="Начать тест").click()
    expect(page).to_have_url(re.compile(r"/assessments/attempts/\d+/$"))
    attempt = QuizAttempt.objects.get(
        enrolment__trainee__username="trainee01", status=QuizAttempt.Status.IN_PROGRESS
    )

    def deadline_in(seconds: int) -> None:
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() + dt.timedelta(seconds=seconds)
        )

    timer, warning = page.locator(".quiz-timer"), page.locator(".quiz-timer-warning")
    deadline_in(4 * 60 + 10)
    page.reload()
    expect(page.locator(".quiz-timer-clock")).to_have_text(re.compile(r"^4:(0\d|10)$"))
    expect(timer).to_have_class(re.compile(r"quiz-timer--warning"))
    expect(warning).to_have_text("⚠ Осталось меньше 5 минут.")
    assert warning.get_attribute("aria-live") == "assertive"
    assert serious_violations(page) == []

    # Counting down in the page, the warning turns urgent below a minute.
    deadline_in(62)
    page.reload()
    expect(timer).to_have_class(re.compile(r"quiz-timer--warning"))
    expect(timer).to_have_class(re.compile(r"quiz-timer--danger"), timeout=6000)
    expect(warning).to_contain_text("Осталось меньше 1 минуты")
    expect(warning).to_have_class(re.compile(r"quiz-timer-warning--danger"))

    # An autosave brings the server's time back: the server gave more time, the warning goes.
    deadline_in(30 * 60)
    page.get_by_role("radio", name="Верно", exact=True).first.check()
    expect(page.locator(".quiz-timer-clock")).to_have_text(re.compile(r"^(29:5\d|30:00)$"))
    expect(warning).to_be_empty()
    assert "quiz-timer--" not in (timer.get_attribute("class") or "")

    # At zero the page sends the attempt, and the server grades it.
    deadline_in(3)
    page.reload()
    expect(page).to_have_url(re.compile(r"/assessments/attempts/\d+/result/$"), timeout=10000)
    expect(page.locator(".quiz-result")).to_contain_text("10,0 %")


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
        "Ваша работа по кейсу «„Няня в помощь маме“» оценена"
    )
