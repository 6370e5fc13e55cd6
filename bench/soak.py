"""Load with nothing lost (`make soak`); not a test, though `tests/test_soak.py` runs it small.

On a PostgreSQL database of its own (`lms_soak` on the server of `BENCH_DATABASE_URL` or
`DATABASE_URL`, see `bench/harness.py`), migrated and holding the demo school (`load_demo`), it
adds 100 trainees (`soak001`…, password `PASSWORD`) enrolled through `enrolment_create` in a
cohort of their own of the demo's programme in Tambov, «Нагрузочная группа», and two officials,
`soak-official` (Tambov) and `soak-federal`. The programme's quizzes allow 20 attempts (published
as a new revision, as an author would), so that a trainee does not run out of them in a minute.

The site is served as in production: gunicorn on 127.0.0.1 only (4 sync workers, as the README's
deployment has on a 2-core machine), `lms.settings.production`, Redis as the shared cache when
one answers, and a `db_worker` taking the dashboards' refreshes that every submission queues.

The load comes from another process (`--drive`, standard library only), in a few processes of
threads, one thread a person. Each person signs in through the sign-in page; once all have, the
clock starts. For `--seconds`, each trainee, pausing up to 2 × `--think` between requests, in
turn either

- opens a quiz, starts an attempt, saves answers a few times (the autosave endpoint as the
  page's script calls it, each save sending the questions changed since the last, so that every
  answer stays observable until the trainee changes it again), opens the summary, submits and
  opens the result; and now and then a second tab left on the questions saves once more after
  the submission, which the site refuses by design (409): counted as refused, not as an error,
  and checked not to have changed the graded attempt; or
- opens a case study, saves a draft of every task, changes one answer and submits (the form, as
  a browser sends it), each time following the redirect to the case page, which must say the
  work was saved and show the text just sent;

and the officials read their dashboards (federal, region, the soak cohort's) in turn.

The generator records what it considers ACCEPTED — a 2xx or the redirect the page gives on
success, with the JSON or the message that says so — and what it expects to be stored: the
attempt, the question and the value of each answer saved, in the trainee's order; the attempts
started and submitted; the text of each case work saved and whether it was submitted. Anything
else is an error (a 5xx, a connection error or time-out, an unexpected status, redirect or page),
and a request that failed that way may or may not have been stored ("uncertain"). Afterwards the
database is read directly (`check`): every accepted answer is in its attempt with the value
sent, or with a value a later save of the same question by the same trainee sent; every attempt
started exists, every accepted submission is graded; every case work saved holds its text (or a
later one), every submitted one is submitted, and counted as many times as it was submitted with
new content; nothing is stored that was never sent. Every background task queued during the run
must have succeeded once the queue is drained.

A table goes to the terminal (requests, accepted, refused, errors, p50 and p95 per kind, then
what was accepted and what was lost, and the CPU the load took: the web workers', the task
worker's, the whole machine's), JSON to bench/results/; the exit status is 1 on any error,
any loss, anything stored that was never accepted, or any failed task. The database is dropped
at the end unless `--keep`.

    .venv/bin/python bench/soak.py [--trainees 100] [--seconds 60] [--think 0.5]
        [--workers 4] [--processes 4] [--database lms_soak] [--keep]
"""

from __future__ import annotations

import argparse
import html
import http.client
import itertools
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if not __package__:
    # Run as a script, this file's directory comes first on the path, and its neighbour
    # `dashboards.py` would hide the `dashboards` app.
    sys.path[:1] = [str(ROOT)]

from bench import harness  # noqa: E402

DATABASE = "lms_soak"
PASSWORD = "soak-2026-load"
TRAINEE_PREFIX = "soak"
COHORT_NAME = "Нагрузочная группа"
REGION = "68"  # Tambov, the demo school's region
# username, role, region: who reads the dashboards during the load.
OFFICIALS = [
    ("soak-official", "Regional official", REGION),
    ("soak-federal", "Federal official", "77"),
]
ATTEMPTS = 20  # the most a quiz allows
QUIZ_SHARE = 0.7  # of a trainee's turns; the others are case work
LATE_SAVE_SHARE = 0.2  # of submitted attempts, saved once more from a second tab
SIGN_IN_TIMEOUT = 600  # seconds for every person to sign in before the clock starts
REQUEST_TIMEOUT = 120  # seconds, gunicorn's own time-out
SENTINEL = 987654321  # stands for an id in the paths handed to the generator
SAMPLES = 30  # error descriptions kept

ACCEPTED, REFUSED, UNCERTAIN = "accepted", "refused", "uncertain"


# The people and the plan ------------------------------------------------------------------------


def demo_program():
    from content.demo import curriculum
    from courses.models import ProgramPage

    return ProgramPage.objects.live().get(slug=curriculum.PROGRAM["slug"])


def _pattern(name: str) -> str:
    """A path of `name` with "{}" where its id goes."""
    from django.urls import reverse

    return reverse(name, args=(SENTINEL,)).replace(str(SENTINEL), "{}")


def _path(page) -> str:
    return urlsplit(page.url).path


