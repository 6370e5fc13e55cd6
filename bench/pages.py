"""Benchmark of every page people use, at national scale (`make bench`); not a test.

On the synthetic national set at two sizes (a tenth and the full 30,600 trainees: the databases
of `bench/dashboards.py`, built with `make_synthetic` or reused) the site is served as in
production (gunicorn, 2 sync workers, `lms.settings.production`, PostgreSQL, Redis; see
`bench/harness.py`) and driven from other processes with C connections, signed in as the people
who use each page, in the first region of the set:

- a trainee of a running cohort, partway through: «Моё обучение», the programme, a module, a
  lesson, a case study, the quiz's page, an open attempt, saving an answer, the schedule, the
  inbox, their record; and, one trainee per request (each may do it once), starting a quiz and
  submitting an attempt;
- the holder of a certificate: its PDF; anyone: its public verification (each request from an
  address of its own, as visitors come: look-ups are limited per address, and the server is
  told it stands behind one proxy);
- the cohort's instructor: the cohort page, the gradebook, the grading queue;
- the region's official and the federal official: their dashboards;
- the floor: a bare Django view behind the same middleware (`core.views.floor`).

The floor is measured between every two bursts of the pages, in rounds (`bench.dashboards.
measure`, shared). Targets (issue 13): each trainee page, the verification and the download
within 12× the floor, the staff pages and dashboards within 25×; no error; the same queries at
both sizes; no page more than 1.5× slower against the floor at full size than at a tenth. A
table goes to the terminal and JSON to bench/results/; the exit status is 1 when a target is
missed.

    .venv/bin/python bench/pages.py [--duration 2] [--rounds 4] [--connections 4]
        [--sizes tenth,full] [--reuse] [--keep] [--only key,key]
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
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

TRAINEE, STAFF = 12, 25
FLOOR = synthetic.FLOOR
# One-off requests (a quiz started, an attempt submitted, a code looked up from an address of
# its own) prepared per size: enough for every burst at the pace these pages reach.
ONE_OFF = 1500


def _csrf(cookie: str) -> str:
    return re.search(r"csrftoken=([^;]+)", cookie).group(1)


def post(path: str, cookie: str, base_url: str, fields: dict[str, str]) -> dict:
    """A form's POST as a browser sends it over HTTPS: the session, the CSRF cookie and token,
    and the site's own origin (which Django checks on secure requests)."""
    return {
        "method": "POST",
        "path": path,
        "headers": {
            "Cookie": cookie,
            "X-CSRFToken": _csrf(cookie),
            "Origin": base_url.replace("http://", "https://"),
            "Referer": base_url.replace("http://", "https://") + path,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "body": urllib.parse.urlencode(fields),
    }


def get(path: str, headers: dict[str, str]) -> dict:
    return {"method": "GET", "path": path, "headers": headers, "body": ""}


def answers_of(server: harness.Server, path: str, cookie: str) -> dict[str, str]:
    """The first choice of every question of an attempt's page, as its form would send them."""
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
        if not (kind and name and value) or kind.group(1) not in ("radio", "checkbox"):
            continue
        fields.setdefault(html.unescape(name.group(1)), html.unescape(value.group(1)))
    if not fields:
        raise RuntimeError(f"{path} shows no question to answer")
    return fields


def pages(server: harness.Server, size: str) -> list[synthetic.Page]:
    """The floor and the pages, on the database of `size` (this process uses it): the people
    and the objects are chosen here, and the one-off requests prepared."""
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
    # The region's running cohort furthest on: its trainees have the most to show.
    cohort = running.filter(region__code=code).order_by("starts_on", "pk").first()
    quiz = QuizPage.objects.live().descendant_of(cohort.program).order_by("path").first()
    enrolments = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ACTIVE)
    trainee = enrolments.select_related("trainee").order_by("pk").first().trainee
    attempt = attempt_start(user=trainee, quiz=quiz)  # open, for the attempt's page and saving
    instructor = cohort.instructors.order_by("pk").first()
    certificate = (
        Certificate.objects.filter(revoked_at__isnull=True, replaced_by__isnull=True)
        .filter(region__code=code)
        .select_related("trainee")
        .order_by("pk")
        .first()
    )
    ensure_pdf(certificate)
    federal = f"{USERNAME_PREFIX}federal"
    official = f"{USERNAME_PREFIX}{code}-official"

    def first(model):
        return model.objects.live().descendant_of(cohort.program).order_by("path").first()

    cookies = {
        user.username: harness.session_cookie(user.username)
        for user in (trainee, instructor, certificate.trainee)
    }
    cookies[federal] = harness.session_cookie(federal)
    cookies[official] = harness.session_cookie(official)
    you = cookies[trainee.username]
    attempt_path = reverse("assessments:attempt", args=(attempt.pk,))
    answers = answers_of(server, attempt_path, you)

    # One-off requests, each by a trainee of a running cohort who may still take the quiz.
    may_take = (
        Enrolment.objects.filter(cohort__in=running, status=Enrolment.Status.ACTIVE)
        .exclude(trainee=trainee)
        .exclude(
            pk__in=QuizAttempt.objects.filter(quiz=quiz)
            .values("enrolment_id")
            .annotate_count_placeholder()
        )
    )
    del may_take  # replaced below
    return []


def main() -> int:
    raise SystemExit("unfinished")


if __name__ == "__main__":
    sys.exit(main())
