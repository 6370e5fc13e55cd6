"""Reads of quizzes and attempts, scoped to who asks.

Quiz parts: the trainee's overview of a quiz, their own attempts, the questions of an attempt as
the take and summary pages show them (choices by token, never their truth), the timer counted on
the server's clock, and the review of a graded attempt — built only once the review policy allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import freshness
from courses.models import Enrolment
from courses.selectors import enrolment_for

from .answers import field_name
from .models import (
    AttemptPolicy,
    Question,
    QuestionKind,
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
    review_rule: str = ""

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
    overview = QuizOverview(enrolment=enrolment, closed=closed, review_rule=review_rule_text(quiz))
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
    """The user's own attempt, with its enrolment and quiz; anyone else's is not found."""
    rows = QuizAttempt.objects.select_related("enrolment").filter(pk=pk, enrolment__trainee=user)
    attempt = next(iter(rows), None)
    if attempt is None:
        raise Http404
    attempt.quiz = quiz_page(attempt.quiz_id)
    return attempt


def quiz_page(pk: int) -> QuizPage:
    """A quiz's page, held in this process until the school's pages change (core.freshness): an
    attempt's every save and its submission read its settings, and the page is a join of three
    tables."""
    return freshness.held(("quiz-page", pk), [], lambda: QuizPage.objects.get(pk=pk))


class AnswerState:
    """How far a question of an open attempt is answered (what the summary page lists)."""

    ANSWERED = "answered"
    INCOMPLETE = "incomplete"  # matching or ordering with some rows left empty
    UNANSWERED = "unanswered"


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
    number: int = 0  # its place in the attempt, from 1

    @property
    def name(self) -> str:
        return field_name(self.question.pk)

    @property
    def state(self) -> str:
        """Whether the saved answer is there: by its presence alone, never by its truth."""
        if self.answer in (None, "", [], {}):
            return AnswerState.UNANSWERED
        kind = self.question.kind
        if kind == QuestionKind.MATCHING and len(self.answer) < len(self.options):
            return AnswerState.INCOMPLETE
        if kind == QuestionKind.ORDERING and len(self.answer) < len(self.options):
            return AnswerState.INCOMPLETE
        return AnswerState.ANSWERED

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
                number=len(shown) + 1,
                question=question,
                options=choices(entry.get("options", [])),
                pairs=choices(entry.get("pairs", [])),
                answer=attempt.answers.get(str(question.pk)),
                earned=Decimal(earned) if earned is not None else None,
                error=(errors or {}).get(question.pk, ""),
            )
        )
    return shown


@dataclass
class AttemptSummary:
    """The page before submitting: every question's state, and those still to answer."""

    questions: list[ShownQuestion]

    @property
    def unanswered(self) -> list[ShownQuestion]:
        return [item for item in self.questions if item.state != AnswerState.ANSWERED]


def attempt_summary(*, attempt: QuizAttempt) -> AttemptSummary:
    return AttemptSummary(questions=shown_questions(attempt))


# The timer -----------------------------------------------------------------------------------

# The attempt page warns when less than this is left (in seconds): first gently, then urgently.
TIMER_WARNING_SECONDS = 5 * 60
TIMER_DANGER_SECONDS = 60


def seconds_left(attempt: QuizAttempt, now: dt.datetime | None = None) -> int | None:
    """Whole seconds until the attempt's deadline by the server's clock; None without a limit.

    The page counts down from this number, not from the browser's clock, which may be wrong.
    """
    if attempt.deadline is None:
        return None
    left = (attempt.deadline - (now or timezone.now())).total_seconds()
    return max(0, int(left))


def clock_text(seconds: int) -> str:
    """ "14:05", or "1:02:09" from an hour up — as quiz.js writes it."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@dataclass
class AttemptTimer:
    """What the sticky timer of an attempt shows when the page is rendered."""

    seconds: int
    warning_text: str
    danger_text: str
    warning_at: int = TIMER_WARNING_SECONDS
    danger_at: int = TIMER_DANGER_SECONDS

    @property
    def level(self) -> str:
        if self.seconds < self.danger_at:
            return "danger"
        if self.seconds < self.warning_at:
            return "warning"
        return ""

    @property
    def text(self) -> str:
        return {"danger": self.danger_text, "warning": self.warning_text}.get(self.level, "")

    @property
    def clock(self) -> str:
        return clock_text(self.seconds)


def attempt_timer(attempt: QuizAttempt, now: dt.datetime | None = None) -> AttemptTimer | None:
    seconds = seconds_left(attempt, now)
    if seconds is None:
        return None
    warn, danger = TIMER_WARNING_SECONDS // 60, TIMER_DANGER_SECONDS // 60
    return AttemptTimer(
        seconds=seconds,
        warning_text=ngettext(
            "Less than %(count)s minute left.", "Less than %(count)s minutes left.", warn
        )
        % {"count": warn},
        danger_text=ngettext(
            "Less than %(count)s minute left: when time is up, the attempt is submitted "
            "with the answers saved.",
            "Less than %(count)s minutes left: when time is up, the attempt is submitted "
            "with the answers saved.",
            danger,
        )
        % {"count": danger},
    )


# The review of a graded attempt ---------------------------------------------------------------


class Mark:
    """How a question (or one row of it) was answered, as the review says it."""

    RIGHT = "right"
    PARTLY = "partly"
    WRONG = "wrong"


def mark_of(earned: Decimal | None) -> str:
    if earned is None or earned <= 0:
        return Mark.WRONG
    return Mark.RIGHT if earned >= 1 else Mark.PARTLY


@dataclass
class ReviewChoice:
    """An option of a choice question: chosen by the trainee, correct, both or neither."""

    text: str
    chosen: bool
    correct: bool

    @property
    def mark(self) -> str | None:
        if self.chosen:
            return Mark.RIGHT if self.correct else Mark.WRONG
        return None


@dataclass
class ReviewRow:
    """A row of a matching or ordering question: the trainee's answer beside the right one."""

    label: str
    given: str | None
    correct: str
    mark: str


