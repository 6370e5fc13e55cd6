"""Quiz attempts: start, save, submit, close at the deadline. Every write goes through here."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import freshness
from courses.curriculum import percent_of
from courses.models import ActivityCompletion, Enrolment
from courses.services import activity_complete

from .answers import AnswerError, read_answer
from .grading import fraction
from .layout import layout_entry
from .models import Question, QuestionKind, QuizAttempt, QuizPage
from .selectors import quiz_page

# Answers that arrive a little after the deadline (a slow network) are still taken.
GRACE = dt.timedelta(seconds=30)
_random = random.SystemRandom()
# What grading writes: the answers (merged just before), the outcome and when.
GRADED_FIELDS = [
    "answers",
    "score",
    "max_score",
    "percent",
    "results",
    "status",
    "submitted_at",
    "timed_out",
]
NOT_STUDYING = gettext_lazy("You no longer study this programme, so the attempt cannot be changed.")


class QuizError(Exception):
    """The quiz cannot do what was asked; the message is for the trainee."""


def _active_enrolment_locked(user, quiz: QuizPage) -> Enrolment:
    """The trainee's active enrolment in the quiz's programme, its row locked: one trainee's
    attempts are serialised on it."""
    enrolment = next(
        iter(
            Enrolment.objects.select_for_update().filter(
                trainee=user, program=quiz.program, status=Enrolment.Status.ACTIVE
            )
        ),
        None,
    )
    if enrolment is None:
        raise PermissionDenied(_("Only trainees studying this programme can take its quizzes."))
    return enrolment


def attempt_can_continue(attempt: QuizAttempt) -> bool:
    """Whether the trainee may still answer: the attempt is open and they still study.

    A withdrawn trainee keeps reading their results but can no longer change an attempt.
    """
    return attempt.is_open and attempt.enrolment.status == Enrolment.Status.ACTIVE


def _check_studying(attempt: QuizAttempt) -> None:
    if attempt.enrolment.status != Enrolment.Status.ACTIVE:
        raise QuizError(NOT_STUDYING)


def _question_pool(quiz: QuizPage) -> list[tuple[int, list[tuple[int, str, list[int]]]]]:
    """Each section's draw (how many, 0 for all) and its bank's questions — id, kind, option ids
    in order —, remembered until the school's content changes (core.freshness): every start
    draws from it."""

    def read():
        return [
            (
                section.count,
                [
                    (question.pk, question.kind, [option.pk for option in question.options.all()])
                    for question in Question.objects.filter(bank=section.bank)
                    .prefetch_related("options")
                    .order_by("pk")
                ],
            )
            for section in quiz.sections.select_related("bank").all()
        ]

    return freshness.remembered(("quiz-pool", quiz.pk), [], read)


def build_layout(quiz: QuizPage) -> list[dict]:
    """Draw the questions of an attempt and fix the order of their options."""
    layout = []
    for count, questions in _question_pool(quiz):
        if count and count < len(questions):
            questions = _random.sample(questions, count)
        for question_id, kind, options in questions:
            shown = list(options)
            # Ordering items are always shuffled: shown in order, they would be the answer.
            if kind == QuestionKind.ORDERING or (
                quiz.shuffle_options
                and kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATCHING)
            ):
                _random.shuffle(shown)
            pairs = _random.sample(options, len(options)) if kind == QuestionKind.MATCHING else None
            layout.append(layout_entry(question_id, shown, pairs))
    if quiz.shuffle_questions:
        _random.shuffle(layout)
    if not layout:
        raise QuizError(_("This quiz has no questions yet."))
    return layout


def attempt_start(*, user, quiz: QuizPage, now: dt.datetime | None = None) -> QuizAttempt:
    """Start an attempt, or return the one still open. The limit holds under concurrency."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _active_enrolment_locked(user, quiz)
        attempts = list(QuizAttempt.objects.filter(quiz=quiz, enrolment=enrolment).order_by("pk"))
        current = next((attempt for attempt in attempts if attempt.is_open), None)
        if current is not None:
            current.quiz, current.enrolment = quiz, enrolment
            if not _expired(current, now):
                return current
            _grade(current, now=now, timed_out=True)
        if quiz.closes_at and now >= quiz.closes_at:
            raise QuizError(_("The quiz is closed."))
        used = len(attempts)
        if used >= quiz.attempts_allowed:
            raise QuizError(
                _("You have used all %(count)s attempts.") % {"count": quiz.attempts_allowed}
            )
        deadline = (
            now + dt.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        )
        if quiz.closes_at and (deadline is None or deadline > quiz.closes_at):
            deadline = quiz.closes_at
        try:
            with transaction.atomic():
                return QuizAttempt.objects.create(
                    quiz=quiz,
                    enrolment=enrolment,
                    number=used + 1,
                    layout=build_layout(quiz),
                    started_at=now,
                    deadline=deadline,
                )
        except IntegrityError as error:  # the database's own guard on the attempt number
            raise QuizError(_("Another attempt has just started.")) from error


