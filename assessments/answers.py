"""Reading a trainee's answers from a submitted form, trusting nothing in it.

Every value must fit the attempt's frozen layout: an option id from another question, a position
out of range, a number that is not one — each is refused with a message, and nothing of that
question is saved.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .grading import parse_number
from .models import Question, QuestionKind

MAX_TEXT = 500


class AnswerError(ValueError):
    """An answer that cannot be accepted; the message is for the trainee."""


def field_name(question_id: int, part: int | None = None) -> str:
    return f"q{question_id}" if part is None else f"q{question_id}-{part}"


def _option_id(value: str, allowed: list[int]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AnswerError(_("This choice is not one of the options.")) from None
    if number not in allowed:
        raise AnswerError(_("This choice is not one of the options."))
    return number


def read_answer(question: Question, entry: dict, data) -> tuple[bool, Any]:
    """(present, value) for one question from a QueryDict; raises AnswerError."""
    qid = question.pk
    options: list[int] = entry.get("options", [])
    kind = question.kind
    name = field_name(qid)
    if kind in (QuestionKind.MATCHING, QuestionKind.ORDERING):
        keys = [field_name(qid, pk) for pk in options]
        if not any(key in data for key in keys):
            return False, None
    elif name not in data:
        return False, None

    if kind == QuestionKind.SINGLE:
        value = data.get(name, "")
        return True, (_option_id(value, options) if value else None)
    if kind == QuestionKind.MULTIPLE:
        values = data.getlist(name)
        if len(values) > len(options):
            raise AnswerError(_("Too many choices."))
        return True, sorted({_option_id(value, options) for value in values if value})
    if kind == QuestionKind.TRUE_FALSE:
        value = data.get(name, "")
        if value not in ("", "true", "false"):
            raise AnswerError(_("Answer «true» or «false»."))
        return True, value or None
    if kind == QuestionKind.SHORT_TEXT:
        value = data.get(name, "").strip()
        if len(value) > MAX_TEXT:
            raise AnswerError(
                _("The answer is too long (at most %(max)s characters).") % {"max": MAX_TEXT}
            )
        return True, value
    if kind == QuestionKind.NUMERIC:
        value = data.get(name, "").strip()
        if value and parse_number(value) is None:
            raise AnswerError(_("«%(value)s» is not a number.") % {"value": value[:40]})
        return True, value
    if kind == QuestionKind.MATCHING:
        pairs = entry.get("pairs", options)
        answer = {}
        for left in options:
            value = data.get(field_name(qid, left), "")
            if value:
                answer[str(left)] = _option_id(value, pairs)
        if len(set(answer.values())) != len(answer):
            raise AnswerError(_("Each pair can be used once."))
        return True, answer
    if kind == QuestionKind.ORDERING:
        positions = {}
        for item in options:
            value = data.get(field_name(qid, item), "")
            if not value:
                continue
            try:
                position = int(value)
            except ValueError:
                raise AnswerError(_("Choose a position for every item.")) from None
            if not 1 <= position <= len(options):
                raise AnswerError(_("Choose a position for every item."))
            positions[item] = position
        if len(set(positions.values())) != len(positions):
            raise AnswerError(_("Two items cannot share a position."))
        return True, [item for item, _position in sorted(positions.items(), key=lambda p: p[1])]
    raise AnswerError(_("Unknown question."))
