"""A real `db_worker` killed in the middle of a batch, then restarted: no duplicate, no gap.

The worker is a subprocess on the test database (PostgreSQL), with the database queue for tasks
(`TASKS_BACKEND` in lms/settings/test.py) and the test's private media directory, so that the
PDFs it stores are the ones this test reads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import override_settings

from certificates.batches import batch_start
from certificates.models import BatchItem, Certificate, CertificateBatch
from tests.concurrency import concurrency_test

from .conftest import School

ROOT = Path(settings.BASE_DIR)
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TRAINEES = 12


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{host}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "DB_CONN_MAX_AGE": "0",
    }


def worker(*extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            *extra,
        ],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@concurrency_test
def test_a_worker_killed_mid_batch_and_restarted_leaves_no_duplicate_and_no_gap():
    school = School(completed=TRAINEES)
    with override_settings(TASKS=QUEUED, CERTIFICATE_WORKERS_HINT=3):
        batch, _outcome = batch_start(cohort=school.cohort, started_by=school.official)
    items = BatchItem.objects.filter(batch=batch)
    done = items.filter(state=BatchItem.State.DONE)

    first = worker()
    try:
        wait_for(lambda: done.count() >= 3, timeout=40, what="three certificates")
    finally:
        first.send_signal(signal.SIGKILL)  # no clean shutdown: mid-step, wherever it is
        first.wait(timeout=10)
    first.stderr.close()
    left = items.exclude(state__in=BatchItem.FINISHED).count()
    assert left > 0, "the worker finished before it was killed: nothing was tested"

    second = worker("--batch")  # drains what is queued, then exits
    _out, errors = second.communicate(timeout=60)
    assert second.returncode == 0, errors.decode()

    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert set(items.values_list("state", flat=True)) == {
        BatchItem.State.DONE,
        BatchItem.State.NOT_ELIGIBLE,
    }
    certificates = Certificate.objects.filter(cohort=school.cohort)
    # Exactly one certificate for each trainee who completed, none for the one who has not.
    assert sorted(certificates.values_list("enrolment_id", flat=True)) == sorted(
        enrolment.pk for enrolment in school.done
    )
    assert sorted(certificates.values_list("sequence", flat=True)) == list(range(1, TRAINEES + 1))
    assert sorted(
        int(number.split("/")[1])
        for number in certificates.values_list("registration_number", flat=True)
    ) == list(range(1, TRAINEES + 1))
    for certificate in certificates:
        assert certificate.pdf, certificate.serial
        assert certificate.pdf.storage.exists(certificate.pdf.name), certificate.serial
        assert certificate.pdf.read()[:5] == b"%PDF-"
    assert CertificateBatch.objects.filter(cohort=school.cohort).count() == 1