class OwnAttempt:
    """A trainee's attempt known by its id alone, as a request names it: the service reads it
    once, locked, and only if it is theirs (404 otherwise); `attempt` is then what it read."""

    def __init__(self, user, pk: int):
        self.user, self.pk = user, pk
        self.attempt: QuizAttempt | None = None


def _locked(attempt: QuizAttempt | OwnAttempt) -> QuizAttempt:
    """The attempt (re-)read with its row locked, with its enrolment: every write to an attempt
    is serialised on it. Its quiz is the page already read, or the one remembered."""
    rows = QuizAttempt.objects.select_for_update(of=("self",)).select_related("enrolment")
    if isinstance(attempt, OwnAttempt):
        locked = next(iter(rows.filter(pk=attempt.pk, enrolment__trainee=attempt.user)), None)
        if locked is None:
            raise Http404
        locked.quiz = quiz_page(locked.quiz_id)
        attempt.attempt = locked
        return locked
    locked = rows.get(pk=attempt.pk)
    locked.quiz = attempt.quiz
    return locked


def _expired(attempt: QuizAttempt, now: dt.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def _questions(attempt: QuizAttempt) -> dict[int, Question]:
    """The attempt's questions with their options, held in this process until the school's
    content changes (an edited question is one: core.freshness); every save and the grading
    read them, and nothing changes them."""
    ids = sorted(entry["question"] for entry in attempt.layout)
    return freshness.held(
        ("attempt-questions", *ids),
        [],
        lambda: Question.objects.prefetch_related("options").in_bulk(ids),
    )


def _merge_answers(attempt: QuizAttempt, data) -> dict[int, str]:
    """Validate what was sent and keep what is valid; returns messages by question id."""
    questions = _questions(attempt)
    errors: dict[int, str] = {}
    answers = dict(attempt.answers)
    for entry in attempt.layout:
        question = questions.get(entry["question"])
        if question is None:
            continue
        try:
            present, value = read_answer(question, entry, data)
        except AnswerError as error:
            errors[question.pk] = str(error)
            continue
        if present:
            answers[str(question.pk)] = value
    attempt.answers = answers
    return errors


def attempt_save(
    *, attempt: QuizAttempt | OwnAttempt, data, now: dt.datetime | None = None
) -> dict[int, str]:
    """Autosave: keep the valid answers sent. Raises QuizError once the attempt is over."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt)
        _check_studying(attempt)
        if not attempt.is_open:
            raise QuizError(_("This attempt is already submitted."))
        if _expired(attempt, now):
            _grade(attempt, now=now, timed_out=True)
            errors = None
        else:
            errors = _merge_answers(attempt, data)
            attempt.save(update_fields=["answers"])
    if errors is None:  # raised after the commit, so that the grading stands
        raise QuizError(
            _("Time is up: the attempt was graded with the answers saved before the deadline.")
        )
    return errors


def attempt_submit(
    *, attempt: QuizAttempt | OwnAttempt, data=None, now: dt.datetime | None = None
) -> tuple[QuizAttempt, dict[int, str]]:
    """Submit and grade, exactly once whatever the client does.

    A late submission keeps only what was saved in time. Invalid answers are reported and the
    attempt stays open, so that the trainee can correct them. Raises QuizError if the trainee no
    longer studies the programme.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt)
        if not attempt.is_open:
            return attempt, {}
        if _expired(attempt, now):
            _grade(attempt, now=now, timed_out=True)
            return attempt, {}
        _check_studying(attempt)
        errors = _merge_answers(attempt, data) if data is not None else {}
        if errors:
            attempt.save(update_fields=["answers"])
            return attempt, errors
        _grade(attempt, now=now)
    return attempt, {}


def close_if_expired(*, attempt: QuizAttempt, now: dt.datetime | None = None) -> QuizAttempt:
    now = now or timezone.now()
    if attempt.is_open and _expired(attempt, now):
        with transaction.atomic():
            attempt = _locked(attempt)
            if attempt.is_open:
                _grade(attempt, now=now, timed_out=True)
    return attempt


def _grade(attempt: QuizAttempt, *, now: dt.datetime, timed_out: bool = False) -> None:
    """Score the saved answers. Called with the attempt row locked and still open."""
    questions = _questions(attempt)
    score = max_score = Decimal("0")
    results = {}
    for entry in attempt.layout:
        question = questions.get(entry["question"])
        if question is None:
            continue
        earned = fraction(question, attempt.answers.get(str(question.pk)))
        results[str(question.pk)] = str(earned.quantize(Decimal("0.0001")))
        score += earned * question.points
        max_score += question.points
    attempt.score = score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.max_score = max_score
    attempt.percent = percent_of(score, max_score)
    attempt.results = results
    attempt.status = QuizAttempt.Status.GRADED
    attempt.submitted_at = min(now, attempt.deadline) if timed_out and attempt.deadline else now
    attempt.timed_out = timed_out
    attempt.save(update_fields=GRADED_FIELDS)
    if attempt.passed:
        activity_complete(
            enrolment=attempt.enrolment,
            activity=attempt.quiz,
            source=ActivityCompletion.Source.QUIZ,
            at=attempt.submitted_at,
        )
