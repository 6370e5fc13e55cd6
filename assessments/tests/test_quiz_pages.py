"""The quiz as a trainee meets it: the rules before a start, the timer on the server's clock, the
summary before submitting, and the review of a graded attempt (or when it opens)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.layout import token_of
from assessments.models import AttemptPolicy, QuestionKind, QuizAttempt, ReviewPolicy
from assessments.selectors import (
    TIMER_DANGER_SECONDS,
    TIMER_WARNING_SECONDS,
    Mark,
    attempt_timer,
    mark_of,
    seconds_left,
)
from assessments.services import attempt_start
from courses.models import ModulePage
from tests import factories

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
EXPLANATION = "Пояснение-к-вопросу"


def text_of(html: str) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, css_class: str) -> str:
    """The text of the first element whose class list starts with `css_class`."""
    start = html.index(f'class="{css_class}')
    return text_of(html[start:])


@pytest.fixture
def world(db):
    """A quiz with one question of each kind; every question authored with its right answer."""
    factories.site_home()
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    bank = factories.question_bank()
    explained = {"explanation": f"<p>{EXPLANATION}</p>"}
    questions = {
        "single": factories.question(
            bank, QuestionKind.SINGLE, options=[("СФР", True), ("ЦЗН", False)], **explained
        ),
        "multiple": factories.question(
            bank,
            QuestionKind.MULTIPLE,
            options=[("Выплаты", True), ("Лечение", True), ("Туризм", False)],
        ),
        "true_false": factories.question(bank, QuestionKind.TRUE_FALSE, correct_is_true=False),
        "short_text": factories.question(
            bank, QuestionKind.SHORT_TEXT, accepted_answers="соцконтракт\nсоциальный контракт"
        ),
        "numeric": factories.question(
            bank,
            QuestionKind.NUMERIC,
            numeric_answer=Decimal("18"),
            numeric_tolerance=Decimal("0.5"),
        ),
        "matching": factories.question(
            bank,
            QuestionKind.MATCHING,
            options=[("Работа", "ЦЗН"), ("Пенсия", "СФР"), ("Своё дело", "Мой бизнес")],
        ),
        "ordering": factories.question(
            bank,
            QuestionKind.ORDERING,
            options=[("Заявление", None), ("Проверка", None), ("Выплата", None)],
        ),
    }
    quiz = factories.quiz(
        module,
        [bank],
        attempts_allowed=3,
        pass_mark=70,
        time_limit_minutes=15,
        shuffle_questions=False,
    )
    trainee = factories.user("Trainee")
    enrolment = factories.enrol(trainee, factories.cohort(program))
    return {"quiz": quiz, "trainee": trainee, "enrolment": enrolment, "q": questions}


def started(client, world) -> QuizAttempt:
    client.force_login(world["trainee"])
    client.post(reverse("assessments:start", args=(world["quiz"].pk,)))
    return QuizAttempt.objects.get(status=QuizAttempt.Status.IN_PROGRESS)


def tok(attempt, question, text: str, part: str = "options") -> str:
    """The token this attempt's page gives the option (or matching pair) with this text."""
    entry = next(entry for entry in attempt.layout if entry["question"] == question.pk)
    option = question.options.get(text=text) if part == "options" else None
    if part == "pairs":
        option = question.options.get(match_text=text)
    return token_of(entry[part], option.pk)


def row_field(attempt, question, text: str) -> str:
    return f"q{question.pk}-{tok(attempt, question, text)}"


# The rules, before a start ----------------------------------------------------------------


def test_the_quiz_page_states_the_rules_before_a_start(client, world):
    client.force_login(world["trainee"])

    html = client.get(world["quiz"].url).content.decode()

    rules = section(html, "card mb-4 quiz-rules")
    assert "Ограничение времени 15 минут" in rules
    assert "разрешено 3 попытки; осталось 3 попытки" in rules
    assert "Проходной балл 70 %" in rules
    assert "Засчитывается лучшая попытка." in rules
    assert "Правильные ответы показываются после каждой попытки." in rules


