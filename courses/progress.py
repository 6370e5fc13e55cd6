"""How far trainees have come: hours done against the programme's published hours.

Reads only; every figure a trainee, an instructor or an official sees about progress comes from
here, so that they all agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from .curriculum import ActivityHours, HoursSplit, ProgramBreakdown, curriculum_breakdown
from .models import ActivityCompletion, ActivityPage, Cohort, Enrolment, ModulePage, ProgramPage
from .selectors import enrolment_for

ZERO = Decimal("0")


@dataclass
class Progress(HoursSplit):
    """Hours done, split by kind, out of the programme's published hours."""

    of: ProgramBreakdown | None = None

    @property
    def percent(self) -> int:
        return _percent(self.total_hours, self.of.total_hours if self.of else ZERO)

    @property
    def practice_percent(self) -> int:
        return _percent(self.practice_hours, self.of.practice_hours if self.of else ZERO)

    @property
    def theory_percent(self) -> int:
        return _percent(self.theory_hours, self.of.theory_hours if self.of else ZERO)


def _percent(done: Decimal, of: Decimal) -> int:
    """Whole per cent, rounded down: 99 % until everything is really done."""
    return int(done * 100 / of) if of else 0


@dataclass
class ProgramProgress:
    enrolment: Enrolment
    breakdown: ProgramBreakdown
    done: Progress
    completed: dict[int, datetime] = field(default_factory=dict)

    @property
    def next_activity(self) -> ActivityHours | None:
        for module in self.breakdown.modules:
            for activity in module.activities:
                if activity.id not in self.completed:
                    return activity
        return None


def progress_of(breakdown: ProgramBreakdown, completed: Collection[int]) -> Progress:
    """The hours of the breakdown's activities that are among `completed` (activity ids)."""
    progress = Progress(of=breakdown)
    for module in breakdown.modules:
        for activity in module.activities:
            if activity.id in completed:
                progress.add(activity.hours, activity.kind)
    return progress


def learning_overview(user) -> list[ProgramProgress]:
    """The trainee's programmes with their progress: "Моё обучение".

    One query for the enrolments, two per programme for its hours, one for all completions.
    """
    enrolments = list(
        Enrolment.objects.filter(trainee=user, program__live=True)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cohort__region", "program")
        .order_by("status", "-enrolled_on")
    )
    if not enrolments:
        return []
    completed: dict[int, dict[int, datetime]] = {enrolment.pk: {} for enrolment in enrolments}
    for row in ActivityCompletion.objects.filter(enrolment__in=enrolments).values(
        "enrolment_id", "activity_id", "completed_at"
    ):
        completed[row["enrolment_id"]][row["activity_id"]] = row["completed_at"]
    overview = []
    breakdowns: dict[int, ProgramBreakdown] = {}
    for enrolment in enrolments:
        if enrolment.program_id not in breakdowns:
            breakdowns[enrolment.program_id] = curriculum_breakdown(enrolment.program)
        breakdown = breakdowns[enrolment.program_id]
        done = completed[enrolment.pk]
        overview.append(
            ProgramProgress(
                enrolment=enrolment,
                breakdown=breakdown,
                done=progress_of(breakdown, done),
                completed=done,
            )
        )
    return overview


def withdrawals_of(user) -> list[Enrolment]:
    """The trainee's withdrawn enrolments in programmes they no longer study at all.

    A trainee withdrawn from one cohort and studying the programme in another sees that one;
    "Моё обучение" tells the others that they were withdrawn, from where and when.
    """
    studying = Enrolment.objects.filter(trainee=user).exclude(status=Enrolment.Status.WITHDRAWN)
    return list(
        Enrolment.objects.filter(trainee=user, status=Enrolment.Status.WITHDRAWN)
        .exclude(program__in=studying.values("program"))
        .select_related("cohort__region", "program")
        .order_by("-withdrawn_on", "-pk")
    )


