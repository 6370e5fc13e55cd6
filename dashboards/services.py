"""Writing the dashboards' rollups: one refresh per cohort, and the full rebuild.

`refresh_cohort_figures` is the only writer of `TraineeFigures`, `CohortFigures` and
`WeeklyCompletions`. It asks `records.selectors.cohort_records` for every trainee's record —
the one completion service — and copies what it says, adding only what the record does not
carry (the last activity, the certificate in force). The signals call it after a change
commits; `rebuild_figures` calls it for every cohort, and is what repairs figures whose
refresh failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from assessments.models import CaseGrade, CaseSubmission, QuizAttempt
from certificates.models import Certificate
from courses.models import Cohort, Enrolment
from records.completion import attendance_reaches, grade_reaches
from records.selectors import cohort_records
from schedule.models import Attendance, Session
from schedule.selectors import ATTENDED

from .models import (
    CohortFigures,
    FiguresInvalidation,
    Standing,
    TraineeFigures,
    WeeklyCompletions,
)

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
# An advisory-lock namespace of our own (the first key), the cohort's id the second: two
# refreshes of one cohort run one after the other, the second reading what the first missed.
LOCK_NAMESPACE = 1_207_001

TRAINEE_FIELDS = [
    field.name
    for field in TraineeFigures._meta.concrete_fields
    if field.name not in ("enrolment", "updated_at")
]
COHORT_FIELDS = [
    field.name
    for field in CohortFigures._meta.concrete_fields
    if field.name not in ("cohort", "updated_at")
]


def week_start(moment: dt.datetime) -> dt.date:
    """The Monday of the ISO week of `moment`, on the school's clock."""
    day = timezone.localdate(moment)
    return day - dt.timedelta(days=day.weekday())


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _by_enrolment(queryset, field: str) -> dict[int, dt.datetime]:
    return dict(
        queryset.values("enrolment_id").annotate(at=Max(field)).values_list("enrolment_id", "at")
    )


def _lock(cohort_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, cohort_id])


