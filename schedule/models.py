"""Guest-speaker sessions: speakers, the cohorts' schedule, attendance and feedback."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from core import freshness
from courses.models import ActivityKind, Cohort, Enrolment
from courses.models.cohorts import enrolment_freshness


class Speaker(index.Indexed, models.Model):
    """A guest speaker: a specialist of the Bank of Russia, a business-support centre, a colleague
    from another region."""

    name = models.CharField(_("name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    biography = models.TextField(_("short biography"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("position"),
        FieldPanel("organisation"),
        FieldPanel("biography"),
        FieldPanel("photo"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("organisation")]

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}" if self.organisation else self.name


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Session(models.Model):
    """A scheduled class of a cohort, usually with guest speakers, in a room or online.

    Like every activity it has academic hours and a kind: a speaker's workshop can be practice.
    """

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        "courses.ModulePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("module"),
    )
    topic = models.CharField(_("topic"), max_length=255)
    speakers = models.ManyToManyField(
        Speaker, related_name="sessions", blank=True, verbose_name=_("speakers")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    room = models.CharField(_("room"), max_length=255, blank=True)
    link = models.URLField(_("link"), blank=True)
    hours = models.DecimalField(
        _("academic hours"),
        max_digits=4,
        decimal_places=1,
        default=2,
        validators=[MinValueValidator(0.5), MaxValueValidator(12)],
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.THEORY
    )
    materials = models.ManyToManyField(
        "wagtaildocs.Document", related_name="+", blank=True, verbose_name=_("materials")
    )
    # Signs the rotating check-in codes; never shown.
    checkin_secret = models.CharField(max_length=64, default=new_secret, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="schedule_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.topic


class Attendance(models.Model):
    """A trainee's attendance at a session, as the register shows it now."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("trainee")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    marked_at = models.DateTimeField(_("marked at"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="schedule_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.enrolment.trainee} — {self.get_status_display()}"


class AttendanceChange(models.Model):
    """The audit trail of the register: every mark and every later correction."""

    attendance = models.ForeignKey(
        Attendance, on_delete=models.CASCADE, related_name="changes", verbose_name=_("attendance")
    )
    old_status = models.CharField(_("was"), max_length=16, blank=True)
    new_status = models.CharField(_("became"), max_length=16)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"))
    via = models.CharField(_("how"), max_length=16, default="register")

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_label} → {self.new_label}"

    @property
    def old_label(self) -> str:
        return Attendance.Status(self.old_status).label if self.old_status else "—"

    @property
    def new_label(self) -> str:
        return Attendance.Status(self.new_status).label

    def freshness_scopes(self) -> list[str]:
        return self.attendance.freshness_scopes()


class SessionFeedback(models.Model):
    """A trainee's rating of a session they attended, given once."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("session")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="+", verbose_name=_("trainee")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("session feedback")
        verbose_name_plural = _("session feedback")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="schedule_feedback_once"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="schedule_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.rating}"


class CalendarToken(models.Model):
    """The unguessable key of a user's calendar feed; resetting it cuts off old subscriptions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_secret)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}"

    def freshness_scopes(self) -> list[str]:
        return [freshness.trainee(self.user_id)]
