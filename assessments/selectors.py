"""Reads of quizzes and attempts, scoped to who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from courses.models import Enrolment
from courses.selectors import enrolment_for

from .answers import field_name
from .models import (
    AttemptPolicy,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizPage,
    ReviewPolicy,
)


def counted_percent(attempts: list[QuizAttempt], policy: str) -> Decimal | None:
    """The quiz's result under its policy: best, last or average of the graded attempts."""
    graded = [attempt.percent for attempt in attempts if attempt.percent is not None]
    if not graded:
        return None
    if policy == AttemptPolicy.LAST:
        return graded[-1]
    if policy == AttemptPolicy.AVERAGE:
        return (sum(graded) / len(graded)).quantize(Decimal("0.1"))
    return max(graded)


def review_allowed(quiz: QuizPage, attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    """Whether correct answers may be shown for this attempt now."""
    if attempt.is_open:
        return False
    if quiz.review_policy == ReviewPolicy.AFTER_ATTEMPT:
        return True
    if quiz.review_policy == ReviewPolicy.AFTER_CLOSE:
        return quiz.closes_at is not None and (now or timezone.now()) >= quiz.closes_at
    return False


@dataclass
class QuizOverview:
    enrolment: Enrolment | None = None
    attempts: list[QuizAttempt] = field(default_factory=list)
    attempts_left: int = 0
    open_attempt: QuizAttempt | None = None
    counted: Decimal | None = None
    passed: bool = False
    closed: bool = False
    question_count: int = 0

    @property
    def can_start(self) -> bool:
        return (
            self.enrolment is not None
            and self.enrolment.status == Enrolment.Status.ACTIVE
            and not self.closed
            and (self.open_attempt is not None or self.attempts_left > 0)
        )


def quiz_overview(*, user, quiz: QuizPage) -> QuizOverview:
    enrolment = enrolment_for(user, quiz.program)
    closed = quiz.closes_at is not None and timezone.now() >= quiz.closes_at
    overview = QuizOverview(enrolment=enrolment, closed=closed)
    if enrolment is None:
        return overview
    overview.attempts = list(
        QuizAttempt.objects.filter(quiz=quiz, enrolment=enrolment).order_by("number")
    )
    overview.open_attempt = next((a for a in overview.attempts if a.is_open), None)
    overview.attempts_left = max(quiz.attempts_allowed - len(overview.attempts), 0)
    overview.counted = counted_percent(overview.attempts, quiz.attempt_policy)
    overview.passed = overview.counted is not None and overview.counted >= quiz.pass_mark
    return overview


def attempt_of(user, pk: int) -> QuizAttempt:
    """The user's own attempt; anyone else's is not found."""
    attempt = (
        QuizAttempt.objects.select_related("quiz", "enrolment")
        .filter(pk=pk, enrolment__trainee=user)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


@dataclass
class Choice:
    """An option, pair or item as an attempt shows it: by its token, never by its id."""

    option: QuestionOption
    token: str

    @property
    def text(self) -> str:
        return self.option.text

    @property
    def match_text(self) -> str:
        return self.option.match_text


@dataclass
class ShownQuestion:
    """A question as the trainee sees it: choices in the attempt's order, never their truth."""

    question: Question
    options: list[Choice]
    pairs: list[Choice] = field(default_factory=list)
    answer: object = None
    earned: Decimal | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return field_name(self.question.pk)

    def _token(self, choices: list[Choice], pk) -> str | None:
        return next((choice.token for choice in choices if str(choice.option.pk) == str(pk)), None)

    @property
    def chosen(self) -> set[str]:
        """Tokens of the options chosen in a single or multiple choice."""
        values = self.answer if isinstance(self.answer, list) else [self.answer]
        return {self._token(self.options, value) for value in values if value not in (None, "")}

    @property
    def matching_rows(self) -> list[tuple[Choice, str | None]]:
        """(left-hand row, token of the pair chosen for it) for a matching question."""
        answer = self.answer if isinstance(self.answer, dict) else {}
        return [
            (row, self._token(self.pairs, answer.get(str(row.option.pk)))) for row in self.options
        ]

    @property
    def ordering_rows(self) -> list[tuple[Choice, int | None]]:
        """(item, position chosen for it) for an ordering question."""
        order = [int(value) for value in self.answer] if isinstance(self.answer, list) else []
        return [
            (item, order.index(item.option.pk) + 1 if item.option.pk in order else None)
            for item in self.options
        ]

    @property
    def positions(self) -> range:
        return range(1, len(self.options) + 1)

    @property
    def correct_order(self) -> list[QuestionOption]:
        return list(self.question.options.all())

    @property
    def earned_points(self) -> Decimal | None:
        if self.earned is None:
            return None
        return (self.earned * self.question.points).quantize(Decimal("0.01"))

    @property
    def first_accepted(self) -> str:
        return next(
            (line.strip() for line in self.question.accepted_answers.splitlines() if line.strip()),
            "",
        )


def shown_questions(
    attempt: QuizAttempt, errors: dict[int, str] | None = None
) -> list[ShownQuestion]:
    questions = Question.objects.prefetch_related("options").in_bulk(
        [entry["question"] for entry in attempt.layout]
    )
    shown = []
    for entry in attempt.layout:
        question = questions.get(entry["question"])
        if question is None:
            continue
        by_id = {option.pk: option for option in question.options.all()}

        def choices(rows: list[dict], by_id=by_id) -> list[Choice]:
            # An option deleted since the attempt started is left out rather than failing.
            return [Choice(by_id[row["id"]], row["token"]) for row in rows if row["id"] in by_id]

        earned = attempt.results.get(str(question.pk))
        shown.append(
            ShownQuestion(
                question=question,
                options=choices(entry.get("options", [])),
                pairs=choices(entry.get("pairs", [])),
                answer=attempt.answers.get(str(question.pk)),
                earned=Decimal(earned) if earned is not None else None,
                error=(errors or {}).get(question.pk, ""),
            )
        )
    return shown


# Case work ---------------------------------------------------------------------------------


@dataclass
class CaseWorkState:
    """What the case study page shows a trainee about their work."""

    enrolment: Enrolment | None = None
    submission: object = None
    can_change: bool = False
    deadline: dt.datetime | None = None
    tasks: list = field(default_factory=list)  # (task, the trainee's answer)
    grade: object = None  # only once released


def casework_state(*, user, case, draft: dict | None = None) -> CaseWorkState:
    from .casework import can_change, submission_deadline
    from .models import CaseSubmission

    enrolment = enrolment_for(user, case.program)
    if enrolment is None:
        return CaseWorkState()
    submission = (
        CaseSubmission.objects.filter(enrolment=enrolment, case=case)
        .select_related("grade")
        .prefetch_related("files")
        .first()
    )
    answers = {**(submission.answers if submission else {}), **(draft or {})}
    grade = getattr(submission, "grade", None) if submission else None
    return CaseWorkState(
        enrolment=enrolment,
        submission=submission,
        can_change=can_change(submission, enrolment, timezone.now()),
        deadline=submission_deadline(enrolment),
        tasks=[(task, answers.get(str(task.pk), "")) for task in case.tasks.all()],
        grade=grade if grade is not None and grade.is_released else None,
    )


def grading_queue(cohort):
    """The cohort's submitted work: waiting first (oldest first), then graded."""
    from .models import CaseSubmission

    return (
        CaseSubmission.objects.filter(enrolment__cohort=cohort)
        .exclude(status=CaseSubmission.Status.DRAFT)
        .select_related("enrolment__trainee", "case", "grade")
        .order_by("status", "submitted_at")
    )


def submission_visible_to(user, pk: int):
    """A submission the user may look at: its trainee, the cohort's followers."""
    from courses.selectors import cohorts_visible_to, follows_cohorts

    from .models import CaseSubmission

    submission = (
        CaseSubmission.objects.select_related(
            "enrolment__trainee", "enrolment__cohort__region", "case"
        )
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404
    if submission.enrolment.trainee_id == user.pk:
        return submission
    if (
        follows_cohorts(user)
        and cohorts_visible_to(user).filter(pk=submission.enrolment.cohort_id).exists()
    ):
        return submission
    raise Http404