@transaction.atomic
def refresh_cohort_figures(
    *, cohort_id: int, now: dt.datetime | None = None, only_invalidated: bool = False
) -> CohortFigures | None:
    """Recompute one cohort's rows from the completion service and store them.

    With `only_invalidated`, a cohort with no invalidation left is not recomputed (None): the
    refresh that deleted them ran after the changes that wrote them had committed, and saw them.

    A fixed number of queries whatever the cohort's size (27, asserted: the records take ten,
    the facts the record lacks six, the lock, the cohort and the writes the rest). The
    invalidations seen at the start are deleted at the end: one written meanwhile (by a change
    this refresh may have missed) stays, and that change's own refresh follows.
    """
    now = now or timezone.now()
    _lock(cohort_id)
    seen = list(
        FiguresInvalidation.objects.filter(cohort_id=cohort_id).values_list("pk", flat=True)
    )
    if only_invalidated and not seen:
        return None
    cohort = Cohort.objects.select_related("program", "region").get(pk=cohort_id)
    program = cohort.program
    view = cohort_records(cohort=cohort, now=now)
    activities_total = sum(len(module.activities) for module in view.breakdown.modules)
    graded_items = len(view.gradebook.items)

    attempts = _by_enrolment(
        QuizAttempt.objects.filter(enrolment__cohort_id=cohort_id, submitted_at__isnull=False),
        "submitted_at",
    )
    submissions = _by_enrolment(
        CaseSubmission.objects.filter(enrolment__cohort_id=cohort_id, submitted_at__isnull=False),
        "submitted_at",
    )
    present = _by_enrolment(
        Attendance.objects.filter(enrolment__cohort_id=cohort_id, status__in=ATTENDED),
        "marked_at",
    )
    released = dict(
        CaseGrade.objects.filter(
            submission__enrolment__cohort_id=cohort_id, released_at__isnull=False
        )
        .values("submission__enrolment_id")
        .annotate(at=Max("released_at"))
        .values_list("submission__enrolment_id", "at")
    )
    # The certificate in force: the last of its reissues (nothing replaces it), not revoked.
    certified = set(
        Certificate.objects.filter(
            cohort_id=cohort_id, revoked_at__isnull=True, replaced_by__isnull=True
        ).values_list("enrolment_id", flat=True)
    )
    due_at = _latest_due(
        Session.objects.filter(cohort_id=cohort_id, ends_at__gt=now).aggregate(due=Min("ends_at"))[
            "due"
        ],
        cohort_ended_at(cohort),
        now=now,
    )

    rows: list[TraineeFigures] = []
    for record in view.records:
        enrolment = record.enrolment
        pk = enrolment.pk
        last = _latest(
            max(record.completed.values(), default=None),
            attempts.get(pk),
            submissions.get(pk),
            present.get(pk),
        )
        complete = record.complete
        final_exact = record.grades.final_exact
        rows.append(
            TraineeFigures(
                enrolment_id=pk,
                cohort_id=cohort_id,
                region_id=cohort.region_id,
                program_id=cohort.program_id,
                trainee_id=enrolment.trainee_id,
                enrolled_on=enrolment.enrolled_on,
                cohort_name=cohort.name,
                cohort_starts_on=cohort.starts_on,
                cohort_ends_on=cohort.ends_on,
                status=enrolment.status,
                complete=complete,
                completed_at=_latest(last, released.get(pk)) if complete else None,
                final_grade=record.grades.final,
                grade_failing=final_exact is not None
                and not grade_reaches(final_exact, program.pass_mark),
                grade_items_open=sum(
                    1 for item in view.gradebook.items if record.grades.cells.get(item.id) is None
                )
                if graded_items
                else 0,
                attended=record.attendance.attended,
                counted=record.attendance.counted,
                attendance_rate=record.attendance.percent,
                attendance_failing=not attendance_reaches(
                    record.attendance, program.attendance_threshold
                ),
                activities_done=activities_total - len(record.completion.missing),
                activities_total=activities_total,
                hours_done=record.done.total_hours,
                practice_hours_done=record.done.practice_hours,
                progress_percent=record.done.percent,
                last_activity_at=last,
                certificate_issued=pk in certified,
            )
        )
    figures = cohort_totals(cohort=cohort, rows=rows, today=timezone.localdate(now))
    figures.due_at = due_at
    for row in rows:
        row.cohort_median_progress = figures.median_progress

    if rows:
        TraineeFigures.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["enrolment"],
            update_fields=TRAINEE_FIELDS,
        )
    # An enrolment moved or deleted: its row no longer belongs here.
    TraineeFigures.objects.filter(cohort_id=cohort_id).exclude(
        enrolment_id__in=[row.enrolment_id for row in rows]
    ).delete()
    CohortFigures.objects.bulk_create(
        [figures], update_conflicts=True, unique_fields=["cohort"], update_fields=COHORT_FIELDS
    )
    WeeklyCompletions.objects.filter(cohort_id=cohort_id).delete()
    weeks: dict[dt.date, int] = {}
    for row in rows:
        if row.complete and row.status != Enrolment.Status.WITHDRAWN and row.completed_at:
            week = week_start(row.completed_at)
            weeks[week] = weeks.get(week, 0) + 1
    if weeks:
        WeeklyCompletions.objects.bulk_create(
            WeeklyCompletions(
                cohort_id=cohort_id,
                region_id=cohort.region_id,
                program_id=cohort.program_id,
                week_start=week,
                count=count,
            )
            for week, count in sorted(weeks.items())
        )
    if seen:
        FiguresInvalidation.objects.filter(pk__in=seen).delete()
    return figures


def cohort_ended_at(cohort: Cohort) -> dt.datetime:
    """The moment a cohort's last day is over, on the school's clock: from then on its trainees
    who have not completed are no longer active."""
    return timezone.make_aware(
        dt.datetime.combine(cohort.ends_on + dt.timedelta(days=1), dt.time())
    )


def _latest_due(session_end: dt.datetime | None, ended_at: dt.datetime, *, now: dt.datetime):
    """When the figures are due again without any write: the next session's end (attendance
    counts it) or the cohort's end (its active trainees stop being active), whichever is first."""
    upcoming = [moment for moment in (session_end, ended_at) if moment and moment > now]
    return min(upcoming, default=None)


def cohort_totals(*, cohort: Cohort, rows: list[TraineeFigures], today: dt.date) -> CohortFigures:
    """The cohort's row from its trainees' rows (see CohortFigures for what each counts).

    The mean final grade is the completed trainees' only: anyone else's final grade still counts
    the work they have not done as 0, so a running cohort's mean would say how far it has got,
    not how well its trainees did."""
    ended = cohort.ends_on < today
    standings = Counter(row.standing(ended=ended) for row in rows)
    staying = [row for row in rows if row.status != Enrolment.Status.WITHDRAWN]
    graded = [row.final_grade for row in staying if row.complete and row.final_grade is not None]
    return CohortFigures(
        cohort_id=cohort.pk,
        region_id=cohort.region_id,
        program_id=cohort.program_id,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        enrolled=len(rows),
        withdrawn=standings[Standing.WITHDRAWN],
        completed=standings[Standing.COMPLETED],
        active=standings[Standing.ACTIVE],
        graded=len(graded),
        grade_sum=sum(graded, ZERO),
        attended=sum(row.attended for row in staying),
        counted=sum(row.counted for row in staying),
        certificates=sum(1 for row in rows if row.certificate_issued),
        hours_done=sum((row.hours_done for row in staying), ZERO),
        practice_hours_done=sum((row.practice_hours_done for row in staying), ZERO),
        median_progress=int(statistics.median(row.progress_percent for row in staying))
        if staying
        else 0,
    )


