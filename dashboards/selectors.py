"""Reading the dashboards' figures: a region's cohorts, the regions side by side, completions
by week, the trainees at risk, and one cohort's line and trainees.

Everything here reads the rollups (`dashboards.models`), never the records themselves, so each
function costs a fixed number of queries whatever the size of the school; the rollups in turn
are copies of what the completion service says (`dashboards.services`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, npgettext, pgettext, pgettext_lazy

from courses.models import Enrolment

from .models import (
    CohortFigures,
    Figures,
    FiguresInvalidation,
    Standing,
    TraineeFigures,
    WeeklyCompletions,
)


class CohortStatus(models.TextChoices):
    """Where a cohort stands by its dates on a given day."""

    PLANNED = "planned", pgettext_lazy("cohort status", "Planned")
    RUNNING = "running", pgettext_lazy("cohort status", "Running")
    FINISHED = "finished", pgettext_lazy("cohort status", "Finished")


def cohort_status(*, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> str:
    if today < starts_on:
        return CohortStatus.PLANNED
    if today > ends_on:
        return CohortStatus.FINISHED
    return CohortStatus.RUNNING


@dataclass(frozen=True)
class DashboardFilters:
    """What the official narrowed the dashboard to: a programme, the cohorts' status on
    `today`, and a period (cohorts whose dates overlap it; completions within it)."""

    program_id: int | None = None
    status: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    today: dt.date | None = None

    def day(self) -> dt.date:
        return self.today or timezone.localdate()

    def cohorts(self, prefix: str = "") -> Q:
        """The condition on cohorts, with their dates reached through `prefix`."""
        today = self.day()
        q = Q()
        if self.program_id is not None:
            q &= Q(program_id=self.program_id)
        starts, ends = f"{prefix}starts_on", f"{prefix}ends_on"
        if self.status == CohortStatus.PLANNED:
            q &= Q(**{f"{starts}__gt": today})
        elif self.status == CohortStatus.RUNNING:
            q &= Q(**{f"{starts}__lte": today, f"{ends}__gte": today})
        elif self.status == CohortStatus.FINISHED:
            q &= Q(**{f"{ends}__lt": today})
        elif self.status:
            raise ValueError(self.status)
        if self.period_to is not None:
            q &= Q(**{f"{starts}__lte": self.period_to})
        if self.period_from is not None:
            q &= Q(**{f"{ends}__gte": self.period_from})
        return q


NO_FILTERS = DashboardFilters()


def _stale(now: dt.datetime) -> Q:
    # `due_at IS NOT NULL` first: a NULL comparison would make the whole condition NULL.
    return Q(Exists(FiguresInvalidation.objects.filter(cohort_id=OuterRef("cohort_id")))) | Q(
        due_at__isnull=False, due_at__lte=now
    )


def _own_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


# What `User.full_name` reads.
FULL_NAME_FIELDS = ("last_name", "first_name", "patronymic", "username", "erased_at")


@dataclass
class CohortRow(Figures):
    """A cohort's line on its region's page and in the region's file: the rollup's figures, the
    cohort's name and the programme's title, and whether the figures are catching up (`stale`)."""

    cohort_id: int
    cohort_name: str
    program_id: int
    program_title: str
    starts_on: dt.date
    ends_on: dt.date
    enrolled: int
    active: int
    completed: int
    withdrawn: int
    graded: int
    grade_sum: Decimal
    attended: int
    counted: int
    certificates: int
    practice_hours_done: Decimal
    stale: bool


COHORT_ROW_FIELDS = {field.name: field.name for field in dataclasses.fields(CohortRow)} | {
    "cohort_name": "cohort__name",
    "program_title": "program__title",
}


def region_cohort_figures(*, region, filters: DashboardFilters = NO_FILTERS) -> list[CohortRow]:
    """Every cohort of the region with its figures, by start date. One query.

    Each row carries `stale`: a change not yet caught up with, or a session ended since. Read as
    values, not model instances: twenty cohorts with their cohort and programme as objects cost
    the region page a millisecond more than the rows themselves.
    """
    now = timezone.now()
    rows = (
        CohortFigures.objects.filter(filters.cohorts(), region=region)
        .annotate(stale=models.ExpressionWrapper(_stale(now), output_field=models.BooleanField()))
        .order_by("starts_on", "cohort__name", "cohort_id")
        .values_list(*COHORT_ROW_FIELDS.values())
    )
    return [CohortRow(*row) for row in rows]


def cohort_figures(*, cohort_id: int) -> CohortFigures | None:
    """One cohort's line, as the region's table shows it (with `stale`), or None before its
    first refresh has written it. One query."""
    now = timezone.now()
    return (
        CohortFigures.objects.filter(cohort_id=cohort_id)
        .annotate(stale=models.ExpressionWrapper(_stale(now), output_field=models.BooleanField()))
        .first()
    )


@dataclass
class RegionFigures(Figures):
    """A region's cohorts added up: counts and sums, and the rates worked out from them."""

    region_id: int
    name: str
    code: str
    cohorts: int = 0
    enrolled: int = 0
    active: int = 0
    completed: int = 0
    withdrawn: int = 0
    graded: int = 0
    grade_sum: Decimal = Decimal("0")
    attended: int = 0
    counted: int = 0
    certificates: int = 0
    practice_hours_done: Decimal = Decimal("0")
    stale: int = 0  # cohorts whose figures are out of date


