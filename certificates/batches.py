"""Issuing a cohort's certificates in bulk: starting (or resuming) a batch, and draining it.

A batch has one item per trainee. `batch_start` writes the items and, once that is committed,
enqueues `CERTIFICATE_WORKERS_HINT` drain tasks (`certificates.tasks.issue_batch`), so that as
many `db_worker` processes, on this machine or others on the same database, can share it. Each
drain (`batch_work`) takes the next free item with `SELECT … FOR UPDATE SKIP LOCKED` and moves it
one step at a time, committing after each:

    pending ──issue_certificate──▶ issued ──ensure_pdf──▶ done
       └──▶ already / not_eligible / failed

A worker killed at any moment leaves every item either pending (its transaction rolled back,
the serial it was taking with it: no gap) or issued with a certificate still missing its PDF;
both are taken again by the next drain. The drains still queued finish the job after a worker
dies; when none is left, `batch_start` on a batch with no progress for `STALL_AFTER` queues new
ones (the cohort page's «Продолжить»), and `manage.py issue_certificates` drains in-process.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Cohort, Enrolment

from .models import BatchItem, CertificateBatch
from .selectors import is_stalled
from .services import AlreadyIssued, NotEligible, NoTemplate, ensure_pdf, issue_certificate

logger = logging.getLogger(__name__)

State = BatchItem.State
OPEN = (State.PENDING, State.ISSUED)


def workers_hint() -> int:
    """How many drain tasks a batch queues: as many workers as may share it."""
    return max(1, int(getattr(settings, "CERTIFICATE_WORKERS_HINT", 4)))


def _enqueue_drains(batch_id: int) -> None:
    from .tasks import issue_batch  # the task module imports this one

    for _index in range(workers_hint()):
        issue_batch.enqueue(batch_id)


def _add_items(batch: CertificateBatch) -> int:
    """One item per trainee of the cohort not withdrawn; those already in the batch are kept."""
    enrolments = (
        Enrolment.objects.filter(cohort_id=batch.cohort_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exclude(pk__in=batch.items.values("enrolment"))
        .values_list("pk", flat=True)
    )
    created = BatchItem.objects.bulk_create(
        [BatchItem(batch=batch, enrolment_id=pk) for pk in enrolments], ignore_conflicts=True
    )
    return len(created)


STARTED, RESUMED, RUNNING = "started", "resumed", "running"


def batch_start(
    *, cohort: Cohort, started_by=None, enqueue: bool = True
) -> tuple[CertificateBatch, str]:
    """Start the cohort's certificate batch, or resume the one that is unfinished.

    Returns the batch and what this call did: STARTED a new one, RESUMED a stalled one (new
    drains queued) or found it RUNNING (nothing queued). The cohort's row is locked while
    deciding, so a double click or two people at once end up with the same batch. Resuming adds
    trainees enrolled since and, if the batch has stalled (no progress for `STALL_AFTER`), queues
    new drains; a batch still moving is left to its workers. `enqueue=False` queues nothing: the
    caller drains the batch itself (the `issue_certificates` command).
    """
    with transaction.atomic():
        Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
        batch = CertificateBatch.objects.filter(cohort=cohort, finished_at__isnull=True).first()
        if batch is not None and _finish_if_done(batch.pk):
            batch = None  # every item closed, yet not marked: its last drain died at the end
        if batch is None:
            outcome = STARTED
            batch = CertificateBatch.objects.create(cohort=cohort, started_by=started_by)
            _add_items(batch)
        else:
            stalled = is_stalled(batch)
            added = _add_items(batch)
            if not (stalled or added):
                return batch, RUNNING
            outcome = RESUMED
        if enqueue:
            transaction.on_commit(lambda: _enqueue_drains(batch.pk))
    return batch, outcome


def _take(batch_id: int, *, states, pk: int | None = None) -> BatchItem | None:
    """The next item in one of `states` that no other worker holds, locked until commit."""
    items = BatchItem.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        batch_id=batch_id, state__in=states
    )
    if pk is not None:
        items = items.filter(pk=pk)
    return items.select_related("enrolment__cohort__region", "enrolment__trainee").first()


def _failed(item: BatchItem, error: Exception, *, step: str) -> None:
    logger.exception(
        "Certificate batch %s: %s failed for enrolment %s", item.batch_id, step, item.enrolment_id
    )
    item.state = State.FAILED
    if isinstance(error, NoTemplate):
        item.detail = str(error)
    else:
        item.detail = _("%(step)s failed: %(error)s") % {
            "step": step,
            "error": str(error) or type(error).__name__,
        }


def _issue(item: BatchItem, *, issued_by) -> None:
    """Step 1, inside the item's transaction: the numbers and the frozen row, or why not."""
    try:
        certificate = issue_certificate(enrolment=item.enrolment, issued_by=issued_by)
    except NotEligible as error:
        item.state, item.detail = State.NOT_ELIGIBLE, "\n".join(error.missing)
    except AlreadyIssued as error:
        # The enrolment's original may have been reissued since: list the one in force (the
        # last of its reissues), so that the page names the serial the holder now has.
        current = error.certificate
        while (following := current.successor) is not None:
            current = following
        item.state, item.certificate = State.ALREADY, current
        item.detail = _("Issued before: %(serial)s.") % {"serial": current.serial}
    except Exception as error:
        _failed(item, error, step=_("Issuing"))
    else:
        item.state, item.certificate, item.detail = State.ISSUED, certificate, ""
    item.save(update_fields=["state", "certificate", "detail", "updated_at"])


