"""Production settings pass Django's deployment checklist when a secret, a host and the public
address are given, and refuse to start without them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="lms.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_a_secret_and_a_host():
    result = run_check(
        DJANGO_SECRET_KEY="k" * 20 + "-Zx9!q@w#e$r%t^y&u*i(o)p_a+s=d-f/g.h,j;k",
        ALLOWED_HOSTS="school.example.org",
        PUBLIC_URL="https://school.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(
        ALLOWED_HOSTS="school.example.org",
        DJANGO_SECRET_KEY="",
        PUBLIC_URL="https://school.example.org",
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_real_public_address():
    secret = "k" * 20 + "-Zx9!q@w#e$r%t^y&u*i(o)p_a+s=d-f/g.h,j;k"
    for public_url in ("", "http://127.0.0.1:8000", "https://localhost"):
        result = run_check(
            DJANGO_SECRET_KEY=secret, ALLOWED_HOSTS="school.example.org", PUBLIC_URL=public_url
        )

        assert result.returncode != 0, public_url
        assert "PUBLIC_URL" in result.stderr


def production_shell(script: str, **env) -> list[str]:
    """The lines `script` prints under production settings with a secret, a host, the public
    address and `env` (no DJANGO_ or S3_ variable of this machine's leaks in)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))}
    environment.update(
        env,
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-Zx9!q@w#e$r%t^y&u*i(o)p_a+s=d-f/g.h,j;k",
        ALLOWED_HOSTS="school.example.org",
        PUBLIC_URL="https://school.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_production_keeps_pages_only_with_a_shared_cache():
    """Kept parts of pages need the versions writes bump seen by every worker (core.freshness):
    without REDIS_URL each process would keep its own, and miss the others' writes."""
    script = "from django.conf import settings; print(settings.PAGE_CACHE_SECONDS)"
    kept = {
        redis_url: production_shell(script, REDIS_URL=redis_url, PAGE_CACHE_SECONDS="60")[-1]
        for redis_url in ("", "redis://127.0.0.1:6379/0")
    }

    assert kept == {"": "0", "redis://127.0.0.1:6379/0": "60"}
