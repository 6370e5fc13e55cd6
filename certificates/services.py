"""Issuing, rendering, revoking and reissuing certificates: every write of the app.

Views, the bulk-issuance task, the `issue_certificates` command and the demo all call these, so
that the rules (only a trainee who has completed, one original per enrolment, a serial unique per
region and year with no gaps) hold whoever issues.

Issuing is two steps. `issue_certificate` takes the numbers and writes the certificate with its
frozen copy, in a short transaction that holds the region's counter row only for that. Then
`ensure_pdf` renders the PDF from the frozen copy and stores it. Rendering outside the counter's
lock lets several workers issue a region's certificates at once; a worker killed between the two
steps leaves a certificate whose PDF the next `ensure_pdf` (a restarted batch, or the first
download) makes from the same frozen copy.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment
from notifications.services import notify
from records.selectors import trainee_record

from .codes import new_code
from .models import Certificate, CertificateTemplate, DocumentKind, SerialCounter
from .rendering import render_certificate_pdf

QUALIFICATION_MIN_HOURS = Decimal(16)
REGISTRATION = 0  # the counter "year" of the registration numbers, which never restart


class NotEligible(Exception):
    """The trainee has not completed: `missing` names each rule not met and what it lacks."""

    def __init__(self, missing: list[str]):
        super().__init__("; ".join(missing))
        self.missing = missing


class NoTemplate(Exception):
    pass


class AlreadyIssued(Exception):
    def __init__(self, certificate: Certificate):
        super().__init__(certificate.serial)
        self.certificate = certificate


def document_kind(*, template: CertificateTemplate, total_hours: Decimal) -> str:
    """An удостоверение for 16 academic hours or more, unless the programme always gives a
    сертификат; a сертификат for anything shorter."""
    if template.kind_rule == CertificateTemplate.KindRule.BY_HOURS and (
        total_hours >= QUALIFICATION_MIN_HOURS
    ):
        return DocumentKind.QUALIFICATION
    return DocumentKind.CERTIFICATE


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_date(*, issued_on: dt.date, validity_months: int | None) -> dt.date | None:
    """The last day a certificate is valid: the day before the same date `months` later."""
    if not validity_months:
        return None
    return add_months(issued_on, validity_months) - dt.timedelta(days=1)


def region_today(region) -> dt.date:
    """Today's date where the certificate is issued."""
    return timezone.now().astimezone(ZoneInfo(region.time_zone)).date()


def _take_number(region, year: int) -> int:
    """The next number of a counter, with its row locked until the caller's transaction ends."""
    SerialCounter.objects.get_or_create(region=region, year=year)
    counter = SerialCounter.objects.select_for_update().get(region=region, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def template_of(program) -> CertificateTemplate:
    try:
        template = CertificateTemplate.objects.prefetch_related("signatories").get(program=program)
    except CertificateTemplate.DoesNotExist:
        raise NoTemplate(
            _("No certificate template is set up for the programme «%(program)s».")
            % {"program": program.title}
        ) from None
    if not template.organisation.strip():
        # An adopted programme's template comes without who issues it (replication).
        raise NoTemplate(
            _(
                "The certificate template of «%(program)s» names no issuing organisation: "
                "complete it first."
            )
            % {"program": program.title}
        )
    return template


def _frozen_copy(
    *, enrolment: Enrolment, template: CertificateTemplate, total, practice, issued_on: dt.date
) -> dict:
    trainee, cohort = enrolment.trainee, enrolment.cohort
    return {
        "trainee": trainee,
        "cohort": cohort,
        "program": enrolment.program,
        "region": cohort.region,
        "kind": document_kind(template=template, total_hours=total),
        "last_name": trainee.last_name,
        "first_name": trainee.first_name,
        "patronymic": trainee.patronymic,
        "program_title": enrolment.program.title,
        "total_hours": total,
        "practice_hours": practice,
        # The trainee's own period: from when they joined the cohort (its start at the earliest)
        # to its end, or to the day of issue for one who completed before the cohort ended.
        "studied_from": max(cohort.starts_on, enrolment.enrolled_on),
        "studied_to": min(cohort.ends_on, issued_on),
        "region_name": cohort.region.name,
        "organisation": template.organisation,
        "printed": {
            "heading": template.heading,
            "body": template.body,
            "footer": template.footer,
            "licence": template.licence,
            "city": template.city,
            "signatories": [
                {"name": signatory.name, "position": signatory.position}
                for signatory in template.signatories.all()
            ],
            "logo": template.logo.file.name if template.logo_id else "",
            "background": template.background.file.name if template.background_id else "",
        },
    }


@transaction.atomic
def issue_certificate(
    *,
    enrolment: Enrolment,
    issued_by=None,
    replaces: Certificate | None = None,
    reissue_reason: str = "",
) -> Certificate:
    """Issue the enrolment's certificate (without its PDF: `ensure_pdf` makes that).

    Refused with NotEligible unless `records.selectors.trainee_record` says the trainee has
    completed, and with AlreadyIssued if the enrolment has its certificate already. A reissue
    (`replaces`) copies the trainee's and programme's details as they are now and is not asked to
    complete again: it corrects a document, it does not award one.
    """
    template = template_of(enrolment.program)
    record = trainee_record(enrolment=enrolment)
    if replaces is None:
        existing = Certificate.objects.filter(enrolment=enrolment, replaces__isnull=True).first()
        if existing is not None:
            raise AlreadyIssued(existing)
        if not record.complete:
            raise NotEligible(
                [
                    _("%(rule)s — not yet: %(detail)s") % {"rule": rule.name, "detail": rule.detail}
                    for rule in record.completion.rules
                    if not rule.met
                ]
            )
    region = enrolment.cohort.region
    issued_on = region_today(region)
    # The registration counter first, then the year's: always in this order, so two issuances
    # never wait for each other's second lock.
    registration = _take_number(region, REGISTRATION)
    sequence = _take_number(region, issued_on.year)
    frozen = _frozen_copy(
        issued_on=issued_on,
        enrolment=enrolment,
        template=template,
        total=record.breakdown.total_hours,
        practice=record.breakdown.practice_hours,
    )
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                enrolment=enrolment,
                serial=f"{region.code}-{issued_on.year}-{sequence:05d}",
                year=issued_on.year,
                sequence=sequence,
                registration_number=f"{region.code}/{registration}",
                code=new_code(),
                issued_on=issued_on,
                expires_on=expiry_date(
                    issued_on=issued_on, validity_months=template.validity_months
                ),
                issued_by=issued_by,
                replaces=replaces,
                reissue_reason=reissue_reason,
                **frozen,
            )
    except IntegrityError:
        # Another issuance of the same enrolment won the race (the unique rule of originals).
        existing = Certificate.objects.filter(enrolment=enrolment, replaces__isnull=True).first()
        if existing is None or replaces is not None:
            raise
        raise AlreadyIssued(existing) from None


def ensure_pdf(*, certificate: Certificate) -> Certificate:
    """Render and store the certificate's PDF if it has none yet; the stored bytes never change.

    The row is locked while rendering, so two callers do not both store one. An annulled
    certificate (its holder's data erased) is never made again.
    """
    if certificate.pdf or certificate.annulled_at is not None:
        return certificate
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not locked.pdf:
            content = render_certificate_pdf(locked)
            locked.pdf.save(f"{locked.serial}.pdf", ContentFile(content), save=False)
            locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256"])
    certificate.pdf, certificate.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return certificate


def issue_with_pdf(*, enrolment: Enrolment, issued_by=None) -> Certificate:
    """Issue one certificate and make its PDF at once (a single issuance, not a batch)."""
    return ensure_pdf(certificate=issue_certificate(enrolment=enrolment, issued_by=issued_by))


class CannotChange(Exception):
    """The certificate is no longer in force (revoked or replaced): nothing more to change."""


def _locked_current(certificate: Certificate) -> Certificate:
    """The certificate's row, locked, if it is still in force; CannotChange otherwise.

    The lock makes a double-clicked revocation or two reissues at once wait for each other, and
    the second then finds the first's result and is refused with a message instead of a 500.
    """
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise CannotChange(_("This certificate has already been revoked."))
    if Certificate.objects.filter(replaces=locked).exists():
        raise CannotChange(_("This certificate has already been replaced by a reissued one."))
    return locked


def holder_url(certificate: Certificate) -> str:
    """Where the holder sees the certificate: the record of its enrolment."""
    return reverse("records:record", args=[certificate.enrolment_id])


@transaction.atomic
def revoke_certificate(
    *, certificate: Certificate, by, reason: str, public_reason: str = ""
) -> Certificate:
    """Revoke with a reason (kept for staff) and optionally one that verification shows, and
    tell the holder. Only the public reason reaches the holder: the internal one may name
    things (a complaint, a check) that are for the school's files."""
    locked = _locked_current(certificate)
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revocation_reason = reason
    locked.revocation_public_reason = public_reason
    locked.save(
        update_fields=[
            "revoked_at",
            "revoked_by",
            "revocation_reason",
            "revocation_public_reason",
        ]
    )
    notify(
        recipient=locked.trainee,
        subject=_("Your certificate No. %(serial)s has been revoked") % {"serial": locked.serial},
        body=(
            _("Reason: %(reason)s") % {"reason": public_reason}
            if public_reason
            else _("Your school's coordinator can tell you more.")
        ),
        url=holder_url(locked),
    )
    return locked


def reissue_certificate(*, certificate: Certificate, by, reason: str) -> Certificate:
    """A corrected certificate that replaces this one, with the details as they are now.

    The new one takes a new serial and code; the old one keeps its PDF and verifies as
    replaced, naming the new serial (never its code, which is its holder's to share).
    """
    with transaction.atomic():
        locked = _locked_current(certificate)
        new = issue_certificate(
            enrolment=locked.enrolment, issued_by=by, replaces=locked, reissue_reason=reason
        )
        notify(
            recipient=new.trainee,
            subject=_("Your certificate has been reissued: No. %(serial)s replaces No. %(old)s")
            % {"serial": new.serial, "old": locked.serial},
            body=_("Reason: %(reason)s") % {"reason": reason},
            url=holder_url(new),
        )
    return ensure_pdf(certificate=new)
