"""Server-side grading of every question type."""

from decimal import Decimal

import pytest

from assessments.grading import fraction, normalise_text, parse_number
from assessments.models import QuestionKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    return factories.question_bank()


def ids(question) -> list[int]:
    return [option.pk for option in question.options.all()]


def test_single_choice(bank):
    q = factories.question(bank, QuestionKind.SINGLE, options=[("А", False), ("Б", True)])
    wrong, right = ids(q)

    assert fraction(q, right) == 1 and fraction(q, wrong) == 0 and fraction(q, None) == 0


def test_multiple_choice_gives_partial_credit_and_takes_off_wrong_choices(bank):
    q = factories.question(
        bank, QuestionKind.MULTIPLE, options=[("А", True), ("Б", True), ("В", False), ("Г", False)]
    )
    a, b, c, d = ids(q)

    assert fraction(q, [a, b]) == 1
    assert fraction(q, [a]) == Decimal("0.5")
    assert fraction(q, [a, c]) == 0  # one right, one wrong
    assert fraction(q, [c, d]) == 0  # never below zero


def test_true_false(bank):
    q = factories.question(bank, QuestionKind.TRUE_FALSE, correct_is_true=False)

    assert fraction(q, "false") == 1 and fraction(q, "true") == 0


def test_short_text_ignores_case_spaces_and_yo(bank):
    q = factories.question(
        bank, QuestionKind.SHORT_TEXT, accepted_answers="Социальный паспорт\nсоцпаспорт"
    )

    assert fraction(q, "  социальный   ПАСПОРТ ") == 1
    assert fraction(q, "Соцпаспорт.") == 1
    assert fraction(q, "паспорт") == 0
    assert normalise_text("Ёлка") == normalise_text("елка")


def test_numeric_with_tolerance_and_comma(bank):
    q = factories.question(
        bank, QuestionKind.NUMERIC, numeric_answer=Decimal("13"), numeric_tolerance=Decimal("0.5")
    )

    assert fraction(q, "13") == 1 and fraction(q, "12,6") == 1
    assert fraction(q, "14") == 0 and fraction(q, "тринадцать") == 0
    assert parse_number("1 500,5") == Decimal("1500.5")


def test_matching_counts_correct_pairs(bank):
    q = factories.question(
        bank, QuestionKind.MATCHING, options=[("ЦЗН", "работа"), ("Банк России", "финансы")]
    )
    a, b = ids(q)

    assert fraction(q, {str(a): a, str(b): b}) == 1
    assert fraction(q, {str(a): b, str(b): a}) == 0
    assert fraction(q, {str(a): a}) == Decimal("0.5")


def test_ordering_counts_items_in_place(bank):
    q = factories.question(
        bank, QuestionKind.ORDERING, options=[("1", None), ("2", None), ("3", None), ("4", None)]
    )
    a, b, c, d = ids(q)

    assert fraction(q, [a, b, c, d]) == 1
    assert fraction(q, [a, b, d, c]) == Decimal("0.5")
    assert fraction(q, [d, c, b, a]) == 0
