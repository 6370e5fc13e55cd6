"""Instructors author quizzes, question banks and rubrics in the Wagtail admin."""

import json

import pytest
from django.urls import reverse

from courses.models import CaseStudyPage, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


def draftail(text: str = "") -> str:
    """Rich text as Wagtail's editor posts it."""
    blocks = [
        {
            "key": "a",
            "type": "unstyled",
            "text": text,
            "depth": 0,
            "inlineStyleRanges": [],
            "entityRanges": [],
        }
    ]
    return json.dumps({"blocks": blocks if text else [], "entityMap": {}})


@pytest.fixture
def program():
    return factories.program()


def test_authoring_pages_open_for_an_instructor(client, instructor, program):
    case = CaseStudyPage.objects.descendant_of(program).get()
    factories.rubric(case, [("Анализ", [("Слабо", "0"), ("Хорошо", "3")])])
    module = ModulePage.objects.child_of(program).get()
    client.force_login(instructor)

    urls = [
        reverse("wagtailadmin_pages:edit", args=(case.pk,)),
        reverse("wagtailadmin_pages:add", args=("assessments", "quizpage", module.pk)),
        reverse("wagtailsnippets_assessments_question:list"),
        reverse("wagtailsnippets_assessments_question:add"),
        reverse("wagtailsnippets_assessments_questionbank:add"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Анализ" in client.get(urls[0]).content.decode()  # the rubric is on the case's form


def test_an_instructor_adds_a_question_with_options(client, instructor):
    bank = factories.question_bank()
    client.force_login(instructor)
    data = {
        "bank": bank.pk,
        "kind": "single",
        "points": "2",
        "text": draftail("Что такое социальный паспорт?"),
        "correct_is_true": "on",
        "accepted_answers": "",
        "numeric_tolerance": "0",
        "explanation": draftail(),
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-text": "Карта семьи",
        "options-0-is_correct": "on",
        "options-0-ORDER": "1",
        "options-1-text": "Справка о доходах",
        "options-1-ORDER": "2",
    }

    response = client.post(reverse("wagtailsnippets_assessments_question:add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    question = bank.questions.get()
    assert [option.is_correct for option in question.options.all()] == [True, False]


def test_a_short_text_question_without_answers_is_refused(client, instructor):
    bank = factories.question_bank()
    client.force_login(instructor)

    response = client.post(
        reverse("wagtailsnippets_assessments_question:add"),
        {
            "bank": bank.pk,
            "kind": "short_text",
            "points": "1",
            "text": draftail("Вопрос"),
            "accepted_answers": "",
            "numeric_tolerance": "0",
            "explanation": draftail(),
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert not bank.questions.exists()
