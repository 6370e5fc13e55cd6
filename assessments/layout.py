"""The frozen layout of a quiz attempt, and the opaque tokens that address its choices.

An attempt shows options, matching pairs and ordering items. None of them is sent to the browser
by its database id: ids follow the order in which an author typed the options, so the correct
option is often the lowest, a matching row's correct pair would be the option with the row's own
id, and items sorted by id would be in the correct order. Each choice is addressed instead by a
random token drawn when the attempt starts, unique within its question, and listed in the
attempt's own shuffled order. Left-hand rows and right-hand pairs of a matching question draw
separate tokens, so that nothing links a row to its pair.

An entry of `QuizAttempt.layout` reads::

    {"question": 12,
     "options": [{"id": 41, "token": "9f3c0a71be"}, ...],   # in the order shown
     "pairs":   [{"id": 43, "token": "07d2e4c9aa"}, ...]}   # matching only, in the order shown

Answers are stored and graded by id on the server; tokens exist only between server and browser.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

TOKEN_BYTES = 5  # 40 random bits a choice; unique within a question, re-drawn every attempt


def _draw(ids: Iterable[int], used: set[str]) -> list[dict]:
    items = []
    for pk in ids:
        token = secrets.token_hex(TOKEN_BYTES)
        while token in used:  # astronomically rare, but a clash would make two choices one
            token = secrets.token_hex(TOKEN_BYTES)
        used.add(token)
        items.append({"id": pk, "token": token})
    return items


def layout_entry(
    question_id: int, option_ids: list[int], pair_ids: list[int] | None = None
) -> dict:
    """An entry with fresh tokens; ids are given in the order they will be shown."""
    used: set[str] = set()
    entry: dict = {"question": question_id, "options": _draw(option_ids, used)}
    if pair_ids is not None:
        entry["pairs"] = _draw(pair_ids, used)
    return entry


def by_token(items: list[dict]) -> dict[str, int]:
    return {item["token"]: item["id"] for item in items}


def token_of(items: list[dict], pk: int) -> str | None:
    return next((item["token"] for item in items if item["id"] == pk), None)
