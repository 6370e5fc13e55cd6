"""Quiz attempts: limits, deadlines, grading once, and what the pages reveal."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from assessments.layout import token_of
from assessments.models import QuestionKind, QuizAttempt, ReviewPolicy
from assessments.selectors import review_allowed
from assessments.services import (
    GRACE,
    QuizError,
    attempt_save,
    attempt_start,
    attempt_submit,
)
from courses.models import ActivityCompletion, ModulePage
from tests import factories
from tests.concurrency import (
    assert_no_errors,
    client_for,
    concurrency_test,
    run_times,
    run_together,
    status_codes,
)

ZERO = dt.timedelta(0)
SECRET_ANSWER = "кругподдержки"
EXPLANATION = "Пояснение-для-разбора"


@pytest.fixture
def setup(db):
    factories.site_home()
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    bank = factories.question_bank()
    single = factories.question(
        bank,
        QuestionKind.SINGLE,
        options=[("Неверно", False), ("Верно", True)],
        explanation=f"<p>{EXPLANATION}</p>",
    )
    text = factories.question(bank, QuestionKind.SHORT_TEXT, accepted_answers=SECRET_ANSWER)
    quiz = factories.quiz(module, [bank], attempts_allowed=2, pass_mark=50)
    trainee = factories.user("Trainee")
    enrolment = factories.enrol(trainee, factories.cohort(program))
    return {
        "quiz": quiz,
        "trainee": trainee,
        "single": single,
        "text": text,
        "enrolment": enrolment,
    }


def answers(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    return data


def right_option(question) -> int:
    return next(option.pk for option in question.options.all() if option.is_correct)


def token(attempt, question, pk: int, part: str = "options") -> str:
    """The token by which this attempt's page addresses an option (or a matching pair)."""
    entry = next(entry for entry in attempt.layout if entry["question"] == question.pk)
    return token_of(entry[part], pk)


def right_token(attempt, question) -> str:
    return token(attempt, question, right_option(question))


def test_an_attempt_is_graded_on_the_server_and_completes_the_quiz(setup):
    attempt = attempt_start(user=setup["trainee"], quiz=setup["quiz"])
    single, text = setup["single"], setup["text"]

    attempt, errors = attempt_submit(
        attempt=attempt,
        data=answers(
            **{f"q{single.pk}": right_token(attempt, single), f"q{text.pk}": "Круг поддержки"}
        ),
    )

    assert errors == {}
    assert attempt.status == QuizAttempt.Status.GRADED
    assert attempt.score == Decimal("1.00") and attempt.percent == Decimal("50.0")
    assert attempt.passed
    assert ActivityCompletion.objects.filter(
        enrolment=setup["enrolment"], activity_id=setup["quiz"].pk, source="quiz"
    ).exists()


def test_the_attempt_limit_holds(setup):
    for _ in range(2):
        attempt_submit(attempt=attempt_start(user=setup["trainee"], quiz=setup["quiz"]))

    with pytest.raises(QuizError):
        attempt_start(user=setup["trainee"], quiz=setup["quiz"])
    assert QuizAttempt.objects.count() == 2


def test_starting_twice_returns_the_open_attempt(setup):
    first = attempt_start(user=setup["trainee"], quiz=setup["quiz"])

    assert attempt_start(user=setup["trainee"], quiz=setup["quiz"]).pk == first.pk


def test_the_deadline_is_kept_on_the_server(setup):
    quiz = setup["quiz"]
    quiz.time_limit_minutes = 10
    quiz.save()
    start = timezone.now()
    attempt = attempt_start(user=setup["trainee"], quiz=quiz, now=start)
    single = setup["single"]
    assert attempt.deadline == start + dt.timedelta(minutes=10)
    attempt_save(
        attempt=attempt, data=answers(**{f"q{single.pk}": right_token(attempt, single)}), now=start
    )

    late = start + dt.timedelta(minutes=10) + GRACE + dt.timedelta(seconds=1)
    with pytest.raises(QuizError):
        attempt_save(
            attempt=attempt, data=answers(**{f"q{setup['text'].pk}": SECRET_ANSWER}), now=late
        )

    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.GRADED and attempt.timed_out
    assert attempt.score == Decimal("1.00")  # only what was saved in time
    assert attempt.submitted_at == attempt.deadline


