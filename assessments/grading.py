"""Grading of quiz answers: pure functions, run only on the server.

Each function takes a question (with its options loaded), the frozen layout entry of the attempt
and the saved answer, and returns the fraction of the question's points earned, from 0 to 1.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import Question, QuestionKind

ZERO = Decimal("0")
ONE = Decimal("1")


def normalise_text(value: str) -> str:
    """Case, spaces and ё/е do not matter in a short answer."""
    value = value.casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", value).strip(" .")


def parse_number(value: Any) -> Decimal | None:
    """A number as people type it: "1 500", "12,5", "-3"."""
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text or ""):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _correct_ids(question: Question) -> set[int]:
    return {option.pk for option in question.options.all() if option.is_correct}


def fraction(question: Question, answer: Any) -> Decimal:
    """How much of the question the (already validated) answer earns."""
    if answer in (None, "", [], {}):
        return ZERO
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        return ONE if int(answer) in _correct_ids(question) else ZERO
    if kind == QuestionKind.MULTIPLE:
        correct = _correct_ids(question)
        chosen = {int(value) for value in answer}
        if not correct:
            return ZERO
        earned = Decimal(len(chosen & correct) - len(chosen - correct)) / len(correct)
        return max(ZERO, earned)
    if kind == QuestionKind.TRUE_FALSE:
        return ONE if (answer == "true") == question.correct_is_true else ZERO
    if kind == QuestionKind.SHORT_TEXT:
        accepted = {
            normalise_text(line) for line in question.accepted_answers.splitlines() if line.strip()
        }
        return ONE if normalise_text(answer) in accepted else ZERO
    if kind == QuestionKind.NUMERIC:
        value = parse_number(answer)
        if value is None or question.numeric_answer is None:
            return ZERO
        return ONE if abs(value - question.numeric_answer) <= question.numeric_tolerance else ZERO
    if kind == QuestionKind.MATCHING:
        options = list(question.options.all())
        if not options:
            return ZERO
        right = sum(1 for option in options if str(answer.get(str(option.pk))) == str(option.pk))
        return Decimal(right) / len(options)
    if kind == QuestionKind.ORDERING:
        expected = [option.pk for option in question.options.all()]
        given = [int(value) for value in answer]
        if not expected:
            return ZERO
        right = sum(
            1 for index, pk in enumerate(expected) if index < len(given) and given[index] == pk
        )
        return Decimal(right) / len(expected)
    return ZERO