def add_people(*, program, trainees: int) -> dict:
    """The soak's trainees, enrolled in a cohort of their own of `program`, and its officials;
    the programme's quizzes allowed `ATTEMPTS` attempts. Returns the plan the generator follows:
    who signs in, which quizzes and case studies they take, which pages the officials read."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Region
    from assessments.models import QuizPage
    from courses.models import CaseStudyPage, Cohort
    from courses.services import enrolment_create

    User = get_user_model()
    # Hashed once, by the hasher production signs people in with, whatever this process's
    # settings (the tests' hash with MD5).
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(PASSWORD, hasher.salt())
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        program=program,
        region=Region.objects.get(code=REGION),
        name=COHORT_NAME,
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=60),
        capacity=max(trainees, 1),
    )
    usernames = []
    for number in range(1, trainees + 1):
        username = f"{TRAINEE_PREFIX}{number:03d}"
        trainee = User.objects.create(
            username=username,
            last_name=f"Нагрузкин{number}",
            first_name="Тест",
            email=f"{username}@soak.example",
            email_confirmed=True,
            region=cohort.region,
            password=password,
        )
        enrolment_create(trainee=trainee, cohort=cohort)
        usernames.append(username)
    officials = []
    for username, role, code in OFFICIALS:
        official = User.objects.create(
            username=username,
            last_name="Наблюдатель",
            first_name="Тест",
            email=f"{username}@soak.example",
            email_confirmed=True,
            region=Region.objects.get(code=code),
            password=password,
        )
        official.groups.add(Group.objects.get(name=role))
        officials.append(official)
    region_page = reverse("dashboards:region", args=(REGION,))
    cohort_page = reverse("dashboards:cohort", args=(cohort.pk,))
    pages = {
        "soak-official": [("dashboard: region", region_page), ("dashboard: cohort", cohort_page)],
        "soak-federal": [
            ("dashboard: federal", reverse("dashboards:federal")),
            ("dashboard: region", region_page),
        ],
    }

    quizzes = []
    for quiz in QuizPage.objects.live().descendant_of(program).order_by("path"):
        if quiz.attempts_allowed < ATTEMPTS:
            quiz.attempts_allowed = ATTEMPTS
            quiz.save_revision().publish()
        quizzes.append({"pk": quiz.pk, "path": _path(quiz), "attempts": quiz.attempts_allowed})
    cases = [
        {"pk": case.pk, "path": _path(case)}
        for case in CaseStudyPage.objects.live().descendant_of(program).order_by("path")
    ]
    if not quizzes or not cases:
        raise RuntimeError("The programme has no live quiz or no live case study to take.")
    return {
        "cohort": cohort.pk,
        "password": PASSWORD,
        "trainees": usernames,
        "officials": [{"username": o.username, "pages": pages[o.username]} for o in officials],
        "quizzes": quizzes,
        "cases": cases,
        "paths": {
            "login": reverse("accounts:login"),
            "start": _pattern("assessments:start"),
            "attempt": _pattern("assessments:attempt"),
            "autosave": _pattern("assessments:autosave"),
            "summary": _pattern("assessments:summary"),
            "submit": _pattern("assessments:submit"),
            "result": _pattern("assessments:result"),
            "casework": _pattern("assessments:casework_save"),
        },
    }


# The site -------------------------------------------------------------------------------------


def site_environment(folder: Path) -> dict[str, str]:
    """Production settings as the benchmarks run them (`harness.site_environment`), with a cache
    prefix of the soak's own."""
    env = harness.site_environment(static_root=folder / "static", media_root=folder)
    env["CACHE_KEY_PREFIX"] = "soak-" + secrets.token_hex(4)
    # The refusals by design (a 409 for each late save) are the generator's to count; the
    # server's log keeps its errors.
    env["LOG_LEVEL"] = "ERROR"
    return env


def collect_static(env: dict[str, str], *, compress: bool = True) -> None:
    """The static files production serves. Uncompressed (`compress=False`: the same hashed names
    and manifest, without WhiteNoise's gzip and Brotli copies, 3 s here instead of 37 s) for the
    test, whose load asks for no static file."""
    if compress:
        harness.collect_static(env)
        return
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "from django.core.management import call_command; "
        "from django.test import override_settings; "
        "plain = {'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}; "
        "override_settings(STORAGES={**settings.STORAGES, 'staticfiles': plain}).enable(); "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=harness.ROOT, env={**os.environ, **env}, check=True
    )