@pytest.mark.parametrize(
    "tamper",
    [
        # an option's database id instead of its token
        lambda s, a, foreign: {f"q{s['single'].pk}": str(right_option(s["single"]))},
        # a token of another question (drawn by another attempt)
        lambda s, a, foreign: {f"q{s['single'].pk}": foreign},
        lambda s, a, foreign: {f"q{s['single'].pk}": "not-a-token"},
        lambda s, a, foreign: {f"q{s['text'].pk}": "x" * 501},  # oversized
    ],
)
def test_tampered_answers_are_refused_and_nothing_changes(setup, tamper):
    other_bank = factories.question_bank()
    factories.question(other_bank, QuestionKind.SINGLE, options=[("Чужой", True)])
    other_quiz = factories.quiz(ModulePage.objects.get(), [other_bank])
    foreign_attempt = attempt_start(user=setup["trainee"], quiz=other_quiz)
    foreign = foreign_attempt.layout[0]["options"][0]["token"]
    attempt = attempt_start(user=setup["trainee"], quiz=setup["quiz"])

    attempt, errors = attempt_submit(
        attempt=attempt, data=answers(**tamper(setup, attempt, foreign))
    )

    assert errors
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.score is None and attempt.answers == {}


def test_someone_not_enrolled_cannot_start(setup):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        attempt_start(user=factories.user("Trainee"), quiz=setup["quiz"])


@pytest.mark.parametrize(
    ("after_deadline", "late_answer_counts"),
    [(GRACE, True), (GRACE + dt.timedelta(seconds=1), False)],
)
def test_a_submit_after_the_grace_period_is_graded_on_what_was_saved_in_time(
    setup, after_deadline, late_answer_counts
):
    quiz = setup["quiz"]
    quiz.time_limit_minutes = 5
    quiz.save()
    start = timezone.now()
    attempt = attempt_start(user=setup["trainee"], quiz=quiz, now=start)
    single, text = setup["single"], setup["text"]
    attempt_save(attempt=attempt, data=answers(**{f"q{text.pk}": SECRET_ANSWER}), now=start)

    attempt, _errors = attempt_submit(
        attempt=attempt,
        data=answers(**{f"q{single.pk}": right_token(attempt, single)}),
        now=attempt.deadline + after_deadline,
    )

    assert attempt.status == QuizAttempt.Status.GRADED
    assert attempt.timed_out is not late_answer_counts
    # The text answer was saved in time; the single choice arrived with the submit.
    assert attempt.score == (Decimal("2.00") if late_answer_counts else Decimal("1.00"))


@pytest.mark.parametrize(
    ("after_deadline", "saved"), [(GRACE, True), (GRACE + dt.timedelta(seconds=1), False)]
)
def test_autosave_is_taken_until_the_grace_period_ends(setup, after_deadline, saved):
    quiz = setup["quiz"]
    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = attempt_start(user=setup["trainee"], quiz=quiz)
    data = answers(**{f"q{setup['text'].pk}": SECRET_ANSWER})

    if saved:
        attempt_save(attempt=attempt, data=data, now=attempt.deadline + after_deadline)
    else:
        with pytest.raises(QuizError):
            attempt_save(attempt=attempt, data=data, now=attempt.deadline + after_deadline)

    attempt.refresh_from_db()
    assert (attempt.answers == {str(setup["text"].pk): SECRET_ANSWER}) is saved
    assert attempt.is_open is saved


@pytest.mark.parametrize(
    ("before_close", "opens"), [(dt.timedelta(seconds=1), True), (ZERO, False)]
)
def test_no_attempt_starts_once_the_quiz_closes(setup, before_close, opens):
    quiz = setup["quiz"]
    now = timezone.now()
    quiz.closes_at = now + before_close
    quiz.save()

    if opens:
        attempt = attempt_start(user=setup["trainee"], quiz=quiz, now=now)
        assert attempt.deadline == quiz.closes_at  # and it must end when the quiz does
    else:
        with pytest.raises(QuizError):
            attempt_start(user=setup["trainee"], quiz=quiz, now=now)


@pytest.mark.parametrize(
    ("since_close", "shown"),
    [(-dt.timedelta(seconds=1), False), (ZERO, True), (dt.timedelta(days=30), True)],
)
def test_review_after_close_waits_for_the_close(setup, since_close, shown):
    quiz = setup["quiz"]
    quiz.review_policy = ReviewPolicy.AFTER_CLOSE
    now = timezone.now()
    quiz.closes_at = now + dt.timedelta(hours=1)
    quiz.save()
    attempt = attempt_start(user=setup["trainee"], quiz=quiz, now=now)
    attempt, _errors = attempt_submit(attempt=attempt, now=now)

    assert review_allowed(quiz, attempt, now=quiz.closes_at + since_close) is shown


