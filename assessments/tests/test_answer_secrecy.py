"""A quiz page gives nothing away: guessing from its HTML alone does no better than chance.

Each test plays real attempts through the pages: start, read the form, answer, submit.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.models import QuestionKind, QuizAttempt
from courses.models import ModulePage
from tests import factories

PLAYS = 15  # two questions of each kind an attempt: 30 guesses a kind
KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATCHING, QuestionKind.ORDERING)
# What choosing at random scores on average on the questions below (four choices each):
# one right option in four; two right options in four, chosen two at random, right minus wrong
# (never below zero); one fixed point in four for a random matching or order.
RANDOM_EXPECTATION = {
    QuestionKind.SINGLE: 1 / 4,
    QuestionKind.MULTIPLE: 1 / 6,
    QuestionKind.MATCHING: 1 / 4,
    QuestionKind.ORDERING: 1 / 4,
}


class QuizForm(HTMLParser):
    """The quiz form as a browser sees it: inputs and selects, in page order, with attributes."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.selects: list[dict] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("radio", "checkbox"):
            self.inputs.append(attrs)
        elif tag == "select":
            self._select = {"attrs": attrs, "options": []}
            self.selects.append(self._select)
        elif tag == "option" and self._select is not None and attrs.get("value"):
            self._select["options"].append(attrs)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@pytest.fixture
def quiz_world(db):
    """A quiz of two questions of each choice kind, each authored with the right answer first."""
    factories.site_home()
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    bank = factories.question_bank()
    questions = {}
    for _round in range(2):
        questions.setdefault(QuestionKind.SINGLE, []).append(
            factories.question(
                bank,
                QuestionKind.SINGLE,
                options=[("Верно", True), ("Нет 1", False), ("Нет 2", False), ("Нет 3", False)],
            )
        )
        questions.setdefault(QuestionKind.MULTIPLE, []).append(
            factories.question(
                bank,
                QuestionKind.MULTIPLE,
                options=[("Да 1", True), ("Да 2", True), ("Нет 1", False), ("Нет 2", False)],
            )
        )
        questions.setdefault(QuestionKind.MATCHING, []).append(
            factories.question(
                bank,
                QuestionKind.MATCHING,
                options=[
                    ("ЦЗН", "работа"),
                    ("СФР", "пенсия"),
                    ("МФЦ", "документы"),
                    ("ПНД", "врач"),
                ],
            )
        )
        questions.setdefault(QuestionKind.ORDERING, []).append(
            factories.question(
                bank,
                QuestionKind.ORDERING,
                options=[
                    ("Заявление", None),
                    ("Проверка", None),
                    ("Решение", None),
                    ("Выплата", None),
                ],
            )
        )
    quiz = factories.quiz(module, [bank], attempts_allowed=20, pass_mark=100)
    trainee = factories.user("Trainee")
    factories.enrol(trainee, factories.cohort(program))
    kinds = {question.pk: kind for kind, items in questions.items() for question in items}
    return {"quiz": quiz, "trainee": trainee, "kinds": kinds}


def _lowest(values):
    return sorted(values)[0]


def naive_answers(form: QuizForm, kinds: dict[int, str], chance: random.Random) -> dict:
    """Guess from the markup: lowest values, a row paired with its own value, ascending order."""
    data = defaultdict(list)
    by_name = defaultdict(list)
    for attrs in form.inputs:
        by_name[attrs["name"]].append(attrs["value"])
    for name, values in by_name.items():
        kind = kinds[int(name[1:])]
        chosen = sorted(values)[: 1 if kind == QuestionKind.SINGLE else 2]
        data[name].extend(chosen)
    rows = defaultdict(list)
    for select in form.selects:
        name = select["attrs"]["name"]
        rows[name.split("-", 1)[0]].append(select)
    for qname, selects in rows.items():
        kind = kinds[int(qname[1:])]
        if kind == QuestionKind.MATCHING:
            values = sorted(option["value"] for option in selects[0]["options"])
            row_keys = sorted(select["attrs"]["name"].split("-", 1)[1] for select in selects)
            for select in selects:
                own = select["attrs"]["name"].split("-", 1)[1]
                # The row paired with itself if such a value exists, else rows and pairs both
                # sorted ascending (which is the same thing when values are database ids).
                pick = own if own in values else values[row_keys.index(own)]
                data[select["attrs"]["name"]].append(pick)
        else:  # ordering: items ranked by their ascending names
            ranked = sorted(select["attrs"]["name"] for select in selects)
            for select in selects:
                data[select["attrs"]["name"]].append(str(ranked.index(select["attrs"]["name"]) + 1))
    return data


