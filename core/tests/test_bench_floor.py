"""The benchmarks' floor view and query-count header: there only with BENCH_FLOOR=1.

A real site never answers /bench/floor/ nor says how many queries a page ran; the benchmark's
server (BENCH_FLOOR=1) does both.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_url_caches, reverse

from core.middleware import HEADER
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent
FLOOR = "/bench/floor/"
COUNTER = "core.middleware.QueryCountHeaderMiddleware"

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor_on(settings):
    """The URLs as the benchmark's server (BENCH_FLOOR=1) builds them."""
    import lms.urls

    settings.BENCH_FLOOR = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.BENCH_FLOOR = False
    importlib.reload(lms.urls)
    clear_url_caches()


def test_the_floor_is_absent_by_default(client, settings):
    factories.site_home()
    assert settings.BENCH_FLOOR is False
    assert COUNTER not in settings.MIDDLEWARE

    response = client.get(FLOOR)

    assert response.status_code == 404
    assert HEADER not in response
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


@pytest.mark.parametrize("role", [None, "Trainee", "Federal official"])
def test_with_the_setting_the_floor_answers_anyone_without_a_query(client, floor_on, role):
    if role:
        client.force_login(factories.user(role))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("bench_floor"))

    assert reverse("bench_floor") == FLOOR
    assert response.status_code == 200
    assert response.content == b"floor"
    # Neither the session nor the user is loaded: the framework's own cost, nothing of ours.
    assert queries.captured_queries == []
    assert "Set-Cookie" not in response


def test_the_header_counts_every_query_of_the_request(client, settings):
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], COUNTER, *settings.MIDDLEWARE[1:]]
    client.force_login(factories.user("Trainee"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert len(queries.captured_queries) > 0
    assert int(response[HEADER]) == len(queries.captured_queries)


def _middleware(settings_module: str, **environment: str) -> list[str]:
    """MIDDLEWARE as a fresh process with this environment reads it."""
    env = {name: value for name, value in os.environ.items() if name != "BENCH_FLOOR"}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_SECRET_KEY="a-long-enough-secret-key-for-the-check-0123456789-abcdefghij",
        PUBLIC_URL="https://school.example.org",
        **environment,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print('\\n'.join(settings.MIDDLEWARE))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_production_counts_queries_only_with_the_setting_and_after_security():
    assert COUNTER not in _middleware("lms.settings.production")
    assert COUNTER not in _middleware("lms.settings.production", BENCH_FLOOR="0")

    on = _middleware("lms.settings.production", BENCH_FLOOR="1")

    # Outside it only what makes no query: the HTTPS rules and the static files.
    assert on[:3] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        COUNTER,
    ]
    assert [name for name in on if name != COUNTER] == _middleware("lms.settings.production")
