"""The figures behind the officials' dashboards, kept as rollups.

Every figure here is a copy of what `records.selectors.cohort_records` (the one completion
service) says, stored so that a dashboard over a whole country reads a few thousand rows instead
of recomputing thirty thousand records. `dashboards.services.refresh_cohort_figures` is the only
writer; the signals in `dashboards.signals` call it whenever something a figure depends on
changes, and `FiguresInvalidation` remembers, in the same transaction as the change, that a
cohort's figures are out of date until a refresh has caught up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import freshness
from courses.curriculum import TENTH, percent_of
from courses.models import Enrolment


def completion_rate(*, completed: int, enrolled: int, withdrawn: int) -> Decimal | None:
    """Completed in per cent of the trainees still in the cohort (enrolled less withdrawn).

    The one definition, for a cohort, a region and the country alike: withdrawals are shown in
    their own column, so that a region that loses trainees is not also marked down twice, and a
    cohort with nobody left has no rate (None), not 0 %.
    """
    staying = enrolled - withdrawn
    return percent_of(completed, staying) if staying > 0 else None


class Standing(models.TextChoices):
    """Where a trainee stands in the dashboards' figures: studying (the cohort still running,
    or not begun), completed, withdrawn, or — the cohort over — never completed."""

    ACTIVE = Enrolment.Status.ACTIVE.value, Enrolment.Status.ACTIVE.label
    COMPLETED = Enrolment.Status.COMPLETED.value, Enrolment.Status.COMPLETED.label
    WITHDRAWN = Enrolment.Status.WITHDRAWN.value, Enrolment.Status.WITHDRAWN.label
    NOT_COMPLETED = "not_completed", pgettext_lazy("trainee standing", "Did not complete")


def standing_of(*, status: str, complete: bool, ended: bool) -> Standing:
    """The one rule: withdrawn first, then completed by the record's verdict; anyone else is
    active while the cohort runs, and did not complete once it has ended."""
    if status == Enrolment.Status.WITHDRAWN:
        return Standing.WITHDRAWN
    if complete:
        return Standing.COMPLETED
    return Standing.NOT_COMPLETED if ended else Standing.ACTIVE


class Figures:
    """Rates and means from the sums a cohort row (or a region's total) keeps.

    Rates are weighted by trainees, never means of cohorts' rates: a region's attendance is all
    its trainees' sessions attended over all their sessions counted.
    """

    enrolled: int
    completed: int
    withdrawn: int
    graded: int
    grade_sum: Decimal
    attended: int
    counted: int

    @property
    def completion_rate(self) -> Decimal | None:
        return completion_rate(
            completed=self.completed, enrolled=self.enrolled, withdrawn=self.withdrawn
        )

    @property
    def mean_final_grade(self) -> Decimal | None:
        if not self.graded:
            return None
        return (Decimal(self.grade_sum) / self.graded).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.attended, self.counted) if self.counted else None


class TraineeFigures(freshness.NotShown, models.Model):
    """One enrolment's standing, as the record page shows it, plus when they last did something."""

    enrolment = models.OneToOneField(
        "courses.Enrolment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name=_("enrolment"),
    )
    # Denormalised from the cohort so that a region's or a programme's rows need no join.
    cohort = models.ForeignKey(
        "courses.Cohort", on_delete=models.CASCADE, related_name="+", verbose_name=_("cohort")
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    program = models.ForeignKey("courses.ProgramPage", on_delete=models.CASCADE, related_name="+")
    # Copied too, by the same refresh, so that the at-risk list (its rules, its filters, its
    # order) reads this table and the trainee's name alone: every join cost the region page
    # milliseconds of planning. An enrolment's trainee never changes; the cohort's name, dates
    # and median and the enrolment's date change only through writes that refresh the cohort.
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    enrolled_on = models.DateField()
    cohort_name = models.CharField(max_length=120)
    cohort_starts_on = models.DateField()
    cohort_ends_on = models.DateField()
    cohort_median_progress = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16)  # Enrolment.Status
    complete = models.BooleanField(_("completed"), default=False)
    # When the trainee completed: the latest of their own last activity and their last case
    # grade released (the last fact that could tip the verdict); empty unless complete.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    final_grade = models.DecimalField(
        _("final grade"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Below the pass mark by the exact rule of records.completion (59.96 does not reach 60).
    grade_failing = models.BooleanField(default=False)
    # Graded items (quizzes, case work) with no counted grade yet: while any is open, a low
    # final grade may still rise, so it is not yet a failing grade for the at-risk list.
    grade_items_open = models.PositiveSmallIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    attendance_rate = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    # Below the programme's threshold by the exact rule of records.completion.
    attendance_failing = models.BooleanField(default=False)
    activities_done = models.PositiveSmallIntegerField(default=0)
    activities_total = models.PositiveSmallIntegerField(default=0)
    hours_done = models.DecimalField(max_digits=7, decimal_places=1, default=Decimal("0"))
    practice_hours_done = models.DecimalField(max_digits=7, decimal_places=1, default=Decimal("0"))
    progress_percent = models.PositiveSmallIntegerField(default=0)  # hours done, rounded down
    # The trainee's own last act: an activity done, a quiz submitted, case work submitted, or
    # being marked present (or late) at a session.
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    certificate_issued = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trainee figures")
        verbose_name_plural = _("trainee figures")
        indexes = [
            models.Index(fields=["region", "cohort"], name="dash_trainee_region"),
            models.Index(fields=["program", "cohort"], name="dash_trainee_program"),
            models.Index(fields=["cohort", "status"], name="dash_trainee_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.progress_percent} %"

    def standing(self, *, ended: bool) -> Standing:
        """The column of the cohort's line this trainee counts in (`cohort_totals` counts by
        it), so that the cohort's dashboard says of each trainee what its totals say of them
        all. `ended`: the cohort's last day has passed."""
        return standing_of(status=self.status, complete=self.complete, ended=ended)


class CohortFigures(freshness.NotShown, Figures, models.Model):
    """One cohort's totals. `enrolled` = active + completed + withdrawn + those of an ended
    cohort who never completed (`Standing.NOT_COMPLETED`, no column of their own); `graded` and
    `grade_sum` are the completed trainees' final grades, the only ones that are final; the
    rest counts the trainees still in the cohort (not withdrawn), except `certificates`."""

    cohort = models.OneToOneField(
        "courses.Cohort",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name=_("cohort"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    program = models.ForeignKey("courses.ProgramPage", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)
    active = models.PositiveIntegerField(_("active"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    graded = models.PositiveIntegerField(default=0)  # completed trainees with a final grade
    grade_sum = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    attended = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(_("certificates issued"), default=0)
    hours_done = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    practice_hours_done = models.DecimalField(
        _("practice hours done"), max_digits=12, decimal_places=1, default=Decimal("0")
    )
    median_progress = models.PositiveSmallIntegerField(default=0)  # of those still in the cohort
    # The next session to end after the refresh: from then on it counts towards attendance, so
    # the figures are due again even if nobody changes anything (`rebuild_figures --stale`).
    due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cohort figures")
        verbose_name_plural = _("cohort figures")
        indexes = [
            models.Index(fields=["region", "starts_on"], name="dash_cohort_region"),
            models.Index(fields=["program", "starts_on"], name="dash_cohort_program"),
            models.Index(fields=["starts_on", "ends_on"], name="dash_cohort_dates"),
            models.Index(fields=["due_at"], name="dash_cohort_due"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.completed}/{self.enrolled}"


class WeeklyCompletions(freshness.NotShown, models.Model):
    """How many trainees of a cohort completed in the ISO week starting `week_start` (a Monday).

    A row per cohort and week with completions (weeks without are absent): a chart over any
    period sums these with one indexed range scan, by region or programme.
    """

    cohort = models.ForeignKey(
        "courses.Cohort", on_delete=models.CASCADE, related_name="+", verbose_name=_("cohort")
    )
    region = models.ForeignKey("accounts.Region", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("courses.ProgramPage", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week"))
    count = models.PositiveIntegerField(_("completions"))

    class Meta:
        verbose_name = _("weekly completions")
        verbose_name_plural = _("weekly completions")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "week_start"], name="dashboards_week_once_per_cohort"
            )
        ]
        indexes = [
            models.Index(fields=["region", "week_start"], name="dash_week_region"),
            models.Index(fields=["week_start"], name="dash_week"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id} {self.week_start}: {self.count}"


class FiguresInvalidation(freshness.NotShown, models.Model):
    """A cohort's figures are out of date: written in the same transaction as the change.

    The refresh after commit deletes the rows it has caught up with; if it fails (or the process
    dies first) the row stays, the dashboards can say so, and `rebuild_figures --stale` repairs
    it. No foreign key on purpose: an insert here must never wait for a lock on the cohort.
    """

    cohort_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("out-of-date figures")
        verbose_name_plural = _("out-of-date figures")

    def __str__(self) -> str:
        return f"{self.cohort_id} since {self.created_at}"
