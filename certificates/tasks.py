"""Background work of the certificates, run by the Django Tasks worker (`db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .batches import batch_work


@task()
def issue_batch(batch_id: int) -> int:
    """Drain a certificate batch alongside the other workers given the same batch.

    `batches.batch_start` queues several of these per batch, so that several workers share it
    and a worker that dies leaves the rest of the batch to the drains still queued. Returns how
    many steps this drain made (0 when the others had finished it).
    """
    return batch_work(batch_id=batch_id)