def stale_cohort_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Cohorts whose figures may be wrong: a change not yet caught up with, a session ended
    since the last refresh, or no figures at all."""
    now = now or timezone.now()
    invalidated = set(FiguresInvalidation.objects.values_list("cohort_id", flat=True))
    due = set(CohortFigures.objects.filter(due_at__lte=now).values_list("cohort_id", flat=True))
    missing = set(Cohort.objects.filter(figures__isnull=True).values_list("pk", flat=True))
    existing = set(Cohort.objects.filter(pk__in=invalidated).values_list("pk", flat=True))
    # Invalidations of a cohort since deleted are dropped: nothing left to refresh.
    FiguresInvalidation.objects.filter(cohort_id__in=invalidated - existing).delete()
    return sorted(existing | due | missing)


def rebuild_figures(
    *,
    cohort_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    only_stale: bool = False,
    only_invalidated: bool = False,
) -> int:
    """Recompute the figures of every cohort (or of `cohort_ids`, or of the stale ones, or of
    those with an invalidation left when each one's turn comes), cohort by cohort, each in its
    own transaction. Returns how many cohorts were refreshed.

    A cohort whose refresh fails is logged and left invalidated (so still stale), and the
    rebuild goes on with the others: one broken cohort must not keep a country's figures old.
    """
    if only_stale:
        ids = stale_cohort_ids()
        if cohort_ids is not None:
            ids = sorted(set(ids) & set(cohort_ids))
    elif cohort_ids is not None:
        ids = sorted(set(cohort_ids))
    else:
        ids = list(Cohort.objects.order_by("pk").values_list("pk", flat=True))
    total, refreshed = len(ids), 0
    for done, cohort_id in enumerate(ids, start=1):
        if refresh_quietly(cohort_id=cohort_id, only_invalidated=only_invalidated):
            refreshed += 1
        if progress is not None:
            progress(done, total)
    return refreshed


def refresh_quietly(*, cohort_id: int, only_invalidated: bool = False) -> bool:
    """Refresh, and on failure log it instead of raising: the change that asked for it has
    already been saved, and its invalidation row keeps the cohort marked stale for repair.
    Whether the cohort was recomputed."""
    try:
        if refresh_cohort_figures(cohort_id=cohort_id, only_invalidated=only_invalidated) is None:
            return False
    except Cohort.DoesNotExist:
        FiguresInvalidation.objects.filter(cohort_id=cohort_id).delete()
        return False
    except Exception:
        logger.exception(
            "The figures of cohort %s could not be refreshed; they stay marked stale until "
            "`manage.py rebuild_figures --stale` succeeds.",
            cohort_id,
        )
        return False
    return True


_paused = threading.local()


@contextmanager
def figures_paused() -> Iterator[None]:
    """Bulk loaders (`make_synthetic`, a restore) write thousands of rows: inside this block the
    signals collect nothing and refresh nothing, and the loader calls `rebuild_figures()` once
    at the end instead. Only for this thread; a user's request elsewhere is not paused."""
    before = getattr(_paused, "on", False)
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = before


def is_paused() -> bool:
    return getattr(_paused, "on", False)


def invalidate(*, cohort_ids: Iterable[int]) -> None:
    """Mark cohorts' figures out of date, in the caller's transaction (one insert)."""
    FiguresInvalidation.objects.bulk_create(
        FiguresInvalidation(cohort_id=cohort_id) for cohort_id in cohort_ids
    )


def enrolments_cohorts(enrolment_ids: Iterable[int]) -> set[int]:
    return set(
        Enrolment.objects.filter(pk__in=list(enrolment_ids)).values_list("cohort_id", flat=True)
    )


def program_cohorts(program_ids: Iterable[int]) -> set[int]:
    return set(Cohort.objects.filter(program_id__in=list(program_ids)).values_list("pk", flat=True))


def submissions_cohorts(submission_ids: Iterable[int]) -> set[int]:
    return set(
        CaseSubmission.objects.filter(pk__in=list(submission_ids)).values_list(
            "enrolment__cohort_id", flat=True
        )
    )