SUMMED = (
    "enrolled",
    "active",
    "completed",
    "withdrawn",
    "graded",
    "grade_sum",
    "attended",
    "counted",
    "certificates",
    "practice_hours_done",
)


def federal_region_figures(*, filters: DashboardFilters = NO_FILTERS) -> list[RegionFigures]:
    """The regions side by side on the same figures, summed from their cohorts, by name. One query.

    Only regions with a cohort that matches the filters appear; rates are weighted by trainees
    (see `Figures`).
    """
    now = timezone.now()
    rows = (
        CohortFigures.objects.filter(filters.cohorts())
        .values("region_id", "region__name", "region__code")
        .annotate(
            cohorts=Count("pk"),
            stale=Count("pk", filter=_stale(now)),
            **{name: Sum(name) for name in SUMMED},
        )
        # Grouped by hashing, unsorted: sorting all the cohorts' rows by the region's name before
        # adding them up took a third of the query. The 85 sums are sorted here instead.
        .order_by()
    )
    regions = [
        RegionFigures(
            region_id=row["region_id"],
            name=row["region__name"],
            code=row["region__code"],
            cohorts=row["cohorts"],
            stale=row["stale"],
            **{name: row[name] for name in SUMMED},
        )
        for row in rows
    ]
    return sorted(regions, key=lambda region: (region.name, region.region_id))


def total_figures(rows: list[RegionFigures], *, name: str = "") -> RegionFigures:
    """The country's line: the regions' sums added, the rates worked out once more from them."""
    total = RegionFigures(region_id=0, name=name, code="")
    for row in rows:
        total.cohorts += row.cohorts
        total.stale += row.stale
        for key in SUMMED:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    return total


@dataclass(frozen=True)
class Week:
    start: dt.date  # a Monday
    count: int


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cohorts_span(
    *, cohort_ids: list[int] | None, region, filters: DashboardFilters
) -> tuple[dt.date, dt.date] | None:
    """The Mondays of the first start and the last end of the selected cohorts, or None when
    no cohort is selected. One query."""
    cohorts = CohortFigures.objects.filter(filters.cohorts())
    if cohort_ids is not None:
        cohorts = cohorts.filter(cohort_id__in=cohort_ids)
    if region is not None:
        cohorts = cohorts.filter(region=region)
    span = cohorts.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    if span["first"] is None:
        return None
    return _monday(span["first"]), _monday(span["last"])


