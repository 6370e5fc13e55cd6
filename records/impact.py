"""What a change to a running programme does to the trainees studying it.

Publishing a new activity (or changing the hours of one, or publishing a module that brings its
activities with it) lowers the progress of every trainee who has not done it yet; a new quiz or
case counts 0 in the final grade until it is done; trainees who had met every requirement stop
counting as completed. Unpublishing or deleting an activity a trainee did takes its hours and its
grade away. `change_impact` is the one place that works this out, for the admin's confirmation
page and for the notification sent once the change is live.

Only active enrolments of a live programme count: a draft programme has nobody to affect, and a
withdrawn or completed trainee is no longer studying it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from wagtail.models import Page

from assessments.gradebook import (
    category_average,
    cohort_gradebook,
    exact_final_grade,
    shown_grade,
)
from assessments.models import QuizPage
from courses.curriculum import ProgramBreakdown, curriculum_breakdown
from courses.models import (
    ActivityCompletion,
    ActivityPage,
    CaseStudyPage,
    Cohort,
    Enrolment,
    ModulePage,
    ProgramPage,
)
from courses.progress import progress_of

from .completion import grade_reaches
from .selectors import trainee_record

ZERO = Decimal("0")


def has_completed(enrolment: Enrolment) -> bool:
    """Whether the trainee meets every completion rule now, as the record decides it."""
    return trainee_record(enrolment=enrolment).complete


@dataclass
class TraineeImpact:
    """One active trainee whose figures the change lowers."""

    enrolment_id: int
    trainee_id: int
    name: str
    progress_before: int
    progress_after: int
    grade_before: Decimal | None
    grade_after: Decimal | None
    loses_completion: bool = False

    @property
    def progress_falls(self) -> bool:
        return self.progress_after < self.progress_before

    @property
    def grade_falls(self) -> bool:
        # A programme with nothing graded yet has no grade; completion reads that as 0.
        return (self.grade_after or ZERO) < (self.grade_before or ZERO)

    def as_primitive(self) -> dict:
        """The figures a background task needs, as JSON (no Decimal, no model)."""
        return {
            "enrolment": self.enrolment_id,
            "progress_before": self.progress_before,
            "progress_after": self.progress_after,
            "grade_before": None if self.grade_before is None else str(self.grade_before),
            "grade_after": None if self.grade_after is None else str(self.grade_after),
            "loses_completion": self.loses_completion,
        }


@dataclass
class CohortImpact:
    cohort: Cohort
    active: int  # active trainees of the cohort
    trainees: list[TraineeImpact] = field(default_factory=list)  # the affected ones

    @property
    def progress_changes(self) -> list[tuple[int, int, int]]:
        """(from %, to %, how many trainees), the biggest groups first."""
        counts = Counter(
            (trainee.progress_before, trainee.progress_after)
            for trainee in self.trainees
            if trainee.progress_falls
        )
        return [
            (before, after, count)
            for (before, after), count in sorted(counts.items(), key=lambda item: (-item[1], item))
        ]

    @property
    def grade_falls(self) -> int:
        return sum(trainee.grade_falls for trainee in self.trainees)

    @property
    def completion_lost(self) -> int:
        return sum(trainee.loses_completion for trainee in self.trainees)


@dataclass
class ChangeImpact:
    """Who of the programme's active trainees the change affects, cohort by cohort."""

    program: ProgramPage | None = None
    cohorts: list[CohortImpact] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cohorts)

    @property
    def trainees(self) -> list[TraineeImpact]:
        return [trainee for cohort in self.cohorts for trainee in cohort.trainees]

    @property
    def completion_lost(self) -> int:
        return sum(cohort.completion_lost for cohort in self.cohorts)


def _program_of(page: Page) -> ProgramPage | None:
    if page.pk is None:
        return None
    return ProgramPage.objects.ancestor_of(page).first()


def _activity_hours(breakdown: ProgramBreakdown) -> dict[int, Decimal]:
    return {
        activity.id: activity.hours
        for module in breakdown.modules
        for activity in module.activities
    }