def _render(item: BatchItem) -> None:
    """Step 2, inside the item's transaction: the PDF of the certificate issued in step 1."""
    try:
        ensure_pdf(certificate=item.certificate)
    except Exception as error:
        _failed(item, error, step=_("Making the PDF"))
    else:
        item.state, item.detail = State.DONE, ""
    item.save(update_fields=["state", "detail", "updated_at"])


def _finish_if_done(batch_id: int) -> bool:
    """Mark the batch finished once no item is open. Each drain asks after its own last commit,
    so whichever finishes last sees every item closed."""
    if BatchItem.objects.filter(batch_id=batch_id, state__in=OPEN).exists():
        return False
    CertificateBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    return True


def batch_work(*, batch_id: int, on_step: Any = None) -> int:
    """Drain the batch: take free items one by one until none is left; return how many steps
    this worker made. `on_step` (if given) is called after each, for a progress bar.

    Several workers may drain the same batch at once: an item is locked by the one working on
    it and skipped by the others. Each step is its own transaction, so a worker that dies loses
    at most the step it was making.
    """
    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.finished_at is not None:
        return 0
    # The reasons stored on the items are in the site's language, whichever process (a worker,
    # a request, the terminal) happens to write them.
    with translation.override(settings.LANGUAGE_CODE):
        return _drain(batch, on_step=on_step)


def _drain(batch: CertificateBatch, *, on_step: Any) -> int:
    batch_id = batch.pk
    steps = 0
    while True:
        with transaction.atomic():
            item = _take(batch_id, states=OPEN)
            if item is None:
                break
            if item.state == State.PENDING:
                _issue(item, issued_by=batch.started_by)
            else:
                _render(item)
        steps += 1
        if on_step is not None:
            on_step()
        if item.state == State.ISSUED:
            # Straight on to its PDF, unless another worker took it in the meantime.
            with transaction.atomic():
                same = _take(batch_id, states=(State.ISSUED,), pk=item.pk)
                if same is not None:
                    _render(same)
            if same is not None:
                steps += 1
                if on_step is not None:
                    on_step()
        elif item.state == State.ALREADY and not item.certificate.pdf:
            # Issued before but its PDF never made (a single issuance cut short): make it now.
            try:
                ensure_pdf(certificate=item.certificate)
            except Exception:
                logger.exception("Could not make the PDF of %s", item.certificate)
    _finish_if_done(batch_id)
    return steps