def weekly_completions(
    *,
    cohort_ids: list[int] | None = None,
    region=None,
    filters: DashboardFilters = NO_FILTERS,
) -> list[Week]:
    """Completions per ISO week, every week of the period (or from the first completion to the
    last) present, the empty ones with 0, so that a chart's axis has no gaps. One query, two
    with a period.

    A period's ends are clamped to the weeks the selected cohorts can have completions in:
    from the first cohort's start to the last one's end, widened to any completion stored
    outside them (a grade released after the end). A period of a century (or one reaching the
    last date Python holds) so draws the cohorts' weeks, not one column per week of it.
    """
    rows = WeeklyCompletions.objects.filter(filters.cohorts(prefix="cohort__"))
    if cohort_ids is not None:
        rows = rows.filter(cohort_id__in=cohort_ids)
    if region is not None:
        rows = rows.filter(region=region)
    first = last = None
    if filters.period_from is not None:
        first = _monday(filters.period_from)
        rows = rows.filter(week_start__gte=first)
    if filters.period_to is not None:
        last = _monday(filters.period_to)
        rows = rows.filter(week_start__lte=last)
    counts = dict(
        rows.values("week_start")
        .annotate(total=Sum("count"))
        .order_by("week_start")
        .values_list("week_start", "total")
    )
    # Asked whatever the counts, so that a page costs the same queries with data or without.
    span = None
    if first is not None or last is not None:
        span = _cohorts_span(cohort_ids=cohort_ids, region=region, filters=filters)
        if span is None:
            return []
    if not counts and (first is None or last is None):
        return []
    if span is not None:
        earliest, latest = span
        if counts:
            earliest, latest = min(earliest, min(counts)), max(latest, max(counts))
        first = max(first, earliest) if first is not None else None
        last = min(last, latest) if last is not None else None
    first = first or min(counts)
    last = last or max(counts)
    # Counted, not walked: a step past the last Monday Python holds would overflow.
    starts = (first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    return [Week(start=start, count=counts.get(start, 0)) for start in starts]


# Trainees at risk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRiskThresholds:
    """When a trainee counts as at risk; `DASHBOARDS_AT_RISK` in the settings overrides these."""

    inactive_days: int = 14  # no activity for this many days or more
    behind_margin: int = 20  # percentage points (or more) below the cohort's median progress
    ending_days: int = 14  # the cohort ends within this many days with work missing

    @classmethod
    def from_settings(cls) -> AtRiskThresholds:
        overrides = getattr(settings, "DASHBOARDS_AT_RISK", {}) or {}
        return cls(**{key.lower(): int(value) for key, value in overrides.items()})


class RiskReason(models.TextChoices):
    """Why a trainee is at risk: the short name of each rule. The facts of the case go in the
    reason's detail (`risk_reasons`), so that «label: detail» reads once, without repeating."""

    INACTIVE = "inactive", gettext_lazy("No activity")
    BEHIND = "behind", gettext_lazy("Behind the cohort")
    FAILING_GRADE = "failing_grade", gettext_lazy("Failing grade")
    ATTENDANCE = "attendance", gettext_lazy("Attendance below the threshold")
    ENDING = "ending", gettext_lazy("Cohort ends soon")


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str

    @property
    def label(self) -> str:
        return RiskReason(self.code).label

    def __str__(self) -> str:
        """«label: detail», as the pages print it (the label bold) and the files write it."""
        return f"{self.label}: {self.detail}"


@dataclass
class AtRisk:
    figures: TraineeFigures
    reasons: list[Reason] = field(default_factory=list)

    @property
    def trainee(self):
        return self.figures.trainee


# The details are fragments in the label's sentence («Нет активности: 15 дней»), hence
# lower case and no full stop; the context keeps them apart from the same words elsewhere.
DETAIL = "at-risk detail"


def _idle_detail(days: int, *, ever_active: bool) -> str:
    if ever_active:
        return npgettext(DETAIL, "%(days)s day", "%(days)s days", days) % {"days": days}
    return npgettext(
        DETAIL, "%(days)s day, nothing done yet", "%(days)s days, nothing done yet", days
    ) % {"days": days}


def _ending_detail(days_left: int, missing: int) -> str:
    if days_left == 0:
        when = pgettext(DETAIL, "today is the last day")
    else:
        when = npgettext(DETAIL, "in %(days)s day", "in %(days)s days", days_left) % {
            "days": days_left
        }
    what = npgettext(
        DETAIL, "%(count)s activity not done", "%(count)s activities not done", missing
    ) % {"count": missing}
    return pgettext(DETAIL, "%(when)s, %(what)s") % {"when": when, "what": what}


def risk_reasons(
    figures: TraineeFigures, *, today: dt.date, thresholds: AtRiskThresholds
) -> list[Reason]:
    """Why this trainee of a running cohort is at risk (empty if they are not), each rule once.

    It reads the row alone: the cohort's dates and median and the enrolment's date are copied
    onto it by the refresh.
    """
    reasons = []
    if figures.last_activity_at is not None:
        since = timezone.localdate(figures.last_activity_at)
    else:
        since = max(figures.cohort_starts_on, figures.enrolled_on)
    idle = (today - since).days
    if idle >= thresholds.inactive_days:
        ever_active = figures.last_activity_at is not None
        reasons.append(Reason(RiskReason.INACTIVE, _idle_detail(idle, ever_active=ever_active)))
    behind = figures.cohort_median_progress - figures.progress_percent
    if behind >= thresholds.behind_margin:
        reasons.append(
            Reason(
                RiskReason.BEHIND,
                pgettext(DETAIL, "%(done)s %% done against a median of %(median)s %%")
                % {"done": figures.progress_percent, "median": figures.cohort_median_progress},
            )
        )
    # Only once every graded item has a grade: before that, an item not yet done counts as 0 and
    # nearly everybody's final grade is below the pass mark.
    if figures.grade_failing and not figures.grade_items_open:
        reasons.append(
            Reason(
                RiskReason.FAILING_GRADE,
                pgettext(DETAIL, "final grade %(grade)s %%")
                % {"grade": number_format(figures.final_grade, 1)},
            )
        )
    if figures.attendance_failing:
        reasons.append(
            Reason(
                RiskReason.ATTENDANCE,
                npgettext(
                    DETAIL,
                    "attended %(attended)s of %(counted)s session",
                    "attended %(attended)s of %(counted)s sessions",
                    figures.counted,
                )
                % {"attended": figures.attended, "counted": figures.counted},
            )
        )
    left = (figures.cohort_ends_on - today).days
    missing = figures.activities_total - figures.activities_done
    if 0 <= left <= thresholds.ending_days and missing > 0:
        reasons.append(Reason(RiskReason.ENDING, _ending_detail(left, missing)))
    return reasons


def _may_be_at_risk(today: dt.date) -> Q:
    """Whom the at-risk rules look at: trainees of cohorts running on `today`, still in the
    cohort and not yet complete. The at-risk list keeps only these rows, the cohort's
    dashboard marks them, so that both apply `risk_reasons` to the same trainees."""
    return Q(complete=False, cohort_starts_on__lte=today, cohort_ends_on__gte=today) & ~Q(
        status=Enrolment.Status.WITHDRAWN
    )


def at_risk_condition(*, today: dt.date, thresholds: AtRiskThresholds) -> Q:
    """The rules of `risk_reasons` as one condition on TraineeFigures, so that the database
    returns the trainees at risk and no one else (a test holds the two to the same answer).

    Without it every trainee of the running cohorts was loaded to find the few at risk: the
    region page's cost grew with the region (18 ms of a full-size region's 45).
    """
    cutoff = today - dt.timedelta(days=thresholds.inactive_days)
    # "Last active on the cutoff day or before", in the time zone `localdate` uses.
    after_cutoff = timezone.make_aware(
        dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time())
    )
    inactive = Q(last_activity_at__lt=after_cutoff) | Q(
        last_activity_at__isnull=True,
        cohort_starts_on__lte=cutoff,
        enrolled_on__lte=cutoff,
    )
    behind = Q(progress_percent__lte=F("cohort_median_progress") - thresholds.behind_margin)
    failing_grade = Q(grade_failing=True, grade_items_open=0)
    ending = Q(
        cohort_ends_on__gte=today,
        cohort_ends_on__lte=today + dt.timedelta(days=thresholds.ending_days),
        activities_done__lt=F("activities_total"),
    )
    return inactive | behind | failing_grade | Q(attendance_failing=True) | ending


