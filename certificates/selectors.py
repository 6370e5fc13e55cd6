"""Reads of certificates, scoped to who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from courses.selectors import cohorts_managed_by, teaches_cohort

from .models import BatchItem, Certificate, CertificateBatch


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this (normalised) verification code, with what its status needs."""
    return Certificate.objects.select_related("replaced_by").filter(code=code).first()


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