def change_impact(
    *, page: Page, unpublishing: bool = False, unpublished_with: Collection[Page] = ()
) -> ChangeImpact:
    """What publishing `page` as it is now (or unpublishing it, with `unpublished_with`) does.

    `page` is the version about to go live; the database holds what is live now. Empty when the
    programme is a draft, nobody active studies it, or the change moves no hours and no grades.
    """
    page = page.specific if type(page) is Page else page
    if not isinstance(page, ModulePage | ActivityPage):
        return ChangeImpact()
    program = _program_of(page)
    if program is None or not program.live:
        return ChangeImpact()
    enrolments = list(
        Enrolment.objects.filter(program=program, status=Enrolment.Status.ACTIVE)
        .select_related("trainee", "cohort__region")
        .order_by("cohort__name", "trainee__last_name", "trainee__first_name")
    )
    if not enrolments:
        return ChangeImpact(program=program)

    withdrawn = [page, *unpublished_with] if unpublishing else []
    before = curriculum_breakdown(program)
    after = curriculum_breakdown(
        program, pending=None if unpublishing else page, withdrawn=withdrawn
    )
    hours_before, hours_after = _activity_hours(before), _activity_hours(after)

    # Graded items the change adds or takes away. The gradebook counts every live quiz and case
    # of the programme, so a module going live adds no graded item, and only a graded page
    # becoming live adds one.
    added_items: dict[int, str] = {}
    removed_items: set[int] = set()
    if unpublishing:
        for item in withdrawn:
            removed_items.add(item.pk)
            removed_items.update(
                ActivityPage.objects.descendant_of(item).values_list("pk", flat=True)
            )
    elif isinstance(page, QuizPage | CaseStudyPage) and not (
        Page.objects.filter(pk=page.pk, live=True).exists()
    ):
        added_items[page.pk] = "quiz" if isinstance(page, QuizPage) else "case"
    if hours_before == hours_after and not added_items and not removed_items:
        return ChangeImpact(program=program)  # a change of words only

    done: dict[int, set[int]] = {enrolment.pk: set() for enrolment in enrolments}
    for enrolment_id, activity_id in ActivityCompletion.objects.filter(
        enrolment__in=enrolments
    ).values_list("enrolment_id", "activity_id"):
        done[enrolment_id].add(activity_id)

    impact = ChangeImpact(program=program)
    by_cohort: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    for cohort_enrolments in by_cohort.values():
        cohort = cohort_enrolments[0].cohort
        gradebook = cohort_gradebook(cohort)
        rows = {row.enrolment.pk: row for row in gradebook.rows}
        items = [
            (item.id, item.category) for item in gradebook.items if item.id not in removed_items
        ]
        items += [item for item in added_items.items() if item[0] not in dict(items)]
        cohort_impact = CohortImpact(cohort=cohort, active=len(cohort_enrolments))
        for enrolment in cohort_enrolments:
            row = rows[enrolment.pk]
            exact_after = exact_final_grade(
                category_average([row.cells.get(pk) for pk, kind in items if kind == "quiz"]),
                category_average([row.cells.get(pk) for pk, kind in items if kind == "case"]),
                program.quiz_weight,
                program.case_weight,
            )
            grade_after = shown_grade(exact_after)
            trainee = TraineeImpact(
                enrolment_id=enrolment.pk,
                trainee_id=enrolment.trainee_id,
                name=enrolment.trainee.full_name,
                progress_before=progress_of(before, done[enrolment.pk]).percent,
                progress_after=progress_of(after, done[enrolment.pk]).percent,
                grade_before=row.final,
                grade_after=grade_after,
            )
            missing_after = any(pk not in done[enrolment.pk] for pk in hours_after)
            fails_after = missing_after or not grade_reaches(exact_after, program.pass_mark)
            # Only someone who has done every activity can have completed: the cheap test first,
            # so that the full completion check runs for the few who are nearly done.
            if fails_after and all(pk in done[enrolment.pk] for pk in hours_before):
                trainee.loses_completion = has_completed(enrolment)
            if trainee.progress_falls or trainee.grade_falls or trainee.loses_completion:
                cohort_impact.trainees.append(trainee)
        if cohort_impact.trainees:
            impact.cohorts.append(cohort_impact)
    return impact
