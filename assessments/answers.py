"""Reading a trainee's answers from a submitted form, trusting nothing in it.

Every value must fit the attempt's frozen layout: a token of another question or attempt, a
position out of range, a number that is not one, a text too long — each is refused with a
message, and nothing of that question is saved.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .grading import parse_number
from .layout import by_token
from .models import Question, QuestionKind

MAX_TEXT = 500
MAX_NUMBER = 40  # characters; no answer needs more, and a longer one is not a typo


class AnswerError(ValueError):
    """An answer that cannot be accepted; the message is for the trainee."""


def field_name(question_id: int, token: str | None = None) -> str:
    """The form field of a question, or of one row (matching, ordering) addressed by its token."""
    return f"q{question_id}" if token is None else f"q{question_id}-{token}"


def _chosen_id(value: str, tokens: dict[str, int]) -> int:
    if not isinstance(value, str) or value not in tokens:
        raise AnswerError(_("This choice is not one of the options."))
    return tokens[value]


def read_answer(question: Question, entry: dict, data) -> tuple[bool, Any]:
    """(present, value) for one question from a QueryDict; raises AnswerError.

    Choices arrive as the attempt's tokens and are kept as option ids (see `layout`).
    """
    qid = question.pk
    rows: list[dict] = entry.get("options", [])
    tokens = by_token(rows)
    kind = question.kind
    name = field_name(qid)
    if kind in (QuestionKind.MATCHING, QuestionKind.ORDERING):
        keys = [field_name(qid, row["token"]) for row in rows]
        if not any(key in data for key in keys):
            return False, None
    elif name not in data:
        return False, None

    if kind == QuestionKind.SINGLE:
        value = data.get(name, "")
        return True, (_chosen_id(value, tokens) if value else None)
    if kind == QuestionKind.MULTIPLE:
        values = data.getlist(name)
        if len(values) > len(rows) + 1:  # every option and the empty marker that says "none"
            raise AnswerError(_("Too many choices."))
        return True, sorted({_chosen_id(value, tokens) for value in values if value})
    if kind == QuestionKind.TRUE_FALSE:
        value = data.get(name, "")
        if value not in ("", "true", "false"):
            raise AnswerError(_("Answer «true» or «false»."))
        return True, value or None
    if kind == QuestionKind.SHORT_TEXT:
        value = data.get(name, "").strip()
        if "\x00" in value:  # no keyboard types it, and the database cannot store it
            raise AnswerError(_("The answer contains a character that cannot be saved."))
        if len(value) > MAX_TEXT:
            raise AnswerError(
                _("The answer is too long (at most %(max)s characters).") % {"max": MAX_TEXT}
            )
        return True, value
    if kind == QuestionKind.NUMERIC:
        value = data.get(name, "").strip()
        if len(value) > MAX_NUMBER:
            raise AnswerError(
                _("The number is too long (at most %(max)s characters).") % {"max": MAX_NUMBER}
            )
        if value and parse_number(value) is None:
            raise AnswerError(_("«%(value)s» is not a number.") % {"value": value})
        return True, value
    if kind == QuestionKind.MATCHING:
        pairs = by_token(entry.get("pairs", []))
        answer = {}
        for row in rows:
            value = data.get(field_name(qid, row["token"]), "")
            if value:
                answer[str(row["id"])] = _chosen_id(value, pairs)
        if len(set(answer.values())) != len(answer):
            raise AnswerError(_("Each pair can be used once."))
        return True, answer
    if kind == QuestionKind.ORDERING:
        positions = {}
        for row in rows:
            value = data.get(field_name(qid, row["token"]), "")
            if not value:
                continue
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= len(rows):
                raise AnswerError(_("Choose a position for every item."))
            positions[row["id"]] = int(value)
        if len(set(positions.values())) != len(positions):
            raise AnswerError(_("Two items cannot share a position."))
        return True, [item for item, _position in sorted(positions.items(), key=lambda p: p[1])]
    raise AnswerError(_("Unknown question."))