def at_risk_figures(
    *,
    cohort_ids: list[int] | None = None,
    region=None,
    today: dt.date | None = None,
    thresholds: AtRiskThresholds | None = None,
    filters: DashboardFilters = NO_FILTERS,
):
    """The figures of the trainees at risk, in the list's order, as a query: it can be counted
    and sliced in the database (a page of the list), and `with_reasons` explains each row.

    Trainees of running cohorts, still studying and not yet complete, with a reason."""
    if cohort_ids is None and region is None:
        raise ValueError("Give cohort_ids or a region.")
    today = today or timezone.localdate()
    thresholds = thresholds or AtRiskThresholds.from_settings()
    rows = (
        TraineeFigures.objects.filter(
            filters.cohorts(prefix="cohort_"),
            _may_be_at_risk(today),
            at_risk_condition(today=today, thresholds=thresholds),
        )
        .select_related("trainee")
        # Of the trainee only the name: whole users cost more than the rows themselves.
        .only(*_own_fields(TraineeFigures), *(f"trainee__{name}" for name in FULL_NAME_FIELDS))
        .order_by("cohort_starts_on", "cohort_id", "trainee__last_name", "pk")
    )
    if cohort_ids is not None:
        rows = rows.filter(cohort_id__in=cohort_ids)
    if region is not None:
        rows = rows.filter(region=region)
    return rows


