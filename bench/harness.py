"""What every benchmark of the site needs: a PostgreSQL database of its own, the site served as in
production, signed-in users, and a load driver in a second process. Not part of the test suite.

- Databases are created and dropped on the server of `BENCH_DATABASE_URL` or `DATABASE_URL`
  (postgres://postgres@127.0.0.1:5432/ when neither names PostgreSQL), through its `postgres`
  database.
- `Server` runs gunicorn with `lms.settings.production` — the server the project declares and the
  settings it deploys with — with 2 sync workers on a free port of 127.0.0.1, `BENCH_FLOOR=1` (the
  floor view and the query-count header), static files collected to a folder of the run, and
  Redis as the shared cache (`BENCH_REDIS_URL`, `REDIS_URL` or redis://127.0.0.1:6379/0, if one
  answers; its keys prefixed with the run's own).
  Requests say `X-Forwarded-Proto: https`, as the reverse proxy of a deployment does, so that the
  HTTPS redirect does not answer them instead of the page.
- `session_cookie` signs a user in the way the test client's `force_login` does: a session row
  written by this process in the same database, with the same secret key as the server.
- `drive` hits one address with C connections for a fixed time from `bench/load.py`, in its own
  process so that the driver and this process's Django do not share a GIL; `summary` turns its
  answer into p50, p95, requests per second, queries per request and errors.

This process configures Django with the same settings and environment as the server
(`configure`), then may switch its connection from one benchmark database to another
(`use_database`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FLOOR_PATH = "/bench/floor/"
QUERIES_HEADER = "X-Bench-Queries"
# What every request says: it came through an HTTPS proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
HOST = "127.0.0.1"
WORKERS = 2
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


# The database server ---------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/"
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def _admin_connection():
    import psycopg

    parts = urlsplit(database_url("postgres"))
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def admin_sql(*statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE/DROP DATABASE)."""
    with _admin_connection() as conn:
        for statement in statements:
            conn.execute(statement)


def database_exists(name: str) -> bool:
    with _admin_connection() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def create_database(name: str) -> None:
    """A new empty database `name`, replacing one of that name."""
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# The environment -------------------------------------------------------------------------------


def redis_url() -> str:
    """The Redis a deployment would have (`BENCH_REDIS_URL`, else `REDIS_URL`, else the local
    one), if it answers; "" when none does, and the site runs with a cache in each process."""
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return url
    except OSError:
        pass
    print(f"No Redis answers at {url}: the site runs without a shared cache.", flush=True)
    return ""


def site_environment(*, static_root: Path, media_root: Path) -> dict[str, str]:
    """Production settings with what they require (a secret, hosts, a public https address), the
    shared cache a deployment has (Redis, with a prefix of the run's own) and the benchmark's
    floor; the database is added per run (`with_database`)."""
    return {
        "REDIS_URL": redis_url(),
        "CACHE_KEY_PREFIX": "bench-" + secrets.token_hex(4),
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        # One key for the run: the sessions this process writes must verify in the server.
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "PUBLIC_URL": "https://bench.example.org",
        "BENCH_FLOOR": "1",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root / "media"),
        "PRIVATE_MEDIA_ROOT": str(media_root / "private"),
        "LOG_LEVEL": "WARNING",
        # No mail server here: the messages a page sends are kept in memory, not tried by SMTP.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def with_database(env: dict[str, str], name: str) -> dict[str, str]:
    return {**env, "DATABASE_URL": database_url(name)}


def configure(env: dict[str, str], database: str) -> None:
    """Set Django up in this process as the server is: same settings, key and database."""
    os.environ.update(with_database(env, database))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def use_database(name: str) -> None:
    """Point this process's connection at another database of the same server."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def manage(env: dict[str, str], *args: str) -> None:
    """`manage.py <args>` in a child process with `env`; its output goes to ours."""
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True
    )


def prepare_database(env: dict[str, str], name: str, *build: tuple[str, ...]) -> None:
    """Create `name` afresh, migrate it, then run each `manage.py` command of `build`."""
    create_database(name)
    database_env = with_database(env, name)
    manage(database_env, "migrate", "--noinput", "--verbosity", "0")
    for command in build:
        manage(database_env, *command)


def collect_static(env: dict[str, str]) -> None:
    """The hashed static files production serves (WhiteNoise), into the run's STATIC_ROOT."""
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