def test_attempts_left_count_down_as_attempts_are_used(client, world):
    attempt = started(client, world)
    client.post(reverse("assessments:submit", args=(attempt.pk,)))

    rules = section(client.get(world["quiz"].url).content.decode(), "card mb-4 quiz-rules")

    assert "разрешено 3 попытки; осталось 2 попытки" in rules


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"time_limit_minutes": None}, "Без ограничения времени."),
        ({"time_limit_minutes": 1}, "Ограничение времени 1 минута"),
        ({"attempt_policy": AttemptPolicy.LAST}, "Засчитывается последняя попытка."),
        ({"attempt_policy": AttemptPolicy.AVERAGE}, "Засчитывается среднее по всем попыткам."),
        ({"review_policy": ReviewPolicy.NEVER}, "Правильные ответы не показываются."),
        (
            {
                "review_policy": ReviewPolicy.AFTER_CLOSE,
                "closes_at": dt.datetime(2036, 12, 12, 18, 0, tzinfo=MOSCOW),
            },
            "Правильные ответы показываются после закрытия теста — после 12 декабря 2036, 18:00.",
        ),
        (
            {"review_policy": ReviewPolicy.AFTER_CLOSE},
            "Правильные ответы показываются после закрытия теста; дата закрытия пока не назначена.",
        ),
    ],
)
def test_each_rule_is_stated_as_set(client, world, changes, said):
    quiz = world["quiz"]
    for name, value in changes.items():
        setattr(quiz, name, value)
    quiz.save()
    client.force_login(world["trainee"])

    rules = section(client.get(quiz.url).content.decode(), "card mb-4 quiz-rules")

    assert said in rules


# The timer, counted on the server's clock -------------------------------------------------


def test_the_take_page_counts_down_the_servers_remaining_time(client, world):
    attempt = started(client, world)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + dt.timedelta(seconds=600)
    )

    html = client.get(reverse("assessments:attempt", args=(attempt.pk,))).content.decode()

    remaining = int(re.search(r'data-remaining="(\d+)"', html).group(1))
    assert 590 <= remaining <= 600
    assert re.search(r'role="timer">(9:5\d|10:00)<', html)
    assert "quiz-timer--" not in html  # no warning yet
    assert 'aria-live="assertive"' in html  # where the warnings will be announced


def test_the_timer_warns_below_five_minutes_and_urgently_below_one(client, world):
    attempt = started(client, world)

    def page_with(seconds: int) -> str:
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() + dt.timedelta(seconds=seconds)
        )
        return client.get(reverse("assessments:attempt", args=(attempt.pk,))).content.decode()

    warned = page_with(4 * 60)
    urgent = page_with(40)

    assert "quiz-timer--warning" in warned and "quiz-timer--danger" not in warned
    assert "Осталось меньше 5 минут." in section(warned, "quiz-timer-warning")
    assert "quiz-timer--danger" in urgent and "quiz-timer--warning" not in urgent
    assert "Осталось меньше 1 минуты" in section(urgent, "quiz-timer-warning")


@pytest.mark.parametrize(
    ("seconds", "level"),
    [
        (TIMER_WARNING_SECONDS + 1, ""),
        (TIMER_WARNING_SECONDS, ""),
        (TIMER_WARNING_SECONDS - 1, "warning"),
        (TIMER_DANGER_SECONDS, "warning"),
        (TIMER_DANGER_SECONDS - 1, "danger"),
        (0, "danger"),
    ],
)
def test_the_warning_levels_change_at_five_and_one_minutes(world, seconds, level):
    now = timezone.now()
    attempt = attempt_start(user=world["trainee"], quiz=world["quiz"], now=now)
    attempt.deadline = now + dt.timedelta(seconds=seconds)

    timer = attempt_timer(attempt, now=now)

    assert (TIMER_WARNING_SECONDS, TIMER_DANGER_SECONDS) == (300, 60)
    assert timer.seconds == seconds and timer.level == level


