"""The gradebook: every trainee of a cohort × every graded item, and the final grade.

The final grade follows the programme's published policy: the average of the quizzes and the
average of the case work, weighted; an item not yet done counts as 0. Only released case grades
count. Everything is computed from the attempts and grades as they are, so a regrade shows at once.

Whether a trainee has passed is not decided here: the trainee's record (`records`) compares the
exact final grade with the pass mark, beside the other completion rules, and the gradebook page
and its exports show its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from courses.models import CaseStudyPage, Cohort, Enrolment

from .models import CaseGrade, QuizAttempt, QuizPage
from .selectors import counted_percent

TENTH = Decimal("0.1")


@dataclass
class GradebookItem:
    id: int
    title: str
    category: str  # "quiz" or "case"


@dataclass
class GradebookRow:
    enrolment: Enrolment
    cells: dict[int, Decimal | None] = field(default_factory=dict)
    pending: set[int] = field(default_factory=set)  # graded case work not yet released
    quiz_average: Decimal | None = None
    case_average: Decimal | None = None
    final: Decimal | None = None  # rounded to a tenth, as shown
    # The same grade unrounded: 59.96 shows as 60.0 but does not reach a pass mark of 60.
    final_exact: Fraction | None = None
    columns: list[tuple[Decimal | None, bool]] = field(default_factory=list)  # in item order


@dataclass
class Gradebook:
    cohort: Cohort
    items: list[GradebookItem]
    rows: list[GradebookRow]
    quiz_weight: int
    case_weight: int
    pass_mark: int


def category_average(values: list[Decimal | None]) -> Fraction | None:
    """The exact average of one category's items (quizzes or case work); one not done counts 0."""
    if not values:
        return None
    return sum((Fraction(value or 0) for value in values), Fraction(0)) / len(values)


def shown_grade(value: Fraction | None) -> Decimal | None:
    """A tenth of a per cent, half up, as the gradebook shows it."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TENTH, ROUND_HALF_UP)


def exact_final_grade(
    quiz_average: Fraction | Decimal | None,
    case_average: Fraction | Decimal | None,
    quiz_weight: int,
    case_weight: int,
) -> Fraction | None:
    """The weighted final grade, unrounded; a category with no items drops out of the weights."""
    parts = [
        (Fraction(average), weight)
        for average, weight in ((quiz_average, quiz_weight), (case_average, case_weight))
        if average is not None
    ]
    total_weight = sum(weight for _average, weight in parts)
    if not total_weight:
        return None
    return sum((average * weight for average, weight in parts), Fraction(0)) / total_weight


def cohort_gradebook(cohort: Cohort, *, only: Enrolment | None = None) -> Gradebook:
    """Five queries whatever the number of trainees and items; `only` narrows it to one trainee."""
    program = cohort.program
    quizzes = list(QuizPage.objects.live().descendant_of(program).order_by("path"))
    cases = list(
        CaseStudyPage.objects.live().descendant_of(program).order_by("path").only("id", "title")
    )
    items = [GradebookItem(quiz.pk, quiz.title, "quiz") for quiz in quizzes] + [
        GradebookItem(case.pk, case.title, "case") for case in cases
    ]
    enrolment_rows = cohort.enrolments.select_related("trainee").order_by(
        "status", "trainee__last_name", "trainee__first_name"
    )
    if only is not None:
        enrolment_rows = enrolment_rows.filter(pk=only.pk)
    enrolments = list(enrolment_rows)
    rows = {enrolment.pk: GradebookRow(enrolment=enrolment) for enrolment in enrolments}

    attempts: dict[tuple[int, int], list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(
        enrolment__in=enrolments, status=QuizAttempt.Status.GRADED
    ).order_by("number"):
        attempts.setdefault((attempt.enrolment_id, attempt.quiz_id), []).append(attempt)
    for quiz in quizzes:
        for row in rows.values():
            row.cells[quiz.pk] = counted_percent(
                attempts.get((row.enrolment.pk, quiz.pk), []), quiz.attempt_policy
            )
    for grade in CaseGrade.objects.filter(submission__enrolment__in=enrolments).values(
        "submission__enrolment_id", "submission__case_id", "percent", "released_at"
    ):
        row = rows.get(grade["submission__enrolment_id"])
        if row is None:
            continue
        if grade["released_at"] is None:
            row.pending.add(grade["submission__case_id"])
        else:
            row.cells[grade["submission__case_id"]] = grade["percent"]

    for row in rows.values():
        quiz_average = category_average([row.cells.get(quiz.pk) for quiz in quizzes])
        case_average = category_average([row.cells.get(case.pk) for case in cases])
        row.quiz_average, row.case_average = shown_grade(quiz_average), shown_grade(case_average)
        row.final_exact = exact_final_grade(
            quiz_average, case_average, program.quiz_weight, program.case_weight
        )
        row.final = shown_grade(row.final_exact)
        row.columns = [(row.cells.get(item.id), item.id in row.pending) for item in items]
    return Gradebook(
        cohort=cohort,
        items=items,
        rows=list(rows.values()),
        quiz_weight=program.quiz_weight,
        case_weight=program.case_weight,
        pass_mark=program.pass_mark,
    )