# The server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """gunicorn serving the site on one database, as in production (see the module's doc)."""

    env: dict[str, str]
    database: str
    workers: int = WORKERS
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, *, timeout: float = 60) -> Server:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lms.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **with_database(self.env, self.database)},
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                request = urllib.request.Request(self.base_url + FLOOR_PATH, headers=PROXY_HEADERS)
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not answer {FLOOR_PATH} in {timeout} s")
            time.sleep(0.2)
        # Each worker loads the application on start (no --preload); let them all get there.
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        return self

    def worker_pids(self) -> list[int]:
        """The workers: the master's children (Linux's /proc)."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def cpu_seconds(self) -> float:
        """CPU time the workers have used so far, user and system (Linux's /proc): read around a
        burst of requests, the CPU each request cost the server, whatever else ran on the
        machine meanwhile (the database's own work not included)."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used += int(fields[11]) + int(fields[12])  # utime, stime
        return used / ticks

    def peak_rss_mib(self) -> float | None:
        """The largest peak resident memory (VmHWM) of a worker so far, in MiB (Linux only)."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return round(max(peaks), 1) if peaks else None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# Signed-in users -------------------------------------------------------------------------------


def session_cookie(username: str) -> str:
    """A Cookie header for `username`, signed in as `force_login` would: a session row with the
    user's id, backend and password hash, and a CSRF cookie, so that no answer has to set one."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)}"
    )


# The load --------------------------------------------------------------------------------------


def drive(
    url: str,
    *,
    cookies: list[str] | None = None,
    connections: int = 4,
    duration: float | None = None,
    count: int | None = None,
    listed: list[dict] | None = None,
) -> dict:
    """Hit `url` from a second process (`bench/load.py`); its raw answer (see there). With
    `listed`, send those requests of `url`'s site instead, each once (see `load.run`)."""
    command = [sys.executable, str(ROOT / "bench" / "load.py"), url]
    command += ["--connections", str(connections)]
    if duration is not None:
        command += ["--duration", str(duration)]
    if count is not None:
        command += ["--count", str(count)]
    for name, value in PROXY_HEADERS.items():
        command += ["--header", f"{name}: {value}"]
    for cookie in cookies or []:
        command += ["--cookie", cookie]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as requests:
        if listed is not None:
            json.dump(listed, requests)
            requests.flush()
            command += ["--requests", requests.name]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def merge(runs: list[dict]) -> dict:
    """Several runs of one address as one: latencies, statuses, queries and errors pooled."""
    merged = {
        "latencies": [],
        "statuses": {},
        "queries": {},
        "errors": [],
        "elapsed": 0.0,
        "worker_cpu_s": 0.0,
    }
    for run in runs:
        merged["latencies"] += run["latencies"]
        merged["errors"] += run["errors"]
        merged["elapsed"] += run["elapsed"]
        merged["sent"] = merged.get("sent", 0) + run.get("sent", 0)
        merged["worker_cpu_s"] += run.get("worker_cpu_s", 0.0)
        for key in ("statuses", "queries"):
            for value, times in run[key].items():
                merged[key][value] = merged[key].get(value, 0) + times
    return merged


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0.5 is the median) by linear interpolation."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(share * 100) - 1]


def summary(run: dict, *, expected_status: int = 200) -> dict:
    """p50 and p95 in milliseconds, requests per second, the workers' CPU per request (when the
    run measured it), the queries of a request — the most frequent count, and every count seen
    (a kept page runs more when it is drawn afresh, after a write) — and errors: failed requests
    and unexpected statuses."""
    latencies = run["latencies"]
    unexpected = sum(
        times for status, times in run["statuses"].items() if int(status) != expected_status
    )
    counts = {int(value): times for value, times in run["queries"].items()}
    return {
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2) if latencies else None,
        "per_second": round(len(latencies) / run["elapsed"], 1) if run["elapsed"] else 0.0,
        "cpu_ms": round(run.get("worker_cpu_s", 0.0) * 1000 / len(latencies), 3)
        if latencies
        else None,
        "queries": max(counts, key=lambda value: (counts[value], -value)) if counts else None,
        "queries_seen": sorted(counts),
        "statuses": run["statuses"],
        "errors": len(run["errors"]) + unexpected,
        "error_samples": run["errors"][:3],
    }


# The results -----------------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
    }


def write_results(name: str, data: dict) -> Path:
    """`bench/results/<name>-<time>.json` (the folder is not committed)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"when": stamp, "machine": machine(), **data}, indent=2))
    return path


def temporary_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