def test_seconds_left_never_go_below_zero_and_are_none_without_a_limit(world):
    now = timezone.now()
    attempt = attempt_start(user=world["trainee"], quiz=world["quiz"], now=now)

    assert seconds_left(attempt, now=now) == 15 * 60
    assert seconds_left(attempt, now=now + dt.timedelta(minutes=16)) == 0
    attempt.deadline = None
    assert seconds_left(attempt, now=now) is None and attempt_timer(attempt, now=now) is None


def test_autosave_returns_the_servers_remaining_seconds(client, world):
    attempt = started(client, world)
    # The server's deadline moved (a slow page, a wrong clock): the answer tells the page.
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + dt.timedelta(seconds=125)
    )

    response = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {f"q{world['q']['short_text'].pk}": "черновик"},
        HTTP_X_REQUESTED_WITH="fetch",
    )

    assert response.json()["saved"] is True
    assert 120 <= response.json()["remaining"] <= 125


# The summary before submitting --------------------------------------------------------------


def test_review_and_submit_saves_then_lists_the_unanswered_questions(client, world):
    attempt = started(client, world)
    q = world["q"]

    response = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {
            f"q{q['single'].pk}": tok(attempt, q["single"], "ЦЗН"),
            f"q{q['numeric'].pk}": "17",
            # Matching: one row of three chosen — an answer in part.
            row_field(attempt, q["matching"], "Работа"): tok(
                attempt, q["matching"], "ЦЗН", "pairs"
            ),
            "then": "summary",
        },
    )

    summary_url = reverse("assessments:summary", args=(attempt.pk,))
    assert response.status_code == 302 and response.url == summary_url
    attempt.refresh_from_db()
    assert set(attempt.answers) == {str(q[k].pk) for k in ("single", "numeric", "matching")}
    html = client.get(summary_url).content.decode()
    missing = section(html, "quiz-unanswered")
    missing = missing[: missing.index("Вопросы попытки")]
    assert "5 вопросов без полного ответа" in missing
    take = reverse("assessments:attempt", args=(attempt.pk,))
    for key in ("multiple", "true_false", "short_text", "ordering", "matching"):
        assert f'href="{take}#question-{q[key].pk}"' in html
    number = {entry["question"]: index + 1 for index, entry in enumerate(attempt.layout)}
    assert f"Вопрос {number[q['matching'].pk]}" in missing and "ответ неполный" in missing
    for key in ("single", "numeric"):  # answered: not in the list of those to do
        assert f"Вопрос {number[q[key].pk]}:" not in missing
    assert html.count("Ответ сохранён") == 2
    assert f'action="{reverse("assessments:submit", args=(attempt.pk,))}"' in html


def test_the_summary_says_when_every_question_is_answered(client, world):
    attempt = started(client, world)
    q = world["q"]
    data = {
        f"q{q['single'].pk}": tok(attempt, q["single"], "СФР"),
        f"q{q['multiple'].pk}": tok(attempt, q["multiple"], "Туризм"),
        f"q{q['true_false'].pk}": "true",
        f"q{q['short_text'].pk}": "не знаю",
        f"q{q['numeric'].pk}": "3",
    }
    for row, pair in (("Работа", "СФР"), ("Пенсия", "ЦЗН"), ("Своё дело", "Мой бизнес")):
        data[row_field(attempt, q["matching"], row)] = tok(attempt, q["matching"], pair, "pairs")
    for place, item in enumerate(("Выплата", "Заявление", "Проверка"), start=1):
        data[row_field(attempt, q["ordering"], item)] = str(place)
    client.post(reverse("assessments:autosave", args=(attempt.pk,)), data)

    html = client.get(reverse("assessments:summary", args=(attempt.pk,))).content.decode()

    assert "На все вопросы даны ответы." in text_of(html)
    assert EXPLANATION not in html and "соцконтракт" not in html  # nothing of the answers
    assert "quiz-unanswered" not in html and html.count("Ответ сохранён") == 7