def test_review_after_close_never_comes_for_a_quiz_that_never_closes(setup):
    quiz = setup["quiz"]
    quiz.review_policy = ReviewPolicy.AFTER_CLOSE
    quiz.save()
    attempt, _errors = attempt_submit(attempt=attempt_start(user=setup["trainee"], quiz=quiz))

    assert not review_allowed(quiz, attempt, now=timezone.now() + dt.timedelta(days=3650))


def test_review_after_close_shows_nothing_on_the_page_while_the_quiz_is_open(client, setup):
    quiz = setup["quiz"]
    quiz.review_policy = ReviewPolicy.AFTER_CLOSE
    quiz.closes_at = timezone.now() + dt.timedelta(days=3)
    quiz.save()
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(quiz.pk,)))
    attempt = QuizAttempt.objects.get()
    single = setup["single"]
    result = client.post(
        reverse("assessments:submit", args=(attempt.pk,)),
        {f"q{single.pk}": right_token(attempt, single)},
    )

    html = client.get(result.url).content.decode()
    assert SECRET_ANSWER not in html and EXPLANATION not in html
    assert 'class="review' not in html  # not even which answers earned points


def test_a_withdrawn_trainee_can_no_longer_change_an_attempt(client, setup):
    quiz = setup["quiz"]
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(quiz.pk,)))
    attempt = QuizAttempt.objects.get()
    single, text = setup["single"], setup["text"]
    client.post(
        reverse("assessments:autosave", args=(attempt.pk,)), {f"q{text.pk}": "до отчисления"}
    )
    factories.withdraw(setup["enrolment"])
    answer = {f"q{single.pk}": right_token(attempt, single), f"q{text.pk}": SECRET_ANSWER}

    take = client.get(reverse("assessments:attempt", args=(attempt.pk,)))
    save = client.post(reverse("assessments:autosave", args=(attempt.pk,)), answer)
    fetch = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)), answer, HTTP_X_REQUESTED_WITH="fetch"
    )
    submit = client.post(reverse("assessments:submit", args=(attempt.pk,)), answer)
    start = client.post(reverse("assessments:start", args=(quiz.pk,)))

    learning = reverse("courses:learning")
    assert [take.url, save.url, submit.url] == [learning] * 3
    assert fetch.status_code == 409 and not fetch.json()["saved"]
    assert start.status_code in (302, 403, 404)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == {str(text.pk): "до отчисления"}
    assert QuizAttempt.objects.count() == 1
    with pytest.raises(QuizError):
        attempt_submit(attempt=attempt, data=answers(**answer))


def test_a_withdrawn_trainee_still_reads_their_results(client, setup):
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(setup["quiz"].pk,)))
    attempt = QuizAttempt.objects.get()
    client.post(reverse("assessments:submit", args=(attempt.pk,)))
    factories.withdraw(setup["enrolment"])

    result = client.get(reverse("assessments:result", args=(attempt.pk,)))

    assert result.status_code == 200 and "0,0 %" in result.content.decode()


def test_an_over_long_number_is_refused_with_a_message(client, setup):
    number = factories.question(
        factories.question_bank(), QuestionKind.NUMERIC, numeric_answer=Decimal("13")
    )
    quiz = factories.quiz(ModulePage.objects.get(), [number.bank])
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(quiz.pk,)))
    attempt = QuizAttempt.objects.get()

    response = client.post(
        reverse("assessments:submit", args=(attempt.pk,)), {f"q{number.pk}": "1" * 41}
    )
    accepted = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)), {f"q{number.pk}": "1" * 40}
    )

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert accepted.status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == {str(number.pk): "1" * 40}


# Pages -----------------------------------------------------------------------------------


def test_the_take_page_never_reveals_correct_answers(client, setup):
    client.force_login(setup["trainee"])
    response = client.post(reverse("assessments:start", args=(setup["quiz"].pk,)))
    html = client.get(response.url).content.decode()

    assert "Верно" in html and "Неверно" in html  # the options are there…
    assert SECRET_ANSWER not in html and EXPLANATION not in html  # …not the answers
    single = setup["single"]
    attempt = QuizAttempt.objects.get()
    right, wrong = (
        right_token(attempt, single),
        token(attempt, single, next(o.pk for o in single.options.all() if not o.is_correct)),
    )

    # The correct option's input differs from the wrong one's only by its token.
    def option_input(value: str) -> str:
        pattern = rf'<input[^>]*name="q{single.pk}"[^>]*value="{value}"[^>]*>'
        return re.search(pattern, html).group(0).replace(value, "T")

    assert option_input(right) == option_input(wrong)
    option_ids = {str(option.pk) for option in single.options.all()}
    assert not option_ids & set(re.findall(rf'name="q{single.pk}"[^>]*value="([^"]*)"', html))