def random_answers(form: QuizForm, kinds: dict[int, str], chance: random.Random) -> dict:
    data = defaultdict(list)
    by_name = defaultdict(list)
    for attrs in form.inputs:
        by_name[attrs["name"]].append(attrs["value"])
    for name, values in by_name.items():
        count = 1 if kinds[int(name[1:])] == QuestionKind.SINGLE else 2
        data[name].extend(chance.sample(values, count))
    rows = defaultdict(list)
    for select in form.selects:
        rows[select["attrs"]["name"].split("-", 1)[0]].append(select)
    for selects in rows.values():
        values = [option["value"] for option in selects[0]["options"]]
        for select, value in zip(selects, chance.sample(values, len(values)), strict=True):
            data[select["attrs"]["name"]].append(value)
    return data


def play(client, world, strategy, plays: int) -> dict[str, float]:
    """Mean fraction of the points earned per question kind over `plays` attempts."""
    chance = random.Random(7)
    earned = defaultdict(list)
    for _play in range(plays):
        start = client.post(reverse("assessments:start", args=(world["quiz"].pk,)))
        form = QuizForm()
        form.feed(client.get(start.url).content.decode())
        attempt = QuizAttempt.objects.filter(status="in_progress").get()
        submitted = client.post(
            reverse("assessments:submit", args=(attempt.pk,)),
            strategy(form, world["kinds"], chance),
        )
        assert submitted.status_code == 302, submitted.content.decode()[:2000]
        attempt.refresh_from_db()
        for question_id, fraction in attempt.results.items():
            earned[world["kinds"][int(question_id)]].append(Decimal(fraction))
    return {kind: float(sum(values) / len(values)) for kind, values in earned.items()}


def test_guessing_from_the_html_scores_no_better_than_random_choices(client, quiz_world):
    client.force_login(quiz_world["trainee"])

    naive = play(client, quiz_world, naive_answers, PLAYS)
    chance = play(client, quiz_world, random_answers, 5)

    for kind in KINDS:
        # Chance alone: about RANDOM_EXPECTATION; answers read off ids or order would score 1.
        assert naive[kind] < RANDOM_EXPECTATION[kind] + 0.3, (kind, naive)
    overall = sum(naive.values()) / len(naive)
    assert overall < sum(RANDOM_EXPECTATION.values()) / len(KINDS) + 0.15, naive
    assert set(chance) == set(KINDS)  # the random player's answers were all accepted


def test_right_and_wrong_choices_look_alike_in_the_markup(client, quiz_world):
    """Inputs of one question differ only by their token; no database id is in any attribute."""
    client.force_login(quiz_world["trainee"])
    start = client.post(reverse("assessments:start", args=(quiz_world["quiz"].pk,)))
    html = client.get(start.url).content.decode()
    attempt = QuizAttempt.objects.get()
    form = QuizForm()
    form.feed(html)

    tokens = {
        row["token"]
        for entry in attempt.layout
        for part in ("options", "pairs")
        for row in entry.get(part, [])
    }
    ids = {
        str(row["id"])
        for entry in attempt.layout
        for part in ("options", "pairs")
        for row in entry.get(part, [])
    }

    def shape(attrs: dict) -> dict:
        return {key: re.sub("|".join(tokens), "T", value or "") for key, value in attrs.items()}

    by_question = defaultdict(list)
    for attrs in form.inputs:
        by_question[attrs["name"]].append(shape(attrs))
    for select in form.selects:
        question = select["attrs"]["name"].split("-", 1)[0]
        by_question[question].append(shape(select["attrs"]))
        # Every row of a question offers the same list (pairs or positions), in the same order.
        by_question[question + "/options"].append([shape(option) for option in select["options"]])
    assert len(by_question) == 12
    for shapes in by_question.values():
        assert all(item == shapes[0] for item in shapes), shapes

    # Every choice is addressed by a token of this attempt, never by an option's id.
    assert {attrs["value"] for attrs in form.inputs} <= tokens
    for select in form.selects:
        assert select["attrs"]["name"].split("-", 1)[1] in tokens
        values = {option["value"] for option in select["options"]}
        assert values <= tokens or values == {"1", "2", "3", "4"}  # pairs, or positions
    assert not ids & tokens