def test_submitting_from_the_summary_grades_what_was_saved(client, world):
    attempt = started(client, world)
    single = world["q"]["single"]
    client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {f"q{single.pk}": tok(attempt, single, "СФР"), "then": "summary"},
    )

    # The summary's form sends no answers: only what was saved is graded.
    response = client.post(reverse("assessments:submit", args=(attempt.pk,)))

    attempt.refresh_from_db()
    assert response.url == reverse("assessments:result", args=(attempt.pk,))
    assert not attempt.is_open and attempt.results[str(single.pk)] == "1.0000"


def test_a_refused_answer_stays_on_the_questions_instead_of_the_summary(client, world):
    attempt = started(client, world)

    response = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {f"q{world['q']['single'].pk}": "not-a-token", "then": "summary"},
    )

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_the_summary_of_a_finished_attempt_leads_to_its_result(client, world):
    attempt = started(client, world)
    client.post(reverse("assessments:submit", args=(attempt.pk,)))

    response = client.get(reverse("assessments:summary", args=(attempt.pk,)))

    assert response.url == reverse("assessments:result", args=(attempt.pk,))


def test_the_summary_is_closed_to_others_and_to_a_withdrawn_trainee(client, world):
    attempt = attempt_start(user=world["trainee"], quiz=world["quiz"])
    url = reverse("assessments:summary", args=(attempt.pk,))
    other = factories.user("Trainee")
    factories.enrol(other, world["enrolment"].cohort)
    client.force_login(other)
    assert client.get(url).status_code == 404

    factories.withdraw(world["enrolment"])
    client.force_login(world["trainee"])
    assert client.get(url).url == reverse("courses:learning")


# The review ---------------------------------------------------------------------------------