@pytest.mark.parametrize(
    ("policy", "shown"), [(ReviewPolicy.AFTER_ATTEMPT, True), (ReviewPolicy.NEVER, False)]
)
def test_the_result_page_follows_the_review_setting(client, setup, policy, shown):
    quiz = setup["quiz"]
    quiz.review_policy = policy
    quiz.save()
    client.force_login(setup["trainee"])
    start = client.post(reverse("assessments:start", args=(quiz.pk,)))
    attempt = QuizAttempt.objects.get()

    result = client.post(reverse("assessments:submit", args=(attempt.pk,)))
    html = client.get(result.url).content.decode()

    assert start.status_code == 302 and "0,0 %" in html
    assert (SECRET_ANSWER in html) is shown and (EXPLANATION in html) is shown


def test_a_double_submit_is_graded_once(client, setup):
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(setup["quiz"].pk,)))
    attempt = QuizAttempt.objects.get()
    single = setup["single"]
    url = reverse("assessments:submit", args=(attempt.pk,))

    client.post(url, {f"q{single.pk}": right_token(attempt, single)})
    first = QuizAttempt.objects.get()
    client.post(url, {f"q{single.pk}": "999999"})  # a second, different submit

    second = QuizAttempt.objects.get()
    assert (first.score, first.submitted_at) == (second.score, second.submitted_at)


def test_another_trainees_attempt_is_not_found(client, setup):
    attempt = attempt_start(user=setup["trainee"], quiz=setup["quiz"])
    other = factories.user("Trainee")
    factories.enrol(other, setup["enrolment"].cohort)
    client.force_login(other)

    for name in ("attempt", "result"):
        assert client.get(reverse(f"assessments:{name}", args=(attempt.pk,))).status_code == 404
    assert client.post(reverse("assessments:submit", args=(attempt.pk,))).status_code == 404


def test_a_tampered_form_gets_a_message_not_an_error(client, setup):
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(setup["quiz"].pk,)))
    attempt = QuizAttempt.objects.get()

    response = client.post(
        reverse("assessments:submit", args=(attempt.pk,)), {f"q{setup['single'].pk}": "-1"}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert QuizAttempt.objects.get().is_open


def test_autosave_answers_json(client, setup):
    client.force_login(setup["trainee"])
    client.post(reverse("assessments:start", args=(setup["quiz"].pk,)))
    attempt = QuizAttempt.objects.get()

    response = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)),
        {f"q{setup['text'].pk}": "черновик"},
        HTTP_X_REQUESTED_WITH="fetch",
    )

    assert response.json() == {"saved": True, "errors": {}, "remaining": None}  # no time limit
    assert QuizAttempt.objects.get().answers == {str(setup["text"].pk): "черновик"}


# Concurrency (PostgreSQL: real row locks, real parallel connections) -------------------------


@concurrency_test
def test_parallel_submits_grade_exactly_once(setup):
    attempt = attempt_start(user=setup["trainee"], quiz=setup["quiz"])
    single = setup["single"]
    data = answers(**{f"q{single.pk}": right_token(attempt, single)})

    results = run_times(
        6, lambda: attempt_submit(attempt=QuizAttempt.objects.get(pk=attempt.pk), data=data)[0]
    )

    assert_no_errors(results)
    assert len({result.submitted_at for result in results}) == 1
    assert ActivityCompletion.objects.filter(activity_id=setup["quiz"].pk).count() == 1


@concurrency_test
def test_parallel_starts_respect_the_attempt_limit(setup):
    quiz = setup["quiz"]

    def start_and_submit():
        try:
            attempt = attempt_start(user=setup["trainee"], quiz=quiz)
        except QuizError:
            return None
        return attempt_submit(attempt=attempt)[0].pk

    for _round in range(3):
        assert_no_errors(run_times(5, start_and_submit))

    assert QuizAttempt.objects.filter(quiz=quiz).count() == 2


@concurrency_test
def test_a_double_click_on_start_and_submit_is_harmless(setup):
    quiz, single = setup["quiz"], setup["single"]
    tabs = [client_for(setup["trainee"]) for _ in range(3)]
    start = reverse("assessments:start", args=(quiz.pk,))

    assert (
        status_codes(run_together(*[lambda tab=tab: tab.post(start) for tab in tabs])) == [302] * 3
    )
    attempt = QuizAttempt.objects.get()
    submit = reverse("assessments:submit", args=(attempt.pk,))
    answer = {f"q{single.pk}": right_token(attempt, single)}
    codes = status_codes(run_together(*[lambda tab=tab: tab.post(submit, answer) for tab in tabs]))

    assert codes == [302] * 3
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.GRADED and attempt.score == Decimal("1.00")