def with_reasons(
    rows, *, today: dt.date | None = None, thresholds: AtRiskThresholds | None = None
) -> list[AtRisk]:
    """Rows of `at_risk_figures` (all, or a page of them) with every reason each is at risk."""
    today = today or timezone.localdate()
    thresholds = thresholds or AtRiskThresholds.from_settings()
    at_risk = []
    for figures in rows:
        reasons = risk_reasons(figures, today=today, thresholds=thresholds)
        if reasons:  # always, while at_risk_condition says what risk_reasons says
            at_risk.append(AtRisk(figures=figures, reasons=reasons))
    return at_risk


def trainees_at_risk(
    *,
    cohort_ids: list[int] | None = None,
    region=None,
    today: dt.date | None = None,
    thresholds: AtRiskThresholds | None = None,
    filters: DashboardFilters = NO_FILTERS,
) -> list[AtRisk]:
    """Trainees of running cohorts, still studying and not yet complete, with every reason they
    are at risk. One query whatever the number of trainees, loading only those at risk."""
    today = today or timezone.localdate()
    thresholds = thresholds or AtRiskThresholds.from_settings()
    rows = at_risk_figures(
        cohort_ids=cohort_ids, region=region, today=today, thresholds=thresholds, filters=filters
    )
    return with_reasons(rows, today=today, thresholds=thresholds)


@dataclass
class CohortTrainee:
    """A row of the cohort's dashboard: the trainee's figures and every reason they are at risk
    (none for one the rules do not look at: withdrawn, complete, or the cohort not running)."""

    figures: TraineeFigures
    reasons: list[Reason] = field(default_factory=list)
    standing: Standing = Standing.ACTIVE  # as the cohort's line counts them, today

    @property
    def trainee(self):
        return self.figures.trainee

    # The sortable columns, by the names the page's `?sort=` uses.
    @property
    def name(self) -> str:
        return self.figures.trainee.full_name

    @property
    def progress(self) -> int:
        return self.figures.progress_percent

    @property
    def grade(self) -> Decimal | None:
        return self.figures.final_grade

    @property
    def last_activity_on(self) -> dt.date | None:
        """The day of the last activity on the school's clock (the page and the file alike)."""
        moment = self.figures.last_activity_at
        return timezone.localdate(moment) if moment is not None else None


def cohort_trainees(
    *,
    cohort_id: int,
    today: dt.date | None = None,
    thresholds: AtRiskThresholds | None = None,
) -> list[CohortTrainee]:
    """Every trainee of the cohort, withdrawn ones too, with their figures and, for those the
    at-risk list would look at, its reasons (`risk_reasons`, the same rules). By surname; one
    query whatever the cohort's size."""
    today = today or timezone.localdate()
    thresholds = thresholds or AtRiskThresholds.from_settings()
    rows = (
        TraineeFigures.objects.filter(cohort_id=cohort_id)
        .select_related("trainee")
        .annotate(
            may_be_at_risk=models.ExpressionWrapper(
                _may_be_at_risk(today), output_field=models.BooleanField()
            )
        )
        .order_by("trainee__last_name", "trainee__first_name", "trainee__patronymic", "pk")
    )
    return [
        CohortTrainee(
            figures=row,
            reasons=risk_reasons(row, today=today, thresholds=thresholds)
            if row.may_be_at_risk
            else [],
            standing=row.standing(ended=row.cohort_ends_on < today),
        )
        for row in rows
    ]
