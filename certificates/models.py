"""Certificates: the programme's template, the documents issued, and the bulk issuance batches.

A certificate keeps a frozen copy of everything it prints (`Certificate.printed` and the named
fields beside it), so that renaming the trainee or editing the programme later changes neither
its PDF nor what verification shows. A correction is a reissue: a new certificate that
`replaces` the old one, which then verifies as superseded.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable, PreviewableMixin

from assessments.models import private_storage
from core import freshness
from courses.models import Cohort, Enrolment, ProgramPage
from courses.models.cohorts import enrolment_freshness

from .placeholders import placeholder_error


class DocumentKind(models.TextChoices):
    QUALIFICATION = "qualification", _("certificate of professional development")
    CERTIFICATE = "certificate", _("certificate of completion")


class CertificateTemplate(PreviewableMixin, ClusterableModel):
    """How a programme's certificates look and who issues them, edited in the Wagtail admin.

    The text fields may hold named placeholders such as `{full_name}`; `certificates.placeholders`
    lists them, and a placeholder it does not know is refused when the template is saved.
    """

    class KindRule(models.TextChoices):
        BY_HOURS = "by_hours", _("By the programme's hours (16 or more: удостоверение)")
        CERTIFICATE = "certificate", _("Always a сертификат")

    program = models.OneToOneField(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="certificate_template",
        verbose_name=_("programme"),
    )
    kind_rule = models.CharField(
        _("document issued"),
        max_length=16,
        choices=KindRule.choices,
        default=KindRule.BY_HOURS,
        help_text=_(
            "A programme of 16 academic hours or more ends with an удостоверение о повышении "
            "квалификации, a shorter one with a сертификат. Choose «always a сертификат» for a "
            "programme the organisation is not licensed to certify."
        ),
    )
    organisation = models.CharField(_("issuing organisation"), max_length=500)
    licence = models.CharField(
        _("licence"),
        max_length=500,
        blank=True,
        help_text=_("The educational licence: number, date and who issued it."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty if the certificate does not expire."),
    )
    heading = models.CharField(
        _("heading"),
        max_length=200,
        blank=True,
        help_text=_("Printed above the holder's name; empty prints the kind of document."),
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_("The paragraph under the holder's name. Placeholders: see below."),
    )
    footer = models.TextField(_("footer"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    background = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self) -> str:
        return str(self.program.title)

    TEXT_FIELDS = ("heading", "body", "footer")

    def clean(self) -> None:
        """Refuse a text with a placeholder the renderer does not know, or a malformed one, on
        every path that validates the model (the admin's forms, `full_clean`)."""
        super().clean()
        errors = {
            field: message
            for field in self.TEXT_FIELDS
            if (message := placeholder_error(getattr(self, field) or ""))
        }
        if errors:
            raise ValidationError(errors)

    # The admin's preview: the certificate as it prints, filled with a sample trainee.
    @property
    def preview_modes(self):
        return [("", _("Printed page")), ("pdf", "PDF")]

    @property
    def default_preview_size(self):
        return "desktop"

    def serve_preview(self, request, mode_name):
        from .preview import serve_template_preview  # the renderer imports these models

        return serve_template_preview(template=self, pdf=mode_name == "pdf")


class CertificateSignatory(Orderable):
    template = ParentalKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatories"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)

    class Meta(Orderable.Meta):
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


class SerialCounter(models.Model):
    """The last sequence number given in a region in a year (serials) or ever (year 0: the
    registration numbers). Locked while a number is taken, so that two issuances never share one
    and a rolled-back one leaves no gap."""

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="certificates_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last}"


class Certificate(models.Model):
    """An issued удостоверение or сертификат, with the frozen copy of what it prints."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        ANNULLED = "annulled", _("Annulled at the holder's request")
        SUPERSEDED = "superseded", _("Superseded")
        EXPIRED = "expired", _("Expired")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("enrolment"),
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("cohort")
    )
    program = models.ForeignKey(
        ProgramPage, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    serial = models.CharField(_("serial"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    registration_number = models.CharField(_("registration number"), max_length=20)
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_on = models.DateField(_("date of issue"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    # The frozen copy: what the document prints, as it was on the day of issue.
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    program_title = models.CharField(_("programme"), max_length=500)
    total_hours = models.DecimalField(_("academic hours"), max_digits=6, decimal_places=1)
    practice_hours = models.DecimalField(_("practice hours"), max_digits=6, decimal_places=1)
    studied_from = models.DateField(_("studied from"))
    studied_to = models.DateField(_("studied until"))
    region_name = models.CharField(_("region"), max_length=120)
    organisation = models.CharField(_("issuing organisation"), max_length=500)
    printed = models.JSONField(
        _("printed text"),
        default=dict,
        help_text=_("Heading, text, footer, licence, city and signatories as printed."),
    )

    pdf = models.FileField(
        _("PDF"), upload_to="certificates/%Y/", storage=private_storage, blank=True
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    reissue_reason = models.CharField(_("reason for reissue"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revocation_public_reason = models.CharField(
        _("reason shown on verification"), max_length=300, blank=True
    )
    # Set when the holder's data is erased at their request (privacy.erasure): the name and
    # the PDF are gone, and verification says so without naming anyone.
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "sequence"], name="certificates_serial_per_region_year"
            ),
            models.UniqueConstraint(
                fields=["region", "registration_number"],
                name="certificates_registration_per_region",
            ),
            # One original certificate per enrolment; a correction is a reissue that `replaces`
            # it (and a certificate is replaced at most once: `replaces` is one-to-one).
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(replaces__isnull=True),
                name="certificates_one_original_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    def status_on(self, day: dt.date) -> str:
        """Annulled, revoked, superseded, expired (the day after `expires_on`) or valid, in
        that order."""
        if self.annulled_at is not None:
            return self.Status.ANNULLED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.successor is not None:
            return self.Status.SUPERSEDED
        if self.expires_on is not None and day > self.expires_on:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def revoked_on(self) -> dt.date | None:
        """The day of the revocation in the certificate's region, as verification prints it."""
        if self.revoked_at is None:
            return None
        return self.revoked_at.astimezone(ZoneInfo(self.region.time_zone)).date()

    @property
    def successor(self) -> Certificate | None:
        try:
            return self.replaced_by
        except Certificate.DoesNotExist:
            return None

    def freshness_scopes(self) -> list[str]:
        # Its holder's pages and cohort's, and every verification page (core.freshness).
        return [
            *freshness.enrolment_scopes(self.trainee_id, self.cohort_id),
            freshness.CERTIFICATES,
        ]


class CertificateBatch(models.Model):
    """Issuing a cohort's certificates in the background: one item per trainee.

    Workers take pending items one at a time (`SELECT … FOR UPDATE SKIP LOCKED`), so several
    workers share a batch and a worker killed mid-item leaves that item pending for the next.
    """

    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        related_name="certificate_batches",
        verbose_name=_("cohort"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate issuance")
        verbose_name_plural = _("certificate issuances")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One unfinished batch per cohort: starting again while one runs resumes it.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=models.Q(finished_at__isnull=True),
                name="certificates_one_running_batch_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.created_at:%Y-%m-%d %H:%M}"


class BatchItem(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ISSUED = "issued", _("Issued, PDF being made")
        DONE = "done", _("Issued")
        ALREADY = "already", _("Issued before")
        NOT_ELIGIBLE = "not_eligible", _("Not yet eligible")
        FAILED = "failed", _("Failed")

    FINISHED = (State.DONE, State.ALREADY, State.NOT_ELIGIBLE, State.FAILED)

    batch = models.ForeignKey(CertificateBatch, on_delete=models.CASCADE, related_name="items")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "enrolment"], name="certificates_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.enrolment_id}: {self.state}"


class VerificationRequest(freshness.NotShown, models.Model):
    """One look-up on the public verification pages, kept only as long as the limit's window.

    Counted in the database for the reason `security.throttle` gives: the web tier keeps no state
    and may run on several machines. Only the client's address is kept, never the code asked for.
    """

    ip_address = models.GenericIPAddressField(_("address"), null=True, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), db_index=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")

    def __str__(self) -> str:
        return f"{self.ip_address} {self.requested_at:%Y-%m-%d %H:%M}"