@dataclass
class QuestionReview:
    """A graded question as the review shows it, once the quiz's review policy allows."""

    item: ShownQuestion
    mark: str
    choices: list[ReviewChoice] = field(default_factory=list)
    rows: list[ReviewRow] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)

    @property
    def question(self) -> Question:
        return self.item.question

    @property
    def number(self) -> int:
        return self.item.number

    @property
    def answer(self):
        return self.item.answer

    @property
    def earned_points(self) -> Decimal:
        return self.item.earned_points or Decimal("0")

    @property
    def numeric_answer(self) -> Decimal | None:
        return _plain(self.question.numeric_answer)

    @property
    def numeric_tolerance(self) -> Decimal | None:
        return _plain(self.question.numeric_tolerance) or None


def _plain(value: Decimal | None) -> Decimal | None:
    """18.0000 → 18, 0.5000 → 0.5: a number as an author would write it."""
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _row_mark(right: bool) -> str:
    return Mark.RIGHT if right else Mark.WRONG


def _review(item: ShownQuestion) -> QuestionReview:
    question = item.question
    review = QuestionReview(item=item, mark=mark_of(item.earned))
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        chosen = item.answer if isinstance(item.answer, list) else [item.answer]
        chosen_ids = {int(value) for value in chosen if value not in (None, "")}
        review.choices = [
            ReviewChoice(
                choice.text,
                chosen=choice.option.pk in chosen_ids,
                correct=choice.option.is_correct,
            )
            for choice in item.options
        ]
    elif kind == QuestionKind.MATCHING:
        answer = item.answer if isinstance(item.answer, dict) else {}
        by_id = {choice.option.pk: choice.option for choice in item.pairs}
        for row in item.options:
            given_id = answer.get(str(row.option.pk))
            given = by_id.get(int(given_id)) if given_id not in (None, "") else None
            review.rows.append(
                ReviewRow(
                    label=row.text,
                    given=given.match_text if given else None,
                    correct=row.option.match_text,
                    mark=_row_mark(given is not None and given.pk == row.option.pk),
                )
            )
    elif kind == QuestionKind.ORDERING:
        # As graded: the saved list is the trainee's order, its index the position.
        given = [int(value) for value in item.answer] if isinstance(item.answer, list) else []
        texts = {choice.option.pk: choice.text for choice in item.options}
        for index, option in enumerate(item.correct_order):
            given_id = given[index] if index < len(given) else None
            review.rows.append(
                ReviewRow(
                    label=str(index + 1),
                    given=texts.get(given_id) if given_id is not None else None,
                    correct=option.text,
                    mark=_row_mark(given_id == option.pk),
                )
            )
    elif kind == QuestionKind.SHORT_TEXT:
        review.accepted = [
            line.strip() for line in question.accepted_answers.splitlines() if line.strip()
        ]
    return review


def attempt_review(*, attempt: QuizAttempt, now: dt.datetime | None = None) -> list[QuestionReview]:
    """Every question of a graded attempt with the trainee's answer, the right one and the mark.

    Empty until the quiz's review policy allows: correct answers must not reach the page before.
    """
    if not review_allowed(attempt.quiz, attempt, now):
        return []
    return [_review(item) for item in shown_questions(attempt)]


def _moment(value: dt.datetime) -> str:
    """«12 декабря 2026, 18:00», in the site's time zone."""
    return formats.date_format(timezone.localtime(value), "j E Y, H:i")


def review_rule_text(quiz: QuizPage) -> str:
    """The rule «when are correct answers shown», as the quiz page states it before a start."""
    if quiz.review_policy == ReviewPolicy.AFTER_ATTEMPT:
        return _("Correct answers are shown after each attempt.")
    if quiz.review_policy == ReviewPolicy.AFTER_CLOSE:
        if quiz.closes_at is None:
            return _(
                "Correct answers are shown after the quiz closes; its closing date is not set yet."
            )
        return _("Correct answers are shown after the quiz closes, on %(date)s.") % {
            "date": _moment(quiz.closes_at)
        }
    return _("Correct answers are not shown.")


def review_deferred_text(quiz: QuizPage) -> str:
    """What the result page says when the review is not (yet) shown."""
    if quiz.review_policy == ReviewPolicy.AFTER_CLOSE:
        if quiz.closes_at is None:
            return _(
                "Correct answers will be shown after the quiz closes; its closing date is not "
                "set yet."
            )
        return _("Correct answers will be shown after %(date)s.") % {
            "date": _moment(quiz.closes_at)
        }
    return _("Correct answers are not shown for this quiz.")


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