@dataclass
class Site:
    """gunicorn (`harness.Server`) and one `db_worker` on `database`; `stop` stops the server,
    lets the worker drain the queue, stops it and says how the tasks went."""

    env: dict[str, str]
    database: str
    log: Path  # the worker's output
    workers: int = 4
    server: harness.Server | None = None
    worker: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def start(self) -> Site:
        database_env = {**os.environ, **harness.with_database(self.env, self.database)}
        with self.log.open("w") as log:
            self.worker = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                    "--worker-id",
                    "soak",
                ],
                cwd=harness.ROOT,
                env=database_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # The server starts meanwhile.
        self.server = harness.Server(self.env, self.database, workers=self.workers)
        try:
            self.server.start()
            deadline = time.monotonic() + 60
            while "Starting worker" not in self.log.read_text():
                if self.worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"db_worker did not start:\n{self.log.read_text()}")
                time.sleep(0.1)
        except BaseException:
            self.server.stop()
            self._stop_worker()
            raise
        return self

    def _stop_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            return
        self.worker.send_signal(signal.SIGTERM)
        try:
            self.worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()

    def drain(self, *, timeout: float = 300) -> None:
        """Wait for the worker to finish every task queued (this process must be set up on the
        same database)."""
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        deadline = time.monotonic() + timeout
        while waiting.exists() and time.monotonic() < deadline:
            if self.worker is None or self.worker.poll() is not None:
                break
            time.sleep(0.2)

    def statuses(self) -> Counter:
        """How many background tasks are in each state."""
        from django_tasks_db.models import DBTaskResult

        return Counter(DBTaskResult.objects.values_list("status", flat=True))

    def stop(self, *, drain: float = 300) -> dict:
        """Stop the server, let the worker finish every task queued, stop it; the tasks' tally."""
        from django_tasks_db.models import DBTaskResult

        if self.server is not None:
            self.server.stop()
        self.drain(timeout=drain)
        self._stop_worker()
        statuses = self.statuses()
        failed = list(
            DBTaskResult.objects.filter(status="FAILED").values_list("task_path", flat=True)[:5]
        )
        return {
            "statuses": dict(statuses),
            "failed": statuses.get("FAILED", 0),
            "left": statuses.get("READY", 0) + statuses.get("RUNNING", 0),
            "failed_samples": failed,
        }


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used, user and system (Linux's /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy so far, whoever used it (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuSampler(threading.Thread):
    """The CPU seconds of the web workers, of the task worker and of the whole machine, every
    half second, so that what the load alone cost can be read (`during`), without the signing
    in before it."""

    def __init__(self, site: Site):
        super().__init__(daemon=True)
        self.site, self.samples, self.done = site, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            web, tasks = self.site.server.cpu_seconds(), cpu_seconds(self.site.worker.pid)
            self.samples.append((time.time(), web, tasks, machine_busy_seconds()))
            self.done.wait(0.5)

    def during(self, began: float | None, ended: float | None) -> dict | None:
        inside = [s for s in self.samples if began and ended and began <= s[0] <= ended]
        if len(inside) < 2:
            return None
        (start, web, tasks, busy), (end, web_end, tasks_end, busy_end) = inside[0], inside[-1]
        return {
            "seconds": round(end - start, 1),
            "web_workers_s": round(web_end - web, 1),
            "task_worker_s": round(tasks_end - tasks, 1),
            # PostgreSQL, Redis, the generator and whatever else ran meanwhile included.
            "machine_busy_s": round(busy_end - busy, 1),
        }


# The load generator (standard library only: it runs in a process without Django) ---------------


class Stop(Exception):
    """The clock has run out: the person stops where they are."""


@dataclass
class Answer:
    status: int
    location: str
    body: str
    seconds: float


class Tally:
    """Per kind of request: how many, their statuses and latencies, the errors and refusals."""

    def __init__(self):
        self.kinds: dict[str, dict] = {}
        self.samples: list[str] = []

    def _kind(self, kind: str) -> dict:
        return self.kinds.setdefault(
            kind, {"requests": 0, "errors": 0, "refused": {}, "statuses": {}, "latencies": []}
        )

    def answered(self, kind: str, answer: Answer) -> None:
        row = self._kind(kind)
        row["requests"] += 1
        row["statuses"][str(answer.status)] = row["statuses"].get(str(answer.status), 0) + 1
        row["latencies"].append(answer.seconds)

    def failed(self, kind: str, detail: str) -> None:
        """A request that got no answer at all."""
        self._kind(kind)["requests"] += 1
        self.error(kind, detail)

    def error(self, kind: str, detail: str) -> None:
        """A request answered, but not as it should have been (once per request)."""
        self._kind(kind)["errors"] += 1
        if len(self.samples) < SAMPLES:
            self.samples.append(f"{kind}: {detail}")

    def refused(self, kind: str, reason: str) -> None:
        """A request the site refused by design, for a reason the person gave it (once per
        request)."""
        refused = self._kind(kind)["refused"]
        refused[reason] = refused.get(reason, 0) + 1


class Browser:
    """One person's browser over HTTP/1.1: their cookies (Secure ones too: the proxy's HTTPS is
    stated by a header, as `harness.PROXY_HEADERS`), the CSRF token from its cookie, no redirect
    followed."""

    def __init__(self, base_url: str, tally: Tally):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{parts.netloc}"
        self.cookies: dict[str, str] = {}
        self.tally = tally

    def _keep(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        gone = any(a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes)
        if gone or value in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: int,
        fields: dict[str, list[str]] | None = None,
        multipart: bool = False,
        fetch: bool = False,
    ) -> Answer | None:
        """Send a request; None (and an error counted) unless it is answered with `expect`."""
        headers = {**harness.PROXY_HEADERS, "Accept": "text/html,application/json"}
        body = b""
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
            if multipart:
                boundary = "soak" + secrets.token_hex(12)
                body = _multipart(fields or {}, boundary)
                headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            else:
                body = urlencode(fields or {}, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if fetch:
                headers["X-Requested-With"] = "fetch"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(
                method, path, body=body if method == "POST" else None, headers=headers
            )
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.tally.failed(kind, f"{method} {path}: {type(error).__name__}: {error}")
            return None
        finally:
            connection.close()
        answer = Answer(
            response.status,
            response.getheader("Location") or "",
            data.decode("utf-8", "replace"),
            time.perf_counter() - start,
        )
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self._keep(value)
        self.tally.answered(kind, answer)
        if answer.status != expect:
            where = f" → {answer.location}" if answer.location else ""
            self.tally.error(kind, f"{method} {path}: {answer.status}{where}, not {expect}")
            return None
        return answer


def _multipart(fields: dict[str, list[str]], boundary: str) -> bytes:
    """The case form as a browser sends it: its fields, and the empty file input."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, values in fields.items()
        for value in values
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode()


_QUIZ_FORM = re.compile(r'<form\b[^>]*\bclass="quiz-form[^"]*"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b[^>]*>")
_SELECT = re.compile(r'<select\b[^>]*\sname="([^"]+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*\sname="task-(\d+)"[^>]*>(.*?)</textarea>', re.S)


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def questions_of(page: str) -> dict[int, dict]:
    """The questions of an attempt's form, as a person reads them: each one's kind (told by its
    inputs), field name, and choices — option tokens, matching rows and their pairs, ordering
    rows and positions."""
    form = _QUIZ_FORM.search(page)
    if form is None:
        return {}
    questions: dict[int, dict] = {}
    for tag in _INPUT.findall(form.group(1)):
        name = _attribute(tag, "name") or ""
        match = re.fullmatch(r"q(\d+)", name)
        if match is None:
            continue
        question = questions.setdefault(int(match[1]), {"name": name, "options": []})
        kind, value = _attribute(tag, "type"), _attribute(tag, "value") or ""
        if kind == "radio":
            question["kind"] = "true_false" if value in ("true", "false") else "single"
            question["options"].append(value)
        elif kind == "checkbox":
            question["kind"] = "multiple"
            question["options"].append(value)
        elif kind == "hidden":
            question["kind"] = "multiple"  # the marker that says "none chosen"
        elif kind == "text":
            classes = _attribute(tag, "class") or ""
            question["kind"] = "numeric" if "quiz-number" in classes else "short_text"
    for name, options in _SELECT.findall(form.group(1)):
        match = re.fullmatch(r"(q(\d+))-\w+", html.unescape(name))
        if match is None:
            continue
        values = [html.unescape(v) for v in _OPTION.findall(options) if v]
        question = questions.setdefault(int(match[2]), {"name": match[1], "rows": []})
        question["rows"].append(html.unescape(name))
        question["choices"] = values
        # Positions are 1, 2, …; matching pairs are tokens of ten hexadecimal digits.
        question["kind"] = (
            "ordering" if all(v.isdigit() and len(v) <= 3 for v in values) else "matching"
        )
    return questions


def answer_fields(question: dict, chance: random.Random, text: str) -> dict[str, list[str]]:
    """A new answer to `question`, as its form fields: a choice, a subset, a text, a number, a
    pairing or an order, drawn at random."""
    name, kind = question["name"], question["kind"]
    if kind in ("single", "true_false"):
        return {name: [chance.choice(question["options"])]}
    if kind == "multiple":
        options = question["options"]
        return {name: [*chance.sample(options, chance.randint(0, len(options))), ""]}
    if kind == "short_text":
        return {name: [text]}
    if kind == "numeric":
        number = chance.choice(
            [str(chance.randint(0, 5000)), f"{chance.randint(0, 99)},{chance.randint(1, 9)}"]
        )
        return {name: [number]}
    rows = question["rows"]
    if kind == "matching":
        pairs = chance.sample(question["choices"], len(rows))
        return {row: [pair] for row, pair in zip(rows, pairs, strict=True)}
    positions = chance.sample(range(1, len(rows) + 1), len(rows))  # ordering
    return {row: [str(position)] for row, position in zip(rows, positions, strict=True)}


class Person:
    """One simulated person: signs in, waits for everyone, then acts until the clock runs out."""

    def __init__(self, plan: dict, username: str, seed: str):
        self.plan, self.username = plan, username
        self.paths = plan["paths"]
        self.tally = Tally()
        self.browser = Browser(plan["base_url"], self.tally)
        self.chance = random.Random(f"{seed}-{username}")
        self.deadline = float("inf")
        self.began = self.ended = 0.0
        self.signed_in = False

    def pause(self) -> None:
        """Think, then stop if the time is up."""
        time.sleep(self.chance.uniform(0, 2 * self.plan["think"]))
        if time.monotonic() >= self.deadline:
            raise Stop

    def sign_in(self) -> None:
        login = self.paths["login"]
        if self.browser.call("sign-in page", "GET", login, expect=200) is None:
            return
        fields = {"username": [self.username], "password": [self.plan["password"]]}
        answer = self.browser.call("sign-in", "POST", login, expect=302, fields=fields)
        if answer is None:
            return
        if "sessionid" not in self.browser.cookies:
            self.tally.error("sign-in", f"{self.username}: no session after signing in")
            return
        self.signed_in = True

    def run(self, barrier) -> None:
        try:
            self.sign_in()
        except Exception as error:  # a fault of the generator: counted, never hidden
            self.tally.failed("generator", f"{type(error).__name__}: {error}")
        try:
            barrier.wait(timeout=SIGN_IN_TIMEOUT)
        except threading.BrokenBarrierError:
            self.tally.failed("generator", "not everyone signed in in time")
            return
        self.began = time.time()
        self.deadline = time.monotonic() + self.plan["seconds"]
        try:
            while self.signed_in:
                self.act()
        except Stop:
            pass
        except Exception as error:  # a fault of the generator: counted, never hidden
            self.tally.failed("generator", f"{type(error).__name__}: {error}")
        self.ended = time.time()

    def act(self) -> None:
        raise NotImplementedError

    def result(self) -> dict:
        return {
            "username": self.username,
            "tally": self.tally.kinds,
            "samples": self.tally.samples,
            "began": self.began,
            "ended": self.ended,
        }


class Official(Person):
    def __init__(self, plan: dict, official: dict, seed: str):
        super().__init__(plan, official["username"], seed)
        self.pages = itertools.cycle(official["pages"])

    def act(self) -> None:
        kind, path = next(self.pages)
        self.pause()
        self.browser.call(kind, "GET", path, expect=200)


class Trainee(Person):
    """A trainee's turns at quizzes and case work, and the record of what the site accepted."""

    def __init__(self, plan: dict, username: str, seed: str):
        super().__init__(plan, username, seed)
        self.sequence = itertools.count(1)  # this trainee's requests, in the order sent
        self.attempts: dict[int, int] = {}  # attempt → quiz
        self.used: Counter[int] = Counter()  # quiz → attempts started
        self.starts: list[dict] = []
        self.writes: list[dict] = []
        self.submits: list[dict] = []
        self.casework: list[dict] = []

    def path(self, name: str, pk: int) -> str:
        return self.paths[name].format(pk)

    def act(self) -> None:
        quizzes = [q for q in self.plan["quizzes"] if self.used[q["pk"]] < q["attempts"]]
        if quizzes and self.chance.random() < QUIZ_SHARE:
            self.take_quiz(self.chance.choice(quizzes))
        else:
            self.do_case(self.chance.choice(self.plan["cases"]))

    # Quizzes

    def take_quiz(self, quiz: dict) -> None:
        call = self.browser.call
        self.pause()
        if call("quiz page", "GET", quiz["path"], expect=200) is None:
            return
        self.pause()
        started = call("start", "POST", self.path("start", quiz["pk"]), expect=302)
        found = started and re.fullmatch(
            re.escape(self.paths["attempt"]).replace(r"\{\}", r"(\d+)"), started.location
        )
        if not found:
            if started is not None:
                self.tally.error("start", f"redirected to {started.location}")
            self.starts.append({"quiz": quiz["pk"], "attempt": None, "outcome": UNCERTAIN})
            return
        attempt = int(found[1])
        if attempt not in self.attempts:  # an attempt left open by an earlier error is resumed
            self.attempts[attempt] = quiz["pk"]
            self.used[quiz["pk"]] += 1
            self.starts.append({"quiz": quiz["pk"], "attempt": attempt, "outcome": ACCEPTED})
        self.pause()
        page = call("attempt page", "GET", self.path("attempt", attempt), expect=200)
        if page is None:
            return
        questions = questions_of(page.body)
        if not questions:
            self.tally.error("attempt page", f"attempt {attempt} shows no question")
            return
        for _save in range(self.chance.randint(2, 6)):
            self.pause()
            chosen = self.chance.sample(sorted(questions), min(len(questions), 3))
            self.save_answers(attempt, [questions[q] for q in chosen[: self.chance.randint(1, 3)]])
        self.pause()
        if call("summary", "GET", self.path("summary", attempt), expect=200) is None:
            return
        self.pause()
        submitted = call("submit", "POST", self.path("submit", attempt), expect=302)
        result = self.path("result", attempt)
        if submitted is not None and submitted.location != result:
            self.tally.error("submit", f"redirected to {submitted.location}")
            submitted = None
        outcome = ACCEPTED if submitted else UNCERTAIN
        self.submits.append({"attempt": attempt, "outcome": outcome})
        if submitted is None:
            return
        self.pause()
        call("result", "GET", result, expect=200)
        if self.chance.random() < LATE_SAVE_SHARE:
            self.pause()
            question = questions[self.chance.choice(sorted(questions))]
            self.save_answers(attempt, [question], late=True)

    def save_answers(self, attempt: int, questions: list[dict], *, late: bool = False) -> None:
        """Save new answers to `questions` as the page's script does (`X-Requested-With: fetch`,
        a JSON answer); `late`: from a tab left open after the attempt was submitted."""
        sequence = next(self.sequence)
        fields: dict[str, list[str]] = {}
        for question in questions:
            text = f"{self.username} ответ {sequence}"
            fields.update(answer_fields(question, self.chance, text))
        kind = "late answer save" if late else "answer save"
        answer = self.browser.call(
            kind,
            "POST",
            self.path("autosave", attempt),
            expect=409 if late else 200,
            fields=fields,
            fetch=True,
        )
        outcome = UNCERTAIN
        if answer is not None:
            try:
                data = json.loads(answer.body)
            except ValueError:
                data = {}
            if late and data.get("closed") and not data.get("saved"):
                self.tally.refused(kind, "the attempt is already submitted")
                outcome = REFUSED
            elif not late and data.get("saved") and data.get("errors") == {}:
                outcome = ACCEPTED
            else:
                self.tally.error(kind, f"attempt {attempt}: {answer.body[:200]}")
        self.writes.append(
            {"attempt": attempt, "sequence": sequence, "fields": fields, "outcome": outcome}
        )

    # Case work

    def do_case(self, case: dict) -> None:
        self.pause()
        page = self.browser.call("case page", "GET", case["path"], expect=200)
        if page is None:
            return
        tasks = [task for task, _text in _TEXTAREA.findall(page.body)]
        if not tasks:
            self.tally.error("case page", f"{case['path']}: no form to answer in")
            return
        sequence = next(self.sequence)
        texts = {
            task: f"{self.username}, задача {task}: шаги и сроки, №{sequence}" for task in tasks
        }
        self.pause()
        if not self.save_case(case, texts, submit=False):
            return
        changed = self.chance.choice(tasks)
        texts = {**texts, changed: f"{self.username}, задача {changed}: исправлено, №{sequence}"}
        self.pause()
        self.save_case(case, texts, submit=True)

    def save_case(self, case: dict, texts: dict[str, str], *, submit: bool) -> bool:
        """Save (or submit) the case form, then follow the redirect to the case page, which says
        whether it was accepted and must show what was sent."""
        kind = "case submit" if submit else "case draft"
        sequence = next(self.sequence)
        fields = {f"task-{task}": [text] for task, text in texts.items()}
        fields["submit" if submit else "save"] = [""]
        record = {
            "case": case["pk"],
            "sequence": sequence,
            "answers": texts,
            "submit": submit,
            "outcome": UNCERTAIN,
        }
        self.casework.append(record)
        path = self.path("casework", case["pk"])
        saved = self.browser.call(kind, "POST", path, expect=302, fields=fields, multipart=True)
        if saved is None:
            return False
        if urlsplit(saved.location).path != case["path"]:
            self.tally.error(kind, f"redirected to {saved.location}")
            return False
        page = self.browser.call("case page", "GET", case["path"], expect=200)
        if page is None:
            self.tally.error(kind, "its outcome could not be read")
            return False
        if "alert-success" in page.body:
            record["outcome"] = ACCEPTED
            shown = {task: html.unescape(text) for task, text in _TEXTAREA.findall(page.body)}
            if shown != {task: text.strip() for task, text in texts.items()}:
                self.tally.error("case page", f"{case['path']}: not the work just saved")
            return True
        message = re.search(r'class="alert alert-danger">(.*?)</div>', page.body, re.S)
        if message is not None:
            record["outcome"] = REFUSED  # the site says nothing was saved
        self.tally.error(kind, f"not accepted: {message[1] if message else 'no message'}")
        return False

    def result(self) -> dict:
        return {
            **super().result(),
            "starts": self.starts,
            "writes": self.writes,
            "submits": self.submits,
            "casework": self.casework,
        }


def _people(plan: dict, share: list[tuple[str, object]], barrier, results) -> None:
    """One process's people, a thread each; their results go to `results`."""
    seed = plan["seed"]
    people = [
        Trainee(plan, who, seed) if role == "trainee" else Official(plan, who, seed)
        for role, who in share
    ]
    threads = [threading.Thread(target=person.run, args=(barrier,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put([person.result() for person in people])


def generate(plan: dict) -> dict:
    """Every person of the plan at once, in `plan["processes"]` processes; what each did."""
    everyone = [("trainee", username) for username in plan["trainees"]]
    everyone += [("official", official) for official in plan["officials"]]
    processes = max(1, min(plan["processes"], len(everyone)))
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(everyone))
    results = context.Queue()
    started = time.time()
    workers = [
        context.Process(target=_people, args=(plan, everyone[index::processes], barrier, results))
        for index in range(processes)
    ]
    for worker in workers:
        worker.start()
    wait = SIGN_IN_TIMEOUT + plan["seconds"] + 4 * REQUEST_TIMEOUT
    people = [person for _worker in workers for person in results.get(timeout=wait)]
    for worker in workers:
        worker.join()
    began = [p["began"] for p in people if p["began"]]
    ended = [p["ended"] for p in people if p["ended"]]
    return {
        "people": people,
        "signing_in_s": round(min(began) - started, 2) if began else None,
        "elapsed_s": round(max(ended) - min(began), 2) if began and ended else None,
        "began": min(began) if began else None,
        "ended": max(ended) if ended else None,
    }


def drive(base_url: str, plan: dict, *, seconds: float, think: float, processes: int) -> dict:
    """Run the generator (`generate`) in a process of its own, without Django; its record."""
    full = {
        **plan,
        "base_url": base_url,
        "seconds": seconds,
        "think": think,
        "processes": processes,
        "seed": secrets.token_hex(4),
    }
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        source, target = Path(folder) / "plan.json", Path(folder) / "record.json"
        source.write_text(json.dumps(full))
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--drive", str(source), str(target)],
            cwd=harness.ROOT,
            check=True,
        )
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        record = json.loads(target.read_text())
    record["plan"] = full
    # The generator's own CPU (its processes, signing in included): the machine's cores are
    # shared with it.
    record["generator_cpu_s"] = round(
        now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime, 1
    )
    return record


# The count ------------------------------------------------------------------------------------


MISSING = object()


def stored_form(kind: str, question: int, entry: dict, fields: dict[str, list[str]]):
    """What the site keeps for `fields`, the answer to one question of an attempt as sent: its
    choices by option id (the attempt's layout maps each token to its option), a text or number
    as typed (without surrounding spaces)."""
    name = f"q{question}"
    rows = entry.get("options", [])
    tokens = {row["token"]: row["id"] for row in rows}
    if kind in ("single", "true_false"):
        value = fields[name][-1]
        if kind == "true_false":
            return value or None
        return tokens[value] if value else None
    if kind == "multiple":
        return sorted({tokens[value] for value in fields[name] if value})
    if kind in ("short_text", "numeric"):
        return fields[name][-1].strip()
    chosen = {
        row["id"]: fields[f"{name}-{row['token']}"][-1]
        for row in rows
        if fields.get(f"{name}-{row['token']}", [""])[-1]
    }
    if kind == "matching":
        pairs = {pair["token"]: pair["id"] for pair in entry.get("pairs", [])}
        return {str(row): pairs[token] for row, token in chosen.items()}
    if kind != "ordering":
        raise KeyError(f"no question of kind {kind!r}")
    return [row for row, position in sorted(chosen.items(), key=lambda item: int(item[1]))]


def by_question(fields: dict[str, list[str]]) -> dict[int, dict[str, list[str]]]:
    """The fields sent, by the question they answer (`q12`, `q12-<token>`)."""
    split: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for name, values in fields.items():
        match = re.fullmatch(r"q(\d+)(?:-.+)?", name)
        if match is not None:
            split[int(match[1])][name] = values
    return split


@dataclass
class Report:
    """What the generator counted and what the database holds of it."""

    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": dict(self.accepted),
            "refused": dict(self.refused),
            "lost": len(self.lost),
            "lost_samples": self.lost[:SAMPLES],
            "unexpected": len(self.unexpected),
            "unexpected_samples": self.unexpected[:SAMPLES],
        }


def check(record: dict) -> Report:
    """Read the database (this process's connection) against what the generator accepted."""
    from assessments.models import CaseSubmission, Question, QuizAttempt

    report = Report()
    trainees = [p for p in record["people"] if "writes" in p]
    usernames = [p["username"] for p in trainees]
    attempts = {
        attempt.pk: attempt
        for attempt in QuizAttempt.objects.filter(
            enrolment__trainee__username__in=usernames
        ).select_related("enrolment__trainee")
    }
    submissions = {
        (work.enrolment.trainee.username, work.case_id): work
        for work in CaseSubmission.objects.filter(
            enrolment__trainee__username__in=usernames
        ).select_related("enrolment__trainee")
    }
    asked = {
        question
        for person in trainees
        for write in person["writes"]
        for question in by_question(write["fields"])
    }
    kinds = dict(Question.objects.filter(pk__in=asked).values_list("pk", "kind"))
    for person in trainees:
        _check_quizzes(person, attempts, kinds, report)
        _check_casework(person, submissions, report)
    return report


def _check_quizzes(person: dict, attempts: dict, kinds: dict, report: Report) -> None:
    username = person["username"]
    mine = {pk: a for pk, a in attempts.items() if a.enrolment.trainee.username == username}
    started = {s["attempt"] for s in person["starts"] if s["outcome"] == ACCEPTED}
    for start in person["starts"]:
        if start["outcome"] != ACCEPTED:
            continue
        report.accepted["attempts started"] += 1
        attempt = mine.get(start["attempt"])
        if attempt is None or attempt.quiz_id != start["quiz"]:
            report.lost.append(f"{username}: attempt {start['attempt']} is not in the database")
    unsure = sum(1 for s in person["starts"] if s["outcome"] == UNCERTAIN)
    others = sorted(set(mine) - started)
    if len(others) > unsure:
        report.unexpected.append(f"{username}: attempts {others} were never started")

    # Each answer's writes, in the trainee's order: (sequence, outcome, value as stored).
    history: dict[tuple[int, int], list[tuple[int, str, object]]] = defaultdict(list)
    for write in person["writes"]:
        attempt = mine.get(write["attempt"])
        for question, fields in by_question(write["fields"]).items():
            if attempt is None:
                value = MISSING  # the attempt itself is lost, and counted above
            else:
                entry = next((e for e in attempt.layout if e["question"] == question), None)
                try:
                    value = stored_form(kinds.get(question, ""), question, entry or {}, fields)
                except (KeyError, ValueError, TypeError):
                    value = MISSING  # not an answer the attempt could take
            history[write["attempt"], question].append((write["sequence"], write["outcome"], value))
    for (pk, question), writes in history.items():
        attempt = mine.get(pk)
        stored = attempt.answers.get(str(question), MISSING) if attempt else MISSING
        for sequence, outcome, value in writes:
            if outcome == REFUSED:
                report.refused["late answers"] += 1
                sent = [_key(v) for _s, o, v in writes if o != REFUSED and v is not MISSING]
                if stored is not MISSING and stored == value and _key(value) not in sent:
                    report.unexpected.append(
                        f"{username}: attempt {pk}, question {question}: a refused answer is stored"
                    )
                continue
            if outcome != ACCEPTED:
                continue
            report.accepted["answers"] += 1
            later = [v for s, o, v in writes if s > sequence and o != REFUSED]
            if value is MISSING or not any(stored == v for v in [value, *later]):
                report.lost.append(
                    f"{username}: attempt {pk}, question {question}: answer #{sequence} "
                    f"is not stored (holds {'nothing' if stored is MISSING else stored!r})"
                )
    for pk, attempt in mine.items():
        for question in attempt.answers:
            if (pk, int(question)) not in history:
                report.unexpected.append(
                    f"{username}: attempt {pk}, question {question}: an answer never sent"
                )
    report.accepted["answer saves"] += sum(1 for w in person["writes"] if w["outcome"] == ACCEPTED)

    for submit in person["submits"]:
        if submit["outcome"] != ACCEPTED:
            continue
        report.accepted["attempts submitted"] += 1
        attempt = mine.get(submit["attempt"])
        if attempt is None or attempt.status != "graded" or attempt.submitted_at is None:
            report.lost.append(f"{username}: attempt {submit['attempt']} is not submitted")


def _key(value) -> str:
    return json.dumps(value, sort_keys=True)


def _check_casework(person: dict, submissions: dict, report: Report) -> None:
    username = person["username"]
    by_case: dict[int, list[dict]] = defaultdict(list)
    for save in person["casework"]:
        by_case[save["case"]].append(save)
    for case, saves in by_case.items():
        work = submissions.get((username, case))
        stored = work.answers if work else {}
        sure = all(save["outcome"] != UNCERTAIN for save in saves)
        for save in saves:
            if save["outcome"] != ACCEPTED:
                continue
            report.accepted["case work submitted" if save["submit"] else "case drafts"] += 1
            later = [
                s for s in saves if s["sequence"] > save["sequence"] and s["outcome"] != REFUSED
            ]
            for task in save["answers"]:
                held = stored.get(task, MISSING)
                if not any(held == s["answers"].get(task, "").strip() for s in [save, *later]):
                    report.lost.append(
                        f"{username}: case {case}, task {task}: work #{save['sequence']} is not "
                        f"stored (holds {'nothing' if held is MISSING else held!r})"
                    )
            if save["submit"] and (work is None or work.status == "draft" or not work.submitted_at):
                report.lost.append(f"{username}: case {case}: submission #{save['sequence']} lost")
        # Each submission with new content counts once; an unchanged one is the same submission.
        counted, content, submitted = 0, {}, False
        for save in saves:
            if save["outcome"] != ACCEPTED:
                continue
            new = {**content, **{task: text.strip() for task, text in save["answers"].items()}}
            if save["submit"] and not (submitted and new == content):
                counted, submitted = counted + 1, True
            content = new
        if work is not None and sure and work.times_submitted != counted:
            report.unexpected.append(
                f"{username}: case {case}: submitted {counted} times, counted "
                f"{work.times_submitted}"
            )
    for (who, case), _work in submissions.items():
        if who == username and case not in by_case:
            report.unexpected.append(f"{username}: case {case}: work never sent")


# The run --------------------------------------------------------------------------------------


def kinds_table(record: dict) -> list[dict]:
    """Per kind of request: requests, accepted, refused, errors, p50 and p95 in ms."""
    kinds: dict[str, dict] = {}
    for person in record["people"]:
        for kind, row in person["tally"].items():
            total = kinds.setdefault(
                kind, {"requests": 0, "errors": 0, "refused": Counter(), "latencies": []}
            )
            total["requests"] += row["requests"]
            total["errors"] += row["errors"]
            total["refused"].update(row["refused"])
            total["latencies"] += row["latencies"]
    rows = []
    for kind, total in kinds.items():
        latencies = total["latencies"]
        refused = sum(total["refused"].values())
        rows.append(
            {
                "kind": kind,
                "requests": total["requests"],
                "accepted": total["requests"] - total["errors"] - refused,
                "refused": refused,
                "refused_why": dict(total["refused"]),
                "errors": total["errors"],
                "p50_ms": round(harness.percentile(latencies, 0.5) * 1000, 1)
                if latencies
                else None,
                "p95_ms": round(harness.percentile(latencies, 0.95) * 1000, 1)
                if latencies
                else None,
            }
        )
    order = [
        "sign-in page",
        "sign-in",
        "quiz page",
        "start",
        "attempt page",
        "answer save",
        "summary",
        "submit",
        "result",
        "late answer save",
        "case page",
        "case draft",
        "case submit",
    ]
    rows.sort(
        key=lambda row: (order.index(row["kind"]) if row["kind"] in order else 99, row["kind"])
    )
    return rows


def summary(record: dict, report: Report, tasks: dict | None) -> dict:
    rows = kinds_table(record)
    samples = [sample for person in record["people"] for sample in person["samples"]]
    errors = sum(row["errors"] for row in rows)
    load = [row for row in rows if not row["kind"].startswith("sign-in")]
    elapsed = record.get("elapsed_s") or 0
    return {
        "trainees": len(record["plan"]["trainees"]),
        "officials": len(record["plan"]["officials"]),
        "seconds": record["plan"]["seconds"],
        "think_s": record["plan"]["think"],
        "signing_in_s": record.get("signing_in_s"),
        "elapsed_s": elapsed,
        "requests": sum(row["requests"] for row in load),
        "per_second": round(sum(row["requests"] for row in load) / elapsed, 1) if elapsed else None,
        "errors": errors,
        "error_samples": samples[:SAMPLES],
        "kinds": rows,
        "count": report.as_dict(),
        "tasks": tasks,
        "generator_cpu_s": record.get("generator_cpu_s"),
    }


def failures(result: dict) -> list[str]:
    found = []
    if result["errors"]:
        found.append(f"{result['errors']} errors")
    if result["count"]["lost"]:
        found.append(f"{result['count']['lost']} accepted items lost")
    if result["count"]["unexpected"]:
        found.append(f"{result['count']['unexpected']} items stored that were never accepted")
    tasks = result.get("tasks") or {}
    if tasks.get("failed"):
        found.append(f"{tasks['failed']} background tasks failed")
    if tasks.get("left"):
        found.append(f"{tasks['left']} background tasks never ran")
    if not result["count"]["accepted"].get("answers"):
        found.append("no answer was accepted: nothing was tested")
    return found


def print_result(result: dict) -> None:
    print(
        f"\n{result['trainees']} trainees and {result['officials']} officials, "
        f"{result['elapsed_s']} s after {result['signing_in_s']} s of signing in; "
        f"{result['requests']} requests ({result['per_second']}/s)\n"
    )
    print(
        f"{'Kind':<20} {'Requests':>9} {'Accepted':>9} {'Refused':>8} {'Errors':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8}"
    )
    for row in result["kinds"]:
        print(
            f"{row['kind']:<20} {row['requests']:>9} {row['accepted']:>9} {row['refused']:>8} "
            f"{row['errors']:>7} {row['p50_ms'] or '—':>8} {row['p95_ms'] or '—':>8}"
        )
    count = result["count"]
    print("\nAccepted by the generator, then read in the database:")
    for name, value in count["accepted"].items():
        print(f"  {name:<28} {value:>7}")
    for name, value in count["refused"].items():
        print(f"  refused by design: {name:<9} {value:>7}  (none of them stored)")
    print(f"  {'lost':<28} {count['lost']:>7}")
    print(f"  {'stored, never accepted':<28} {count['unexpected']:>7}")
    if result.get("tasks"):
        tasks = result["tasks"]
        print(f"  background tasks of the load: {tasks.get('of_the_load', tasks['statuses'])}")
    if result.get("cpu"):
        cpu = result["cpu"]
        print(
            f"CPU over {cpu['seconds']} s of load: the web workers {cpu['web_workers_s']} s, "
            f"the task worker {cpu['task_worker_s']} s; the machine's {os.cpu_count()} cores "
            f"{cpu['machine_busy_s']} s in all (the generator's {result['generator_cpu_s']} s, "
            "signing in included, PostgreSQL's and anything else's among them)"
        )
    for sample in count["lost_samples"] + count["unexpected_samples"] + result["error_samples"]:
        print("  ·", sample)


def run(args) -> int:
    folder = harness.temporary_folder("soak-")
    env = site_environment(folder)
    name = args.database
    print(f"Building {name}: migrate, load_demo, {args.trainees} trainees…", flush=True)
    harness.prepare_database(env, name, ("load_demo", "--verbosity", "0"))
    try:
        harness.configure(env, name)
        plan = add_people(program=demo_program(), trainees=args.trainees)
        print("Collecting the static files…", flush=True)
        collect_static(env)
        site = Site(env, name, folder / "worker.log", workers=args.workers).start()
        try:
            site.drain()  # the figures' refreshes queued by the building, before the clock
            before = site.statuses()
            print(
                f"Soaking: {args.trainees} trainees and {len(OFFICIALS)} officials for "
                f"{args.seconds} s on {site.base_url} ({args.workers} workers)…",
                flush=True,
            )
            load_before = [round(load, 2) for load in os.getloadavg()]
            sampler = CpuSampler(site)
            sampler.start()
            record = drive(
                site.base_url,
                plan,
                seconds=args.seconds,
                think=args.think,
                processes=args.processes,
            )
            sampler.done.set()
            sampler.join()
        finally:
            tasks = site.stop()
        tasks["of_the_load"] = dict(Counter(tasks["statuses"]) - before)
        if tasks["failed"]:
            print(site.log.read_text()[-5000:])
        report = check(record)
        result = summary(record, report, tasks)
        result["cpu"] = sampler.during(record["began"], record["ended"])
        result["load_average_before"] = load_before  # what else ran on the machine
        print_result(result)
        path = harness.write_results("soak", {"database": name, "workers": args.workers, **result})
        print(f"\nWritten: {path.relative_to(harness.ROOT)}")
        missed = failures(result)
        print("\nNothing lost, no error." if not missed else "\nFAILED: " + "; ".join(missed))
        return 1 if missed else 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            harness.drop_database(name)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause, seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's")
    parser.add_argument("--processes", type=int, default=4, help="the generator's")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--drive", nargs=2, metavar=("PLAN", "RECORD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:  # the generator's own process
        source, target = args.drive
        Path(target).write_text(json.dumps(generate(json.loads(Path(source).read_text()))))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