def test_tokens_are_new_for_every_attempt(client, quiz_world):
    client.force_login(quiz_world["trainee"])
    layouts = []
    for _play in range(2):
        start = client.post(reverse("assessments:start", args=(quiz_world["quiz"].pk,)))
        attempt = QuizAttempt.objects.get(status="in_progress")
        layouts.append(
            {row["token"] for entry in attempt.layout for row in entry.get("options", [])}
        )
        client.post(reverse("assessments:submit", args=(attempt.pk,)))
        assert start.status_code == 302

    assert layouts[0] and not layouts[0] & layouts[1]


def _answers(attempt, questions, right: bool) -> dict:
    """Every question answered in full, all right or all wrong, through the attempt's tokens."""
    data = {}
    for entry in attempt.layout:
        question = questions[entry["question"]]
        options = list(question.options.all())  # in authored order
        token = {row["id"]: row["token"] for row in entry["options"]}
        name = f"q{question.pk}"
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = [option for option in options if option.is_correct is right]
            data[name] = [token[option.pk] for option in picked[:2]]
        elif question.kind == QuestionKind.MATCHING:
            pair = {row["id"]: row["token"] for row in entry["pairs"]}
            shift = 0 if right else 1  # each row with its own pair, or with the next one's
            for index, option in enumerate(options):
                partner = options[(index + shift) % len(options)]
                data[f"{name}-{token[option.pk]}"] = pair[partner.pk]
        else:  # ordering: the authored order, or reversed
            ranked = options if right else options[::-1]
            for place, option in enumerate(ranked, start=1):
                data[f"{name}-{token[option.pk]}"] = str(place)
    return data


def test_the_summary_page_is_the_same_for_right_and_wrong_answers(client, quiz_world):
    """Before submitting, the summary tells which questions are answered — nothing more."""
    from assessments.models import Question

    client.force_login(quiz_world["trainee"])
    client.post(reverse("assessments:start", args=(quiz_world["quiz"].pk,)))
    attempt = QuizAttempt.objects.get()
    questions = Question.objects.prefetch_related("options").in_bulk(quiz_world["kinds"])
    save = reverse("assessments:autosave", args=(attempt.pk,))
    summary = reverse("assessments:summary", args=(attempt.pk,))

    pages = {}
    for right in (True, False):
        saved = client.post(save, {**_answers(attempt, questions, right), "then": "summary"})
        assert saved.status_code == 302 and saved.url == summary
        attempt.refresh_from_db()
        pages[right] = re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(summary).content.decode()
        )
        if right:  # the answers really were right: graded now, they would score in full
            from assessments.grading import fraction

            assert all(
                fraction(questions[int(pk)], value) == 1 for pk, value in attempt.answers.items()
            )

    assert pages[True] == pages[False]
    assert pages[True].count("Ответ сохранён") == 8
    tokens = {row["token"] for entry in attempt.layout for row in entry["options"]}
    assert not [token for token in tokens if token in pages[True]]  # no choice is addressed
    for question in questions.values():  # not an option, pair or item is on the page
        for option in question.options.all():
            assert option.text not in pages[True] and (
                not option.match_text or option.match_text not in pages[True]
            )
