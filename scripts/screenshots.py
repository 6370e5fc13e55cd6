"""The README's screenshots of the officials' dashboards (`make screenshots`); not a test.

It creates a PostgreSQL database of its own (`lms_screenshots`, dropped first and again at the
end unless --keep) on the server of `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/),
migrates it, loads the demo school and a modest synthetic country beside it (`make_synthetic`,
12 regions of 6 cohorts of 18 trainees), serves it with `runserver` on a free port, and signs in
through the login page in Debian's Chromium, as the synthetic federal official and one region's
official, to photograph:

    docs/dashboard-federal.png       /dashboards/ at 1280 px, by completion rate
    docs/dashboard-region.png        /dashboards/regions/<code>/ at 1280 px
    docs/dashboard-region-phone.png  the same at 390 px
    docs/dashboard-region-low-vision.png   the same at 1280 px in the low-vision mode
    docs/dashboard-cohort.png        /dashboards/cohorts/<id>/ at 1280 px, when that page exists

Each picture is the page from its top, cut at MAX_HEIGHT px, and saved with a palette of 256
colours (Pillow), so that the README stays light.

    .venv/bin/python scripts/screenshots.py [--region 01] [--out docs] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

DB_NAME = "lms_screenshots"
# The synthetic country: big enough for the charts and tables to look like one, built in about
# a minute on two cores.
SYNTHETIC = ["--regions", "12", "--cohorts-per-region", "6", "--trainees-per-cohort", "18"]
# The regions by completion rate, best first: the chart follows the table's order.
FEDERAL_PATH = "/dashboards/?sort=-completion_rate"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Long pages (a region's trainees at risk) are cut here: the top says what the page is.
MAX_HEIGHT = 2400
SERVER_START_TIMEOUT = 60
# Debian's Chromium draws its own widgets (date fields) in Russian only with chromium-l10n.
RUSSIAN_LOCALE = Path("/usr/lib/chromium/locales/ru.pak")


@dataclass(frozen=True)
class Shot:
    """One picture: who looks, at which address, how wide, and where it goes."""

    filename: str
    path: str
    username: str
    viewport: dict[str, int]
    low_vision: bool = False
    optional: bool = False  # a page still being built: skipped with a note when it is not there


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--region",
        default="",
        help="the region to photograph, by code (default: the synthetic region whose chart of "
        "completions per week has the most weeks)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="photograph the database a --keep run left, without rebuilding it",
    )
    return parser.parse_args(argv)


# The database ---------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/"
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def admin_sql(*statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg

    parts = urlsplit(database_url("postgres"))
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(port: int, var_dir: str) -> dict[str, str]:
    """The environment of this process and of the server: the demo's settings (plain http,
    tasks in-process) on our database, with uploads and media in a directory of our own."""
    env = {
        "DATABASE_URL": database_url(DB_NAME),
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "LMS_VAR_DIR": var_dir,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    os.environ.update(env)
    return env


def build() -> None:
    """Migrate, then the demo school and the synthetic country: their people, regions and
    programmes are apart (usernames `syn-…`, the first regions by code against Tambov and
    Yugra), so the federal table shows both."""
    from django.core.management import call_command

    quiet = io.StringIO()
    print(f"Migrating {DB_NAME}…", flush=True)
    call_command("migrate", verbosity=0, stdout=quiet)
    print("Loading the demo school…", flush=True)
    call_command("load_demo", stdout=quiet)
    print(f"Building the synthetic country ({' '.join(SYNTHETIC)})…", flush=True)
    call_command("make_synthetic", *SYNTHETIC, "--seed", "1")


def choose(region_code: str) -> tuple[str, int | None]:
    """The region to photograph (by default the synthetic one whose chart of completions per
    week has the most weeks) and, in it, the running cohort furthest along."""
    from django.db.models import Count, Sum
    from django.utils import timezone

    from dashboards.models import CohortFigures, WeeklyCompletions
    from dashboards.synthetic import synthetic_cohorts

    if not region_code:
        weeks = (
            WeeklyCompletions.objects.filter(cohort__in=synthetic_cohorts())
            .values("region__code")
            .annotate(weeks=Count("week_start", distinct=True), completed=Sum("count"))
            .order_by("-weeks", "-completed", "region__code")
        )
        region_code = weeks[0]["region__code"]
    today = timezone.localdate()
    cohort_id = (
        CohortFigures.objects.filter(
            region__code=region_code, starts_on__lte=today, ends_on__gte=today
        )
        .order_by("-completed", "starts_on", "cohort_id")
        .values_list("cohort_id", flat=True)
        .first()
    )
    return region_code, cohort_id


def shots(region_code: str, cohort_id: int | None) -> list[Shot]:
    official = f"syn-{region_code}-official"
    region_path = f"/dashboards/regions/{region_code}/"
    chosen = [
        Shot("dashboard-federal.png", FEDERAL_PATH, "syn-federal", DESK),
        Shot("dashboard-region.png", region_path, official, DESK),
        Shot("dashboard-region-phone.png", region_path, official, PHONE),
        Shot("dashboard-region-low-vision.png", region_path, official, DESK, low_vision=True),
    ]
    if cohort_id is not None:
        path = f"/dashboards/cohorts/{cohort_id}/"
        chosen.append(Shot("dashboard-cohort.png", path, official, DESK, optional=True))
    return chosen


# The server ----------------------------------------------------------------------------------


def start_server(port: int, env: dict[str, str], log) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"runserver did not answer in {SERVER_START_TIMEOUT} s; see {log.name}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# The pictures ---------------------------------------------------------------------------------


def photograph(chromium, base: str, shot: Shot, out: Path) -> Path | None:
    """Sign in as the shot's official, open its page and save the picture; None (with a note)
    when an optional page does not answer 200."""
    from content.accessibility import LOW_VISION_COOKIE
    from dashboards.synthetic import PASSWORD
    from tests.browser import sign_in

    context = chromium.new_context(viewport=shot.viewport, device_scale_factor=1, locale="ru-RU")
    try:
        if shot.low_vision:
            context.add_cookies([{"name": LOW_VISION_COOKIE, "value": "1", "url": base}])
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, base, shot.username, PASSWORD)
        response = page.goto(base + shot.path)
        status = response.status if response else 0
        if status != 200:
            if shot.optional:
                print(f"    skipped {shot.filename}: {shot.path} answered {status}", flush=True)
                return None
            raise RuntimeError(f"{shot.path} answered {status} to {shot.username}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            print(f"    warning: {shot.path} scrolls sideways by {overflow} px", flush=True)
        height = page.evaluate("() => document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": shot.viewport["width"], "height": min(height, MAX_HEIGHT)}
        target = out / shot.filename
        save_png(page.screenshot(full_page=True, clip=clip), target)
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"    {shown}: {target.stat().st_size // 1024} KB", flush=True)
        return target
    finally:
        context.close()


def save_png(data: bytes, target: Path) -> None:
    """Chromium's PNG with a palette of 256 colours: under half the size, and the pages have few
    colours (the charts' included), so the text stays sharp."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)


def take(base: str, chosen: list[Shot], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    out.mkdir(parents=True, exist_ok=True)
    if not RUSSIAN_LOCALE.exists():
        print(
            "    note: this Chromium has no Russian locale (Debian's chromium-l10n), so date "
            "fields show mm/dd/yyyy where a Russian browser shows дд.мм.гггг",
            flush=True,
        )
    with sync_playwright() as playwright:
        # Date fields draw their placeholder in the browser's language, not the page's; on
        # Linux, Chromium takes it from LANGUAGE.
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "LANGUAGE": "ru"},
        )
        try:
            taken = [photograph(chromium, base, shot, out) for shot in chosen]
        finally:
            chromium.close()
    return [path for path in taken if path is not None]


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    port = free_port()
    var_dir = tempfile.mkdtemp(prefix="lms-screenshots-")
    env = configure(port, var_dir)
    if not args.reuse:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    try:
        import django

        django.setup()
        from django.db import connection

        if not args.reuse:
            build()
        region_code, cohort_id = choose(args.region)
        connection.close()
        log_path = Path(var_dir) / "runserver.log"
        with open(log_path, "w") as log:
            print(f"Serving on port {port} (log: {log_path})…", flush=True)
            server = start_server(port, env, log)
            try:
                taken = take(f"http://127.0.0.1:{port}", shots(region_code, cohort_id), args.out)
            finally:
                stop_server(server)
    finally:
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    shutil.rmtree(var_dir, ignore_errors=True)
    print(f"{len(taken)} screenshots in {args.out}.")
    return 0


if __name__ == "__main__":
    # Run as a script, this file's directory comes first on the path; the project's must.
    sys.path[:1] = [str(ROOT)]
    sys.exit(main())
