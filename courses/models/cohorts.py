"""Cohorts, enrolments, and what each trainee has completed."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import freshness

from .pages import ActivityPage, ProgramPage


def enrolment_freshness(row: models.Model) -> list[str]:
    """What writing `row`, a fact about one enrolment (its `enrolment` field), touches: that
    trainee's pages and their cohort's (`core.freshness`)."""
    enrolment = row._state.fields_cache.get("enrolment")
    if enrolment is not None:
        return enrolment.freshness_scopes()
    found = (
        Enrolment.objects.filter(pk=row.enrolment_id).values_list("trainee_id", "cohort_id").first()
    )
    return freshness.enrolment_scopes(*found) if found else [freshness.SCHOOL]


class Cohort(models.Model):
    """A group of trainees taking one programme in one region, such as Tambov's "Группа 1"."""

    program = models.ForeignKey(
        ProgramPage, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=25)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="taught_cohorts",
        blank=True,
        verbose_name=_("instructors"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["region__name", "starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "region", "name"], name="courses_cohort_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="courses_cohort_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="courses_cohort_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.region.name}"


class Enrolment(models.Model):
    """A trainee's place in a cohort; at most one active enrolment per programme."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("trainee"),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("cohort")
    )
    # Copied from the cohort so that the database itself can hold the one-active-per-programme rule.
    program = models.ForeignKey(
        ProgramPage, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_on = models.DateField(_("enrolled on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    # The reason of the current withdrawal; every withdrawal and restoration stays in `events`.
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "program"],
                condition=models.Q(status="active"),
                name="courses_one_active_enrolment_per_program",
            ),
            models.UniqueConstraint(
                fields=["trainee", "cohort"], name="courses_enrolment_unique_in_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} → {self.cohort}"

    def freshness_scopes(self) -> list[str]:
        return freshness.enrolment_scopes(self.trainee_id, self.cohort_id)


class EnrolmentEvent(models.Model):
    """A change of a trainee's place in a cohort, kept for their record: withdrawn or restored.

    The enrolment itself says when the trainee was enrolled; restoring does not erase a
    withdrawal, it adds a row after it.
    """

    class Kind(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RESTORED = "restored", _("Restored")

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="events", verbose_name=_("enrolment")
    )
    kind = models.CharField(_("what happened"), max_length=16, choices=Kind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Empty when the change came from a script or the demo.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("enrolment change")
        verbose_name_plural = _("enrolment changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["withdrawn", "restored"]),
                name="courses_enrolment_event_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.get_kind_display()} {self.on}"


class ActivityCompletion(models.Model):
    """An activity done by an enrolled trainee: a lesson marked studied, case work submitted…"""

    class Source(models.TextChoices):
        SELF = "self", _("Marked as studied by the trainee")
        SUBMISSION = "submission", _("Case work submitted")
        QUIZ = "quiz", _("Quiz passed")
        ATTENDANCE = "attendance", _("Session attended")

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="completions", verbose_name=_("enrolment")
    )
    activity = models.ForeignKey(
        ActivityPage,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("activity"),
    )
    source = models.CharField(_("how"), max_length=16, choices=Source.choices)
    completed_at = models.DateTimeField(_("completed at"))

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("completed activity")
        verbose_name_plural = _("completed activities")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "activity"], name="courses_completion_once_per_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.trainee} ✓ {self.activity}"


class EnrolmentImport(models.Model):
    """An uploaded spreadsheet of trainees: previewed, then applied all at once or not at all."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        QUEUED = "queued", _("Being imported")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Not imported")

    class Failure(models.TextChoices):
        """Why an import was not applied, in words for the official who started it."""

        ROWS = "rows", _("Some rows have problems now. Nothing was enrolled.")
        CONFLICT = (
            "conflict",
            _(
                "The cohort or these people changed while the import ran. Nothing was enrolled: "
                "retry, and the rows are checked afresh."
            ),
        )
        ERROR = (
            "error",
            _(
                "An error on the server stopped the import. Nothing was enrolled: retry, and if it "
                "fails again, tell the administrator."
            ),
        )

    # A queued import not finished by then is shown as stalled (say, the worker is down), and
    # may be retried: an import is applied at most once, so a late run changes nothing.
    STALE_AFTER = dt.timedelta(minutes=30)

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="imports", verbose_name=_("cohort")
    )
    # Empty when an operator ran `import_trainees` from the command line.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    # The rows as read from the file, each with its row number and problems (see courses.imports).
    rows = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW
    )
    failure = models.CharField(_("reason"), max_length=16, choices=Failure.choices, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trainee import")
        verbose_name_plural = _("trainee imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.cohort}"

    @property
    def problem_count(self) -> int:
        return sum(1 for row in self.rows if row.get("errors"))

    @property
    def is_stalled(self) -> bool:
        """Queued for longer than any import takes: shown as failed, and may be retried."""
        if self.status != self.Status.QUEUED:
            return False
        since = self.queued_at or self.created_at
        return since is not None and since < timezone.now() - self.STALE_AFTER

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled
