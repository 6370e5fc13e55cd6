"""Reads of certificates, scoped to who asks.

Who may see, download, revoke or reissue a certificate is decided here once; views and the
template tags ask these functions rather than test roles themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Region
from accounts.roles import Role
from courses.selectors import (
    cohorts_managed_by,
    cohorts_visible_to,
    follows_cohorts,
    is_administrator,
    sees_all_regions,
    teaches_cohort,
)

from .models import BatchItem, Certificate, CertificateBatch
from .services import region_today

# The trainee is told to recertify this long before the certificate expires (and after).
RECERTIFY_NOTICE = dt.timedelta(days=60)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this (normalised) verification code, with what its status needs."""
    return Certificate.objects.select_related("replaced_by", "region").filter(code=code).first()


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates the staff may see: those of the cohorts they follow (`cohorts_visible_to`:
    a regional official's region, an instructor's own cohorts, everything for federal officials
    and administrators). Trainees see none here: their own are on their home and record."""
    certificates = Certificate.objects.select_related("region", "trainee", "cohort")
    if not follows_cohorts(user):
        return certificates.none()
    return certificates.filter(cohort__in=cohorts_visible_to(user).values("pk"))


def certificates_downloadable_by(user) -> QuerySet[Certificate]:
    """Certificates whose PDF the user may ask for: their own (a certificate once issued
    belongs to its holder, even after a withdrawal) and those of the cohorts they follow.
    `holder_may_download` then refuses the holder a revoked or replaced one."""
    certificates = Certificate.objects.select_related("region", "trainee", "cohort")
    if not user.is_authenticated:
        return certificates.none()
    visible = Q(trainee=user)
    if follows_cohorts(user):
        visible |= Q(cohort__in=cohorts_visible_to(user).values("pk"))
    return certificates.filter(visible)


def holder_may_download(certificate: Certificate) -> bool:
    """A holder gets only the document in force: a revoked one is no longer theirs to show,
    and a replaced one has a corrected successor. Staff still get both, for the record."""
    return certificate.revoked_at is None and certificate.successor is None


def can_revoke(user, certificate: Certificate) -> bool:
    """Who may revoke or reissue: administrators, federal officials, and the regional officials
    of the certificate's region. Instructors may not: the document is the organisation's."""
    if not user.is_authenticated:
        return False
    if is_administrator(user) or sees_all_regions(user):
        return True
    return Role.REGIONAL_OFFICIAL in user.role_names and user.region_id == certificate.region_id


def certificate_chain(certificate: Certificate) -> list[Certificate]:
    """The certificate with the ones it replaced and the ones that replaced it, oldest first.

    Reissues are rare (a name correction or two), so walking the links is a few queries."""
    older: list[Certificate] = []
    current = certificate
    while current.replaces_id is not None:
        current = Certificate.objects.select_related("issued_by", "revoked_by").get(
            pk=current.replaces_id
        )
        older.append(current)
    newer: list[Certificate] = []
    current = certificate
    while (following := current.successor) is not None:
        following = Certificate.objects.select_related("issued_by", "revoked_by").get(
            pk=following.pk
        )
        newer.append(following)
        current = following
    return [*reversed(older), certificate, *newer]


@dataclass(frozen=True)
class CertificateState:
    """A certificate as its holder and the people who follow the cohort see it today."""

    certificate: Certificate
    status: str
    today: dt.date
    replaced: Certificate | None  # the one this certificate replaced, if a reissue

    @property
    def recertify(self) -> bool:
        """Time to study again: the last `RECERTIFY_NOTICE` before expiry, or after it."""
        expires_on = self.certificate.expires_on
        return (
            expires_on is not None
            and self.status in (Certificate.Status.VALID, Certificate.Status.EXPIRED)
            and self.today >= expires_on - RECERTIFY_NOTICE
        )


def certificate_status(certificate: Certificate, *, today: dt.date | None = None) -> str:
    """The certificate's status on the region's date (verification and every page agree)."""
    return certificate.status_on(today or region_today(certificate.region))


def current_certificates(*, trainee_id: int) -> dict[int, CertificateState]:
    """Each enrolment's certificate in force (the last of its reissues) for one trainee, in
    one query whatever the number of enrolments and reissues."""
    certificates = list(
        Certificate.objects.filter(trainee_id=trainee_id)
        .select_related("region")
        .order_by("enrolment_id", "created_at", "pk")
    )
    replaced_ids = {c.replaces_id for c in certificates if c.replaces_id is not None}
    by_pk = {c.pk: c for c in certificates}
    states: dict[int, CertificateState] = {}
    for certificate in certificates:
        if certificate.pk in replaced_ids:
            continue
        # It has no successor (none in the list replaces it): say so, so that `status_on` and
        # `successor` ask the database nothing more.
        Certificate.replaced_by.related.set_cached_value(certificate, None)
        today = region_today(certificate.region)
        states[certificate.enrolment_id] = CertificateState(
            certificate=certificate,
            status=certificate.status_on(today),
            today=today,
            replaced=by_pk.get(certificate.replaces_id),
        )
    return states


def status_filter(status: str, *, day: dt.date) -> Q:
    """`Certificate.status_on(day)` as a database condition, in the same order of precedence:
    annulled, revoked, then superseded, then expired (the day after `expires_on`), else valid."""
    annulled = Q(annulled_at__isnull=False)
    revoked = annulled | Q(revoked_at__isnull=False)
    superseded = Q(replaced_by__isnull=False)
    expired = Q(expires_on__lt=day)
    if status == Certificate.Status.ANNULLED:
        return annulled
    if status == Certificate.Status.REVOKED:
        return ~annulled & revoked
    if status == Certificate.Status.SUPERSEDED:
        return ~revoked & superseded
    if status == Certificate.Status.EXPIRED:
        return ~revoked & ~superseded & expired
    if status == Certificate.Status.VALID:
        return ~revoked & ~superseded & (Q(expires_on__isnull=True) | ~expired)
    raise ValueError(status)


def register_certificates(
    *,
    user,
    day: dt.date,
    region=None,
    cohort=None,
    status: str = "",
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    search: str = "",
) -> QuerySet[Certificate]:
    """The register of issued certificates as `user` may see it, filtered; what the register
    page, its XLSX and CSV and the federal register's export all read, so they never differ.

    The search matches the serial, or every word of it against the printed name.
    """
    certificates = certificates_visible_to(user).select_related("cohort", "replaced_by")
    if region is not None:
        certificates = certificates.filter(region=region)
    if cohort is not None:
        certificates = certificates.filter(cohort=cohort)
    if status:
        certificates = certificates.filter(status_filter(status, day=day))
    if issued_from is not None:
        certificates = certificates.filter(issued_on__gte=issued_from)
    if issued_to is not None:
        certificates = certificates.filter(issued_on__lte=issued_to)
    search = search.strip()
    if search:
        by_name = Q()
        for word in search.split():
            by_name &= (
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
            )
        certificates = certificates.filter(Q(serial__icontains=search) | by_name)
    return certificates.order_by("-issued_on", "-pk")


def register_regions(user) -> QuerySet[Region]:
    """The regions of the cohorts the user follows: the register's region filter offers these."""
    return Region.objects.filter(pk__in=cohorts_visible_to(user).values("region")).order_by("name")