def submitted_with_every_kind(client, world) -> QuizAttempt:
    """Right, partly right and wrong answers, one of each kind of question."""
    attempt = started(client, world)
    q = world["q"]
    data = {
        f"q{q['single'].pk}": tok(attempt, q["single"], "СФР"),  # right
        f"q{q['true_false'].pk}": "true",  # wrong: the statement is false
        f"q{q['short_text'].pk}": "Соцконтракт",  # right
        f"q{q['numeric'].pk}": "20",  # wrong
    }
    # Multiple: one right, nothing wrong — half.
    data[f"q{q['multiple'].pk}"] = [tok(attempt, q["multiple"], "Выплаты")]
    # Matching: «Работа» right, the two others swapped.
    for row, pair in (("Работа", "ЦЗН"), ("Пенсия", "Мой бизнес"), ("Своё дело", "СФР")):
        data[row_field(attempt, q["matching"], row)] = tok(attempt, q["matching"], pair, "pairs")
    # Ordering: all three in the wrong places.
    for place, item in enumerate(("Выплата", "Заявление", "Проверка"), start=1):
        data[row_field(attempt, q["ordering"], item)] = str(place)
    response = client.post(reverse("assessments:submit", args=(attempt.pk,)), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    return attempt


def reviewed(html: str, question) -> str:
    """The text of one reviewed question."""
    match = re.search(
        rf'<li class="card mb-3 review-question (review-question--\w+)" id="review-{question.pk}">'
        r"(.*?)</div></li>",
        html,
        re.S,
    )
    return match.group(1) + " " + text_of(match.group(2))


def test_the_review_marks_each_answer_beside_the_right_one(client, world):
    attempt = submitted_with_every_kind(client, world)
    q = world["q"]

    html = client.get(reverse("assessments:result", args=(attempt.pk,))).content.decode()

    single = reviewed(html, q["single"])
    assert single.startswith("review-question--right") and "✓ Правильно" in single
    assert "СФР — ваш выбор: ✓ Правильно" in single and EXPLANATION in single

    multiple = reviewed(html, q["multiple"])
    assert multiple.startswith("review-question--partly") and "◐ Частично правильно" in multiple
    assert "Лечение — правильный вариант, который вы не выбрали" in multiple
    assert "Туризм — " not in multiple  # neither chosen nor correct: nothing to say

    true_false = reviewed(html, q["true_false"])
    assert true_false.startswith("review-question--wrong") and "✗ Неправильно" in true_false
    assert "Ваш ответ: Верно Правильный ответ: Неверно" in true_false

    short = reviewed(html, q["short_text"])
    assert short.startswith("review-question--right")
    assert "Ваш ответ: Соцконтракт Правильный ответ: соцконтракт; социальный контракт" in short

    numeric = reviewed(html, q["numeric"])
    assert numeric.startswith("review-question--wrong")
    assert numeric.rstrip().endswith("Ваш ответ: 20 Правильный ответ: 18 ± 0,5")

    matching = reviewed(html, q["matching"])
    assert matching.startswith("review-question--partly")
    assert "Работа ЦЗН ЦЗН ✓ Правильно" in matching
    assert "Пенсия Мой бизнес СФР ✗ Неправильно" in matching
    assert "Своё дело СФР Мой бизнес ✗ Неправильно" in matching

    ordering = reviewed(html, q["ordering"])
    assert ordering.startswith("review-question--wrong")
    assert "1 Выплата Заявление ✗ Неправильно" in ordering
    assert "3 Проверка Выплата ✗ Неправильно" in ordering


def test_an_unanswered_question_is_reviewed_as_wrong_with_no_answer(client, world):
    attempt = started(client, world)
    client.post(reverse("assessments:submit", args=(attempt.pk,)))

    html = client.get(reverse("assessments:result", args=(attempt.pk,))).content.decode()

    for key in ("true_false", "short_text", "numeric"):
        text = reviewed(html, world["q"][key])
        assert text.startswith("review-question--wrong") and "Ваш ответ: нет ответа" in text
    assert "1 — Заявление" in reviewed(html, world["q"]["ordering"])


@pytest.mark.parametrize(
    ("earned", "mark"),
    [
        (None, Mark.WRONG),
        (Decimal("0"), Mark.WRONG),
        (Decimal("0.0001"), Mark.PARTLY),
        (Decimal("0.9999"), Mark.PARTLY),
        (Decimal("1"), Mark.RIGHT),
    ],
)
def test_a_question_is_right_only_in_full_and_wrong_only_at_zero(earned, mark):
    assert mark_of(earned) == mark


@pytest.mark.parametrize(
    ("closes_at", "said"),
    [
        (
            dt.datetime(2036, 12, 12, 18, 0, tzinfo=MOSCOW),
            "Правильные ответы будут показаны после 12 декабря 2036, 18:00.",
        ),
        (
            None,
            "Правильные ответы будут показаны после закрытия теста; "
            "дата закрытия пока не назначена.",
        ),
    ],
)
def test_a_deferred_review_says_when_it_opens(client, world, closes_at, said):
    quiz = world["quiz"]
    quiz.review_policy = ReviewPolicy.AFTER_CLOSE
    quiz.closes_at = closes_at
    quiz.save()

    attempt = submitted_with_every_kind(client, world)
    html = client.get(reverse("assessments:result", args=(attempt.pk,))).content.decode()

    assert said in text_of(html)
    assert "review-question" not in html and EXPLANATION not in html
    assert "социальный контракт" not in html  # not even an accepted answer


def test_the_review_opens_once_the_quiz_has_closed(client, world):
    quiz = world["quiz"]
    quiz.review_policy = ReviewPolicy.AFTER_CLOSE
    quiz.closes_at = timezone.now() + dt.timedelta(days=1)
    quiz.save()
    attempt = submitted_with_every_kind(client, world)
    url = reverse("assessments:result", args=(attempt.pk,))
    assert "review-question" not in client.get(url).content.decode()

    quiz.closes_at = timezone.now() - dt.timedelta(seconds=1)
    quiz.save()

    html = client.get(url).content.decode()
    assert "review-question--right" in html and EXPLANATION in html


def test_a_review_that_never_opens_says_so(client, world):
    quiz = world["quiz"]
    quiz.review_policy = ReviewPolicy.NEVER
    quiz.save()

    attempt = submitted_with_every_kind(client, world)
    html = client.get(reverse("assessments:result", args=(attempt.pk,))).content.decode()

    assert "Правильные ответы в этом тесте не показываются." in text_of(html)
    assert "review-question" not in html and EXPLANATION not in html
