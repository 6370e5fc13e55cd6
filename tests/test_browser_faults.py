"""Browser journey of a fault: the database goes away while a trainee sends their case work. The
503 page says so, nothing is saved, and going back finds their text in the form; with the
database back, sending it again saves it — and the saved work is never overwritten by the kept
copy afterwards."""

import re

import pytest
from django.db import connections

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in
from tests.faults import database_unreachable

pytestmark = BROWSER_TEST

CASE = "/programmy/soprovozhdenie-uchastnikov-svo/semi-s-detmi/nyanya-v-pomoshch/"


@pytest.fixture
def connections_closed_after():
    """The outage ends every connection to the database, the one the fixtures opened too
    (Playwright runs the test's body in a context of its own, with connections of its own):
    closed after the test, so that its teardown opens a new one."""
    yield
    connections.close_all()


def test_case_work_typed_during_a_database_outage_is_kept_and_sent_again(
    connections_closed_after, demo_browser
):
    from playwright.sync_api import expect

    from assessments.models import CaseSubmission

    chromium, base = demo_browser
    page = new_page(chromium, viewport={"width": 390, "height": 844})
    sign_in(page, base, "trainee01")
    page.goto(base + CASE)
    boxes = page.locator("#casework textarea")
    texts = [
        f"Задание {number}: график присмотра за детьми на время занятий, заявление в центр."
        for number in range(1, boxes.count() + 1)
    ]
    assert texts, "the case has tasks to answer"
    for box, text in zip(boxes.all(), texts, strict=True):
        box.fill(text)
    note = page.locator("#casework .draft-note")
    expect(note).to_be_hidden()

    with database_unreachable():
        with page.expect_response(lambda answer: answer.request.method == "POST") as sent:
            page.get_by_role("button", name="Сдать на проверку").click()
        assert sent.value.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text("База данных недоступна")
        expect(page.get_by_role("alert")).to_contain_text("Ничего не сохранено")
        expect(page.locator(".outage-draft-kept")).to_be_visible()
        expect(page.locator(".outage-draft-kept")).to_contain_text("сохранён в этом браузере")
        expect(page.locator(".outage-draft-unknown")).to_be_hidden()
        expect(page.get_by_role("link", name="Вернуться к форме")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert serious_violations(page) == []

    mine = CaseSubmission.objects.filter(
        enrolment__trainee__username="trainee01", case__slug="nyanya-v-pomoshch"
    )
    assert not mine.exists()

    # Back to the form, the database up again: the text is there, with a note saying why.
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(CASE) + r"$"))
    expect(note).to_be_visible()
    for box, text in zip(boxes.all(), texts, strict=True):
        expect(box).to_have_value(text)
    assert serious_violations(page) == []

    page.get_by_role("button", name="Сдать на проверку").click()
    expect(page.locator(".casework-status")).to_contain_text("ожидает проверки")
    expect(note).to_be_hidden()
    submission = mine.get()
    assert sorted(submission.answers.values()) == sorted(texts)

    # The kept copy is gone with the successful sending: what the page shows is the saved work,
    # even after it is changed elsewhere (another device) and the page is opened again.
    submission.answers = dict.fromkeys(submission.answers, "Исправлено на другом устройстве")
    submission.save()
    page.goto(base + CASE)
    expect(note).to_be_hidden()
    for box in boxes.all():
        expect(box).to_have_value("Исправлено на другом устройстве")