def reports_to_federal_register(user) -> bool:
    """Officials and administrators send the ФИС ФРДО report: it carries the СНИЛС and dates
    of birth trainees gave for it, which instructors have no use for."""
    if not user.is_authenticated:
        return False
    return is_administrator(user) or bool(
        user.role_names & {Role.REGIONAL_OFFICIAL, Role.FEDERAL_OFFICIAL}
    )


# Bulk issuance ------------------------------------------------------------------------------

# A running batch whose items have not moved for this long has lost its workers: starting it
# again queues new drains (the cohort page's «Продолжить»).
STALL_AFTER = dt.timedelta(minutes=2)


def last_progress(batch: CertificateBatch) -> dt.datetime:
    """When anything last happened to the batch: its start or an item's last step."""
    moved = batch.items.aggregate(last=Max("updated_at"))["last"]
    return max(filter(None, (batch.created_at, moved)))


def is_stalled(batch: CertificateBatch, *, now: dt.datetime | None = None) -> bool:
    """Unfinished and without progress for `STALL_AFTER`: its workers died or were never run."""
    if batch.finished_at is not None:
        return False
    return (now or timezone.now()) - last_progress(batch) >= STALL_AFTER


def can_issue_certificates(user, cohort) -> bool:
    """Who issues a cohort's certificates: its instructors, the officials who oversee it (their
    region's, or federal) and administrators. Trainees never."""
    if not user.is_authenticated:
        return False
    return teaches_cohort(user, cohort) or cohorts_managed_by(user).filter(pk=cohort.pk).exists()


@dataclass
class BatchProgress:
    """Where a batch stands: counts for the bar, and the lists under it."""

    batch: CertificateBatch
    total: int
    finished: int
    issued: list[BatchItem] = field(default_factory=list)  # done, or issued and PDF coming
    already: list[BatchItem] = field(default_factory=list)
    not_eligible: list[BatchItem] = field(default_factory=list)
    failed: list[BatchItem] = field(default_factory=list)
    waiting: int = 0
    stalled: bool = False

    @property
    def running(self) -> bool:
        return self.batch.finished_at is None

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.finished * 100 // self.total


def batch_progress(batch: CertificateBatch) -> BatchProgress:
    """The batch's items by state, in the roster's order, with the trainees and certificates the
    lists print (a fixed number of queries whatever the size of the cohort)."""
    items = list(
        batch.items.select_related("enrolment__trainee", "certificate").order_by(
            "enrolment__trainee__last_name", "enrolment__trainee__first_name", "pk"
        )
    )
    state = BatchItem.State
    progress = BatchProgress(
        batch=batch,
        total=len(items),
        finished=sum(item.state in BatchItem.FINISHED for item in items),
    )
    lists = {
        state.DONE: progress.issued,
        state.ISSUED: progress.issued,
        state.ALREADY: progress.already,
        state.NOT_ELIGIBLE: progress.not_eligible,
        state.FAILED: progress.failed,
    }
    for item in items:
        if item.state in lists:
            lists[item.state].append(item)
        else:
            progress.waiting += 1
    if progress.running:
        moved = max((item.updated_at for item in items), default=None)
        latest = max(filter(None, (batch.created_at, moved)))
        progress.stalled = timezone.now() - latest >= STALL_AFTER
    return progress


def latest_batch(cohort) -> CertificateBatch | None:
    return CertificateBatch.objects.filter(cohort=cohort).order_by("-created_at", "-pk").first()


def cohort_certificate_count(cohort) -> int:
    """Certificates in force or not, originals and reissues alike, that name this cohort."""
    return Certificate.objects.filter(cohort=cohort).count()
