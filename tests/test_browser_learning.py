"""Browser journeys of the learning path and of bulk enrolment, on the demo school."""

import re

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

HEADER = "Фамилия;Имя;Отчество;E-mail;Телефон;Организация;Должность"
GOOD_ROW = "Новикова;Алла;Петровна;novikova@example.org;+7 915 000-11-22;КЦСОН;Специалист"
BAD_ROW = "Громов;Павел;;gromov-at-example.org;+7 915 000-33-44;;"
FIXED_ROW = "Громов;Павел;;gromov@example.org;+7 915 000-33-44;;"


def theory_done(page) -> str:
    return page.locator('.progress-figure[data-kind="theory"]').first.inner_text()


def test_trainee_marks_a_lesson_studied_and_the_progress_bar_moves(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "trainee01")
    expect(page.get_by_role("heading", name="Моё обучение")).to_be_visible()
    before = theory_done(page)
    bar = page.locator("progress.is-theory").first
    value_before = float(bar.get_attribute("value"))
    assert serious_violations(page) == []

    page.get_by_role("link", name="Сопровождение участников СВО и членов их семей").click()
    page.get_by_role("link", name="Занятость и профессиональная адаптация").click()
    expect(page.locator(".activity-list")).to_contain_text("Не пройдено")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Служба занятости: «Работа для СВОих»").click()
    lesson_url = page.url
    page.get_by_role("button", name="Отметить как изученное").click()
    # It leads on to the next activity, whose page links back by name.
    expect(page.locator(".alert-success")).to_contain_text("отмечено как изученное")
    assert page.url != lesson_url
    following = page.locator("h1").inner_text()
    back = page.get_by_role("link", name="Предыдущее: Служба занятости: «Работа для СВОих»")
    expect(back).to_have_attribute("href", lesson_url.removeprefix(base))
    assert serious_violations(page) == []
    back.click()
    expect(page.locator(".lesson-completion")).to_contain_text("Изучено")
    page.get_by_role("link", name=f"Следующее: {following}").click()
    expect(page.locator("h1")).to_have_text(following)

    page.get_by_role("link", name="Моё обучение").click()
    after = theory_done(page)
    assert after != before
    assert float(page.locator("progress.is-theory").first.get_attribute("value")) == (
        value_before + 3
    )


def test_official_fixes_a_bad_row_and_imports_the_spreadsheet(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "official")
    expect(page).to_have_url(re.compile(r"/cohorts/$"))
    page.get_by_role("link", name="Группа 1").first.click()
    page.get_by_role("link", name="Зачислить из таблицы").click()

    def upload(*rows: str) -> None:
        page.set_input_files(
            "input[type=file]",
            files=[
                {
                    "name": "slushateli.csv",
                    "mimeType": "text/csv",
                    "buffer": "\n".join([HEADER, *rows]).encode(),
                }
            ],
        )
        page.get_by_role("button", name="Проверить файл").click()

    upload(GOOD_ROW, BAD_ROW)
    expect(page.locator(".row-errors")).to_contain_text("gromov-at-example.org")
    expect(page.get_by_role("button", name="Подтвердить и зачислить")).to_have_count(0)
    assert serious_violations(page) == []

    page.get_by_role("link", name="Загрузить исправленный файл").click()
    upload(GOOD_ROW, FIXED_ROW)
    expect(page.locator(".row-errors")).to_have_count(0)
    page.get_by_role("button", name="Подтвердить и зачислить").click()
    expect(page.locator(".import-status")).to_contain_text("зачислены")

    page.get_by_role("link", name="Вернуться к группе").click()
    expect(page.locator("table.roster")).to_contain_text("Громов Павел")
    expect(page.locator("table.roster")).to_contain_text("Новикова Алла Петровна")
