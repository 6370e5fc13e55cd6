"""Benchmark of every page people use, at national scale (`make bench`); not a test.

On the synthetic national set at two sizes (a tenth and the full 30,600 trainees: the databases
of `bench/dashboards.py`, built with `make_synthetic` or reused) the site is served as in
production (gunicorn, 2 sync workers, `lms.settings.production`, PostgreSQL, Redis; see
`bench/harness.py`) and driven from other processes with 4 connections, signed in as the people
who use each page, in the first region of the set:

- a trainee of its running cohort furthest on: «Моё обучение», the programme, a module, a lesson,
  a case study, the quiz's page, an open attempt, saving an answer, the schedule, the inbox,
  their record; and, one trainee after another (each may do it only so often), starting the quiz
  and submitting an attempt started beforehand (graded, and the refresh of the cohort's figures
  queued for the task worker, as every submission does: no worker runs during the benchmark);
- the holder of a certificate: its PDF; anyone: its public verification, each look-up from an
  address of its own as visitors come (look-ups are limited per address: the server is told it
  stands behind one proxy, which names the address);
- the cohort's instructor: the cohort page, the gradebook, the grading queue;
- the region's official and the federal official: their dashboards;
- the floor: a bare Django view behind the same middleware (`core.views.floor`).

The floor is measured between every two bursts of the pages, in rounds, and each page's ratio
is the median of its bursts' against the floor's on either side (`bench.dashboards.measure`,
shared). Targets (issue 13): every trainee page, the verification and the download within 12×
the floor, the staff pages and dashboards within 25×; no error; the same queries at both sizes;
no page more than 1.5× slower against the floor at full size than at a tenth. A table goes to
the terminal and JSON to bench/results/; the exit status is 1 when a target is missed.

    .venv/bin/python bench/pages.py [--duration 2] [--rounds 4] [--connections 4]
        [--sizes tenth,full] [--reuse] [--keep]
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's directory comes first on the path, and its neighbour
# `dashboards.py` would hide the `dashboards` app.
sys.path[:1] = [str(ROOT)]

from bench import dashboards as synthetic  # noqa: E402
from bench import harness  # noqa: E402
from bench.dashboards import FLOOR, Page  # noqa: E402

TRAINEE, STAFF = 12, 25
# One-off requests prepared for each size (a quiz started by one trainee, an attempt submitted,
# a code looked up from an address): more than every burst sends at the pace these pages reach.
ONE_OFF = 800
HOUR = dt.timedelta(hours=1)


def _csrf(cookie: str) -> str:
    return re.search(r"csrftoken=([^;]+)", cookie).group(1)


def post(base_url: str, path: str, cookie: str, fields: dict[str, str] | None = None) -> dict:
    """A form's POST as a browser sends it over HTTPS: the session, the CSRF cookie and its
    token, and the site's own origin (which Django checks on secure requests)."""
    origin = base_url.replace("http://", "https://")
    return {
        "method": "POST",
        "path": path,
        "headers": {
            "Cookie": cookie,
            "X-CSRFToken": _csrf(cookie),
            "Origin": origin,
            "Referer": origin + path,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "body": urllib.parse.urlencode(fields or {}),
    }


def answers_of(server: harness.Server, path: str, cookie: str) -> dict[str, str]:
    """The first choice of every question on an attempt's page, as its form sends them."""
    request = urllib.request.Request(
        server.base_url + path, headers={**harness.PROXY_HEADERS, "Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        kind = re.search(r'type="(\w+)"', tag)
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and name and value and kind.group(1) in ("radio", "checkbox"):
            fields.setdefault(html.unescape(name.group(1)), html.unescape(value.group(1)))
    if not fields:
        raise RuntimeError(f"{path} shows no question to answer")
    return fields


def pages(server: harness.Server, size: str) -> list[Page]:
    """The floor and the pages, on the database of `size` (this process uses it): the people and
    objects are chosen, and the one-off requests prepared, here."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from assessments.models import QuizAttempt, QuizPage
    from assessments.services import attempt_start
    from certificates.codes import display_code
    from certificates.models import Certificate
    from certificates.services import ensure_pdf
    from courses.models import CaseStudyPage, Enrolment, LessonPage, ModulePage
    from dashboards.synthetic import USERNAME_PREFIX, synthetic_cohorts

    today = timezone.localdate()
    running = synthetic_cohorts().filter(starts_on__lte=today, ends_on__gte=today)
    code = synthetic_cohorts().order_by("region__code").values_list("region__code", flat=True)[0]
    # The region's running cohort furthest on: its trainees have the most on their pages.
    cohort = running.filter(region__code=code).order_by("starts_on", "pk").first()
    program = cohort.program

    def first(model):
        return model.objects.live().descendant_of(program).order_by("path").first()

    module, lesson, case, quiz = (
        first(ModulePage),
        first(LessonPage),
        first(CaseStudyPage),
        first(QuizPage),
    )
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
    # The cohort's first trainee with an attempt open (an earlier run's, on a reused database)
    # or one left to start: its page, and saving an answer.
    for enrolment in active.filter(cohort=cohort).select_related("trainee").order_by("pk"):
        trainee = enrolment.trainee
        attempt = (
            QuizAttempt.objects.filter(
                enrolment=enrolment, quiz=quiz, status=QuizAttempt.Status.IN_PROGRESS
            )
            # One with an hour left at least: the run must not see it expire.
            .filter(
                Q(deadline__isnull=True) | Q(deadline__gt=timezone.now() + dt.timedelta(hours=1))
            )
            .first()
        )
        if attempt is None and enrolment.quiz_attempts.filter(quiz=quiz).count() < (
            quiz.attempts_allowed
        ):
            attempt = attempt_start(user=trainee, quiz=quiz)
        if attempt is not None:
            break
    instructor = cohort.instructors.order_by("pk")[0]
    certificate = (
        Certificate.objects.filter(
            region__code=code, revoked_at__isnull=True, replaced_by__isnull=True
        )
        .select_related("trainee")
        .order_by("pk")[0]
    )
    if certificate.pdf and not certificate.pdf.storage.exists(certificate.pdf.name):
        # A reused database remembers the PDF of an earlier run, whose folder is gone.
        Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_sha256="")
        certificate.refresh_from_db()
    ensure_pdf(certificate=certificate)
    federal, official = f"{USERNAME_PREFIX}federal", f"{USERNAME_PREFIX}{code}-official"
    you = harness.session_cookie(trainee.username)
    attempt_path = reverse("assessments:attempt", args=(attempt.pk,))

    # Trainees of the running cohorts who may start the quiz once more, none with one open:
    # the first half start one each, the second half submit one started here.
    takers = list(
        active.filter(cohort__in=running)
        .exclude(trainee=trainee)
        .annotate(
            taken=Count("quiz_attempts", filter=Q(quiz_attempts__quiz=quiz)),
            open=Count(
                "quiz_attempts",
                filter=Q(
                    quiz_attempts__quiz=quiz,
                    quiz_attempts__status=QuizAttempt.Status.IN_PROGRESS,
                ),
            ),
        )
        .filter(taken__lt=quiz.attempts_allowed, open=0)
        .select_related("trainee")
        .order_by("pk")[: 2 * ONE_OFF]
    )
    starters, submitters = takers[: len(takers) // 2], takers[len(takers) // 2 :]
    start_path = reverse("assessments:start", args=(quiz.pk,))
    starts = [
        post(server.base_url, start_path, harness.session_cookie(e.trainee.username))
        for e in starters
    ]
    submits = [
        post(
            server.base_url,
            reverse("assessments:submit", args=(attempt_start(user=e.trainee, quiz=quiz).pk,)),
            harness.session_cookie(e.trainee.username),
        )
        for e in submitters
    ]
    verify_path = reverse("certificates:verify", args=(display_code(certificate.code),))
    first_visitor = int(ipaddress.ip_address("10.0.0.1"))
    verifications = [
        {
            "method": "GET",
            "path": verify_path,
            "headers": {"X-Forwarded-For": str(ipaddress.ip_address(first_visitor + number))},
            "body": "",
        }
        for number in range(ONE_OFF)
    ]
    answers = answers_of(server, attempt_path, you)

    def trainee_page(key: str, label: str, path: str) -> Page:
        return Page(key, label, path, trainee.username, target=TRAINEE)

    def staff_page(key: str, label: str, path: str, username: str) -> Page:
        return Page(key, label, path, username, target=STAFF)

    return [
        Page(FLOOR, "floor (bare view)", harness.FLOOR_PATH, trainee.username, target=None),
        trainee_page("home", "trainee: Моё обучение", reverse("courses:learning")),
        trainee_page("programme", "trainee: programme", program.url),
        trainee_page("module", "trainee: module", module.url),
        trainee_page("lesson", "trainee: lesson", lesson.url),
        trainee_page("case", "trainee: case study", case.url),
        trainee_page("quiz", "trainee: quiz page", quiz.url),
        trainee_page("attempt", "trainee: quiz attempt", attempt_path),
        Page(
            "answer",
            "trainee: answer saved",
            attempt_path,
            "",
            target=TRAINEE,
            listed=[
                post(
                    server.base_url,
                    reverse("assessments:autosave", args=(attempt.pk,)),
                    you,
                    answers,
                )
            ]
            * (ONE_OFF * 10),
            status=302,
        ),
        Page(
            "start",
            "trainee: quiz started",
            start_path,
            "",
            target=TRAINEE,
            listed=starts,
            status=302,
        ),
        Page(
            "submit",
            "trainee: attempt submitted",
            start_path,
            "",
            target=TRAINEE,
            listed=submits,
            status=302,
        ),
        trainee_page("schedule", "trainee: schedule", reverse("schedule:mine")),
        trainee_page("inbox", "trainee: notifications", reverse("notifications:list")),
        trainee_page("record", "trainee: record", reverse("records:mine")),
        Page(
            "download",
            "holder: certificate PDF",
            reverse("certificates:download", args=(certificate.pk,)),
            certificate.trainee.username,
            target=TRAINEE,
        ),
        Page(
            "verify",
            "anyone: verification",
            verify_path,
            "",
            target=TRAINEE,
            listed=verifications,
        ),
        staff_page(
            "cohort",
            "instructor: cohort page",
            reverse("courses:cohort_detail", args=(cohort.pk,)),
            instructor.username,
        ),
        staff_page(
            "gradebook",
            "instructor: gradebook",
            reverse("records:gradebook", args=(cohort.pk,)),
            instructor.username,
        ),
        staff_page(
            "queue",
            "instructor: grading queue",
            reverse("assessments:queue", args=(cohort.pk,)),
            instructor.username,
        ),
        staff_page(
            "region",
            "official: region dashboard",
            reverse("dashboards:region", args=(code,)),
            official,
        ),
        staff_page("federal", "federal: dashboard", reverse("dashboards:federal"), federal),
    ]


if __name__ == "__main__":
    sys.exit(
        synthetic.main(
            name="pages",
            make_pages=pages,
            # The verification's visitors each come from an address of their own, named by the
            # proxy in X-Forwarded-For.
            extra_env={"TRUSTED_PROXY_COUNT": "1"},
            rounds=4,
            description=__doc__,
            met=(
                f"Every trainee page within {TRAINEE}× the floor and every staff page within "
                f"{STAFF}× at each size, at most {synthetic.TARGET_GROWTH}× slower at full size "
                "with the same queries, no error."
            ),
        )
    )
