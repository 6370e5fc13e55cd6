"""The quiz's own requests — start, save, submit — read little and remember what they may.

A start reads the quiz's page and its question pool from what is remembered (core.freshness), a
save and a submission read the attempt once, locked, and only if it is the trainee's own. What is
remembered must follow the author at once, and what is read must still keep others out.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from assessments.models import QuestionKind, QuizAttempt
from assessments.services import attempt_start
from courses.models import ActivityCompletion, ModulePage
from dashboards.tests.test_background import QUEUED, queued_refreshes
from tests import factories


@pytest.fixture
def quiz_setup(db, django_capture_on_commit_callbacks):
    # Built as committed requests build it: what they leave for after the commit runs.
    with django_capture_on_commit_callbacks(execute=True):
        factories.site_home()
        # Mostly practice, as the 75 % rule wants when the author publishes the quiz again.
        program = factories.program([[("theory", "2"), ("practice", "6"), ("practice", "6")]])
        module = ModulePage.objects.child_of(program).get()
        bank = factories.question_bank()
        single = factories.question(
            bank, QuestionKind.SINGLE, options=[("Неверно", False), ("Верно", True)]
        )
        quiz = factories.quiz(module, [bank], attempts_allowed=3, pass_mark=50)
        trainee = factories.user("Trainee")
        cohort = factories.cohort(program)
        factories.enrol(trainee, cohort)
    return {"quiz": quiz, "bank": bank, "single": single, "trainee": trainee, "cohort": cohort}


def start(client, quiz):
    return client.post(reverse("assessments:start", args=(quiz.pk,)))


def submit(client, attempt):
    return client.post(reverse("assessments:submit", args=(attempt.pk,)))


def test_a_lowered_attempt_limit_holds_at_the_next_start(client, quiz_setup):
    quiz = quiz_setup["quiz"]
    client.force_login(quiz_setup["trainee"])
    start(client, quiz)
    submit(client, QuizAttempt.objects.get())

    quiz.attempts_allowed = 1
    quiz.save_revision().publish()

    response = start(client, quiz)
    assert (response.status_code, response.url) == (302, quiz.url)
    assert QuizAttempt.objects.count() == 1


def test_a_raised_attempt_limit_allows_the_next_start(client, quiz_setup):
    quiz = quiz_setup["quiz"]
    quiz.attempts_allowed = 1
    quiz.save_revision().publish()
    client.force_login(quiz_setup["trainee"])
    start(client, quiz)
    submit(client, QuizAttempt.objects.get())
    start(client, quiz)
    assert QuizAttempt.objects.count() == 1

    quiz.attempts_allowed = 2
    quiz.save_revision().publish()

    start(client, quiz)
    assert QuizAttempt.objects.count() == 2


def test_an_unpublished_quiz_cannot_be_started(client, quiz_setup):
    quiz = quiz_setup["quiz"]
    client.force_login(quiz_setup["trainee"])
    start(client, quiz)
    submit(client, QuizAttempt.objects.get())

    quiz.unpublish()

    assert start(client, quiz).status_code == 404
    assert QuizAttempt.objects.count() == 1


def test_a_question_added_to_the_bank_is_in_the_next_attempt(client, quiz_setup):
    client.force_login(quiz_setup["trainee"])
    start(client, quiz_setup["quiz"])
    first = QuizAttempt.objects.get()
    submit(client, first)
    assert [entry["question"] for entry in first.layout] == [quiz_setup["single"].pk]

    added = factories.question(quiz_setup["bank"], QuestionKind.TRUE_FALSE, correct_is_true=True)
    start(client, quiz_setup["quiz"])

    second = QuizAttempt.objects.exclude(pk=first.pk).get()
    assert sorted(entry["question"] for entry in second.layout) == sorted(
        [quiz_setup["single"].pk, added.pk]
    )


def test_someone_elses_attempt_cannot_be_saved_or_submitted(client, quiz_setup):
    attempt = attempt_start(user=quiz_setup["trainee"], quiz=quiz_setup["quiz"])
    other = factories.user("Trainee")
    factories.enrol(other, quiz_setup["cohort"])
    client.force_login(other)
    single = quiz_setup["single"]
    field = {f"q{single.pk}": attempt.layout[0]["options"][0]["token"]}

    saved = client.post(reverse("assessments:autosave", args=(attempt.pk,)), field)
    saved_json = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)), field, HTTP_X_REQUESTED_WITH="fetch"
    )
    submitted = client.post(reverse("assessments:submit", args=(attempt.pk,)), field)

    assert (saved.status_code, saved_json.status_code, submitted.status_code) == (404, 404, 404)
    attempt.refresh_from_db()
    assert (attempt.answers, attempt.status) == ({}, QuizAttempt.Status.IN_PROGRESS)


def test_the_owner_saves_and_submits(client, quiz_setup):
    attempt = attempt_start(user=quiz_setup["trainee"], quiz=quiz_setup["quiz"])
    client.force_login(quiz_setup["trainee"])
    single = quiz_setup["single"]
    field = {f"q{single.pk}": attempt.layout[0]["options"][0]["token"]}

    saved = client.post(
        reverse("assessments:autosave", args=(attempt.pk,)), field, HTTP_X_REQUESTED_WITH="fetch"
    )
    submitted = submit(client, attempt)

    assert saved.json()["saved"] is True
    assert submitted.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.GRADED
    assert list(attempt.answers) == [str(single.pk)]


@pytest.mark.parametrize("earlier", [0, 2])
@override_settings(TASKS=QUEUED)
def test_the_quiz_requests_run_the_same_queries_whatever_came_before(
    client, quiz_setup, django_assert_num_queries, django_capture_on_commit_callbacks, earlier
):
    """Start, save and submit (passing), each with the quiz's page and questions remembered by
    an attempt before: the same statements whether the trainee has taken it before or not.
    Each request commits as a real one does (its on-commit work counted with it)."""
    quiz, single = quiz_setup["quiz"], quiz_setup["single"]
    client.force_login(quiz_setup["trainee"])

    def committed(request, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args)

    for _ in range(earlier + 1):
        committed(start, client, quiz)
        committed(submit, client, QuizAttempt.objects.order_by("pk").last())
    committed(QuizAttempt.objects.order_by("pk").last().delete)

    # The session and the user (the tests keep sessions in the database alone); begin, the
    # enrolment locked, its attempts, the new one (in a savepoint of its own), commit.
    with django_assert_num_queries(9):
        committed(start, client, quiz)
    attempt = QuizAttempt.objects.order_by("pk").last()
    right = single.options.get(is_correct=True).pk
    field = {
        f"q{single.pk}": next(
            shown["token"] for shown in attempt.layout[0]["options"] if shown["id"] == right
        )
    }
    # The session and the user; begin, the attempt locked, its answers written, commit.
    with django_assert_num_queries(6):
        committed(client.post, reverse("assessments:autosave", args=(attempt.pk,)), field)
    # The session and the user; begin, the attempt locked, graded, the figures marked stale,
    # the quiz completed (looked for, then added in a savepoint), commit; the refresh queued.
    queued = len(queued_refreshes())
    with django_assert_num_queries(12):
        committed(submit, client, attempt)
    assert len(queued_refreshes()) == queued + 1
    assert ActivityCompletion.objects.filter(activity_id=quiz.pk).count() == 1
