"""Benchmark of the certificates (`make bench-certificates`); not part of the test suite.

(a) One certificate: our whole path (`ensure_pdf` on a fresh row: the HTML, the QR code, WeasyPrint,
    the storage and the row) against bare WeasyPrint rendering the same HTML string with the same
    stylesheet and fonts; the median of RUNS each, interleaved. Target: at most 1.3×.
(b) A batch of 200 certificates drained by 1 `db_worker` process, then by 2, timed from the
    enqueue to the batch's end. Target: 2 workers at least 1.6× faster.

It creates a PostgreSQL database of its own (`lms_bench_certificates`, dropped at the end), on
the server of `BENCH_DATABASE_URL` or `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/),
migrates it and fills it with bulk inserts. The results go to bench/results/ as JSON.

    .venv/bin/python bench/certificates.py [--runs 15] [--trainees 200] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's directory comes first on the path, and its name would hide the
# `certificates` app.
sys.path[:1] = [str(ROOT)]

from bench.harness import RESULTS, create_database, database_url, drop_database  # noqa: E402

DB_NAME = "lms_bench_certificates"
TARGET_ONE = 1.3
TARGET_WORKERS = 1.6


def configure() -> dict[str, str]:
    """The environment shared by this process and its workers: the bench database, the database
    queue for tasks, one private media directory."""
    media = tempfile.mkdtemp(prefix="lms-bench-private-")
    env = {
        "DATABASE_URL": database_url(DB_NAME),
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TEST_PRIVATE_MEDIA_ROOT": media,
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


# The data -------------------------------------------------------------------------------------


def build_cohort(trainees: int):
    """A programme with its template and a cohort of `trainees` who have all completed, written
    with bulk inserts (the factories of the test suite for the pages, not the people)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from assessments.models import CaseGrade, CaseSubmission
    from courses.models import ActivityCompletion, ActivityPage, CaseStudyPage, Enrolment
    from tests import factories

    factories.site_home()
    program = factories.program(
        [[("theory", "4"), ("practice", "14")]], title="Школа социальных координаторов"
    )
    factories.certificate_template(
        program,
        body="прошёл(ла) обучение по программе «{program}» в объёме {total_hours} ак. ч.",
    )
    cohort = factories.cohort(program, name="Группа 1", capacity=trainees)
    grader = factories.user("Instructor", username="bench-grader")
    User = get_user_model()
    region = cohort.region
    people = User.objects.bulk_create(
        [
            User(
                username=f"bench{i}",
                first_name=f"Мария{i}",
                last_name="Иванова",
                patronymic="Петровна",
                email=f"bench{i}@example.org",
                region=region,
                password="!",
            )
            for i in range(trainees)
        ]
    )
    role = Group.objects.get(name="Trainee")
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=person.pk, group_id=role.pk) for person in people]
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                trainee=person,
                cohort=cohort,
                program=program,
                enrolled_on=min(cohort.starts_on, timezone.localdate()),
            )
            for person in people
        ]
    )
    now = timezone.now()
    activities = list(ActivityPage.objects.descendant_of(program).live().specific())
    completions, submissions = [], []
    for activity in activities:
        case = isinstance(activity, CaseStudyPage)
        for enrolment in enrolments:
            completions.append(
                ActivityCompletion(
                    enrolment=enrolment,
                    activity=activity,
                    source=ActivityCompletion.Source.SUBMISSION
                    if case
                    else ActivityCompletion.Source.SELF,
                    completed_at=now,
                )
            )
            if case:
                submissions.append(
                    CaseSubmission(
                        enrolment=enrolment,
                        case=activity,
                        status=CaseSubmission.Status.GRADED,
                        submitted_at=now,
                        times_submitted=1,
                    )
                )
    ActivityCompletion.objects.bulk_create(completions)
    CaseSubmission.objects.bulk_create(submissions)
    CaseGrade.objects.bulk_create(
        [
            CaseGrade(
                submission=submission,
                grader=grader,
                score=Decimal("90"),
                max_score=Decimal("100"),
                percent=Decimal("90"),
                graded_at=now,
                released_at=now,
            )
            for submission in submissions
        ]
    )
    return cohort, enrolments


def clear_certificates() -> None:
    """Back to no certificate and no batch, counters at zero (between the timed batches)."""
    from django_tasks_db.models import DBTaskResult

    from certificates.models import Certificate, CertificateBatch, SerialCounter

    CertificateBatch.objects.all().delete()
    Certificate.objects.all().delete()
    SerialCounter.objects.all().delete()
    DBTaskResult.objects.all().delete()


# (a) one certificate ---------------------------------------------------------------------------