@dataclass
class ActivityState:
    page: ActivityPage
    completed_at: datetime | None = None
    source: str = ""

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


def module_activities(user, module: ModulePage, program: ProgramPage) -> list[ActivityState]:
    """The module's published activities in order, each with the trainee's state."""
    activities = list(ActivityPage.objects.child_of(module).live().order_by("path").specific())
    enrolment = enrolment_for(user, program)
    completions = {}
    if enrolment is not None and activities:
        completions = {
            row["activity_id"]: row
            for row in ActivityCompletion.objects.filter(
                enrolment=enrolment, activity__in=[activity.pk for activity in activities]
            ).values("activity_id", "completed_at", "source")
        }
    states = []
    for activity in activities:
        row = completions.get(activity.pk)
        states.append(
            ActivityState(
                page=activity,
                completed_at=row["completed_at"] if row else None,
                source=row["source"] if row else "",
            )
        )
    return states


@dataclass(frozen=True)
class ActivityNeighbours:
    """The activities just before and after one, in the programme's order (None at an end)."""

    previous: ActivityHours | None = None
    next: ActivityHours | None = None


def activity_neighbours(
    *, activity: ActivityPage, program: ProgramPage | None = None
) -> ActivityNeighbours:
    """Where "previous" and "next" lead from `activity`: module order, then activity order.

    Only what a trainee can reach counts, by the same rule as the hours (`curriculum_breakdown`:
    live activities in live modules), so a draft or an unpublished module is skipped. Compared by
    tree path, so that a page not in the list (a draft in preview) still finds its neighbours.
    Three queries whatever the size of the programme (two with `program` given).
    """
    if not activity.path:  # a new page in preview: not in the tree yet
        return ActivityNeighbours()
    program = program if program is not None else activity.program
    if program is None:
        return ActivityNeighbours()
    ordered = [
        item for module in curriculum_breakdown(program).modules for item in module.activities
    ]
    before = [item for item in ordered if item.path < activity.path]
    after = [item for item in ordered if item.path > activity.path]
    return ActivityNeighbours(
        previous=before[-1] if before else None, next=after[0] if after else None
    )


@dataclass
class LessonState:
    """Whether the user can mark this activity studied, and whether they have."""

    can_mark: bool = False
    completed_at: datetime | None = None


def activity_state(user, activity: ActivityPage) -> LessonState:
    enrolment = enrolment_for(user, activity.program)
    if enrolment is None:
        return LessonState()
    completion = (
        ActivityCompletion.objects.filter(enrolment=enrolment, activity_id=activity.pk)
        .values_list("completed_at", flat=True)
        .first()
    )
    return LessonState(
        can_mark=enrolment.status == Enrolment.Status.ACTIVE and completion is None,
        completed_at=completion,
    )


@dataclass
class RosterRow:
    enrolment: Enrolment
    done: Progress


def cohort_roster(cohort: Cohort) -> tuple[ProgramBreakdown, list[RosterRow]]:
    """Every trainee of the cohort with their hours done. Four queries whatever the size."""
    breakdown = curriculum_breakdown(cohort.program)
    hours = {
        activity.id: activity for module in breakdown.modules for activity in module.activities
    }
    enrolments: QuerySet[Enrolment] = cohort.enrolments.select_related("trainee").order_by(
        "status", "trainee__last_name", "trainee__first_name"
    )
    done: dict[int, dict[int, datetime]] = {}
    for row in ActivityCompletion.objects.filter(enrolment__cohort=cohort).values(
        "enrolment_id", "activity_id", "completed_at"
    ):
        if row["activity_id"] in hours:
            done.setdefault(row["enrolment_id"], {})[row["activity_id"]] = row["completed_at"]
    return breakdown, [
        RosterRow(enrolment=enrolment, done=progress_of(breakdown, done.get(enrolment.pk, {})))
        for enrolment in enrolments
    ]