def bare_weasyprint(html: str) -> bytes:
    """WeasyPrint alone on the finished HTML, with the same stylesheet and fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from certificates.rendering import STATIC, STYLESHEET

    fonts = FontConfiguration()
    return weasyprint.HTML(string=html, base_url=str(STATIC)).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(STYLESHEET), font_config=fonts)],
        font_config=fonts,
    )


def bench_one(enrolments, runs: int) -> dict:
    from certificates.rendering import certificate_html
    from certificates.services import ensure_pdf, issue_certificate

    certificates = [issue_certificate(enrolment=e) for e in enrolments[: runs + 1]]
    # One of each first: imports, font loading and template compilation are not the subject.
    ensure_pdf(certificate=certificates[0])
    bare_weasyprint(certificate_html(certificates[0]))

    ours, bare, htmls = [], [], []
    for index, certificate in enumerate(certificates[1:]):
        start = time.perf_counter()
        html = certificate_html(certificate)  # the same string, built outside the timing
        htmls.append(time.perf_counter() - start)

        def time_bare(html=html):
            start = time.perf_counter()
            bare_weasyprint(html)
            bare.append(time.perf_counter() - start)

        def time_ours(certificate=certificate):
            start = time.perf_counter()
            ensure_pdf(certificate=certificate)
            ours.append(time.perf_counter() - start)

        # Interleaved, and each goes first half of the time.
        for run in (time_bare, time_ours) if index % 2 else (time_ours, time_bare):
            run()
    ratio = statistics.median(ours) / statistics.median(bare)
    return {
        "runs": runs,
        "ours_median_s": round(statistics.median(ours), 4),
        "bare_median_s": round(statistics.median(bare), 4),
        # Of ours: the HTML with its QR code (template, segno), timed on its own.
        "html_median_s": round(statistics.median(htmls), 4),
        # The fastest of each: what the code costs when nothing else runs on the machine.
        "ours_min_s": round(min(ours), 4),
        "bare_min_s": round(min(bare), 4),
        "ratio": round(ratio, 3),
        "target": TARGET_ONE,
        "meets": ratio <= TARGET_ONE,
    }


# (b) 1 worker against 2 ------------------------------------------------------------------------


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-startup-delay",
                "--interval",
                "0.1",
                "--worker-id",
                f"bench-{count}-{index}",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for index in range(count)
    ]
    for process in workers:  # ready once it says so: its start-up is not part of the timing
        for line in process.stdout:
            if "Starting worker" in line:
                break
        else:
            raise RuntimeError("a worker exited before it started")
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        process.send_signal(signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed_batch(
    cohort, workers: int, env: dict[str, str], *, timeout: float = 900
) -> tuple[float, list[int]]:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from certificates.batches import batch_start
    from certificates.models import BatchItem, CertificateBatch

    clear_certificates()
    processes = start_workers(workers, env)
    try:
        # As many drains as workers: each worker takes one and they share the batch's items.
        with override_settings(CERTIFICATE_WORKERS_HINT=workers):
            start = time.perf_counter()
            batch, _outcome = batch_start(cohort=cohort)
        deadline = time.monotonic() + timeout
        while not CertificateBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the batch did not finish in {timeout} s")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        stop_workers(processes)
    states = set(BatchItem.objects.filter(batch=batch).values_list("state", flat=True))
    if states != {BatchItem.State.DONE}:
        raise RuntimeError(f"the batch ended with items in {sorted(states)}")
    # Each drain returns the steps it made (two per certificate): how the work was shared.
    shares = sorted(
        DBTaskResult.objects.filter(task_path="certificates.tasks.issue_batch").values_list(
            "return_value", flat=True
        ),
        reverse=True,
    )
    return elapsed, shares


def bench_workers(cohort, env: dict[str, str]) -> dict:
    one, one_shares = timed_batch(cohort, 1, env)
    two, two_shares = timed_batch(cohort, 2, env)
    speedup = one / two
    return {
        "certificates": cohort.enrolments.count(),
        "one_worker_s": round(one, 2),
        "two_workers_s": round(two, 2),
        "steps_per_drain_one": one_shares,
        "steps_per_drain_two": two_shares,
        "speedup": round(speedup, 3),
        "target": TARGET_WORKERS,
        "meets": speedup >= TARGET_WORKERS,
    }


# ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="certificates timed in (a)")
    parser.add_argument("--trainees", type=int, default=200, help="the batch of (b)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-workers", action="store_true", help="measure (a) only")
    args = parser.parse_args()

    env = configure()
    create_database(DB_NAME)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print(f"Migrating {DB_NAME}…", flush=True)
        call_command("migrate", verbosity=0)
        cohort, enrolments = build_cohort(max(args.trainees, args.runs + 1))
        cpus = os.cpu_count()
        print(f"{len(enrolments)} trainees who completed; {cpus} CPUs.", flush=True)

        print(f"(a) one certificate, {args.runs} runs each, interleaved…", flush=True)
        one = bench_one(enrolments, args.runs)
        print(
            f"    ours {one['ours_median_s'] * 1000:.0f} ms, bare WeasyPrint "
            f"{one['bare_median_s'] * 1000:.0f} ms (medians; our HTML and QR code alone "
            f"{one['html_median_s'] * 1000:.0f} ms); fastest {one['ours_min_s'] * 1000:.0f} "
            f"and {one['bare_min_s'] * 1000:.0f} ms",
            flush=True,
        )
        workers = None
        if not args.skip_workers:
            print(f"(b) {len(enrolments)} certificates, 1 worker then 2…", flush=True)
            workers = bench_workers(cohort, env)
            print(
                f"    1 worker {workers['one_worker_s']:.1f} s, 2 workers "
                f"{workers['two_workers_s']:.1f} s; steps per drain "
                f"{workers['steps_per_drain_one']} and {workers['steps_per_drain_two']}",
                flush=True,
            )
        connection.close()
    finally:
        if not args.keep:
            drop_database(DB_NAME)

    def verdict(result: dict) -> str:
        return "meets the target" if result["meets"] else "MISSES the target"

    print(
        f"One certificate: {one['ratio']:.2f}× bare WeasyPrint (target ≤ {TARGET_ONE}×): "
        f"{verdict(one)}"
    )
    if workers is not None:
        print(
            f"2 workers against 1: {workers['speedup']:.2f}× faster "
            f"(target ≥ {TARGET_WORKERS}×): {verdict(workers)}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"certificates-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "when": stamp,
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average": os.getloadavg(),
                    "python": platform.python_version(),
                },
                "one_certificate": one,
                "workers": workers,
            },
            indent=2,
        )
    )
    print(f"Results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
