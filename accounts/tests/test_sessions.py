"""Sessions and the shared cache: Redis from REDIS_URL with sessions read from it (written
through to the database), the database alone without it; and a session ended or a role taken
away is seen by the very next request, whatever was kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent
CACHED_DB = "django.contrib.sessions.backends.cached_db"
FEDERAL = reverse("dashboards:federal")


def settings_with(**env) -> list[str]:
    """The default cache's backend and location, and the session engine, as the settings
    decide them in a process with `env`."""
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(env, DJANGO_SETTINGS_MODULE="lms.settings.test")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.CACHES['default']; "
        "print(d['BACKEND'], d.get('LOCATION'), d.get('KEY_PREFIX', ''), s.SESSION_ENGINE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_redis_url_gives_a_shared_cache_and_sessions_read_from_it():
    found = settings_with(REDIS_URL="redis://cache.internal:6379/2", CACHE_KEY_PREFIX="school")
    assert found == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/2",
        "school",
        CACHED_DB,
    ]


def test_without_redis_sessions_stay_in_the_database_alone():
    """Each process's own memory is no place for sessions: a sign-out handled by one worker
    would leave the session alive in the others."""
    backend, _location, engine = settings_with(REDIS_URL="")
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert engine == "django.contrib.sessions.backends.db"


@pytest.fixture
def cached_sessions():
    cache.clear()
    with override_settings(SESSION_ENGINE=CACHED_DB):
        yield
    cache.clear()


def session_reads(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('FROM "django_session"' in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
def test_a_session_is_read_from_the_cache_not_the_database(cached_sessions, client):
    client.force_login(factories.user(Role.FEDERAL_OFFICIAL))

    assert session_reads(client, FEDERAL) == 0


@pytest.mark.django_db
def test_a_signed_out_session_is_refused_at_once(cached_sessions, client):
    person = factories.user(Role.FEDERAL_OFFICIAL)
    client.force_login(person)
    assert client.get(FEDERAL).status_code == 200  # the session is in the cache now
    elsewhere = Client()
    elsewhere.cookies = client.cookies.__class__(client.cookies)  # the same session, copied

    client.post(reverse("accounts:logout"))
    response = elsewhere.get(FEDERAL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_role_taken_away_is_seen_by_the_next_request(cached_sessions, client):
    """The roles and permissions are read anew for every request, never kept in the session
    or the cache: the menu and the dashboards follow a change at once."""
    person = factories.user(Role.FEDERAL_OFFICIAL)
    client.force_login(person)
    assert client.get(FEDERAL).status_code == 200
    assert FEDERAL in client.get(reverse("accounts:profile")).content.decode()

    person.groups.remove(Group.objects.get(name=Role.FEDERAL_OFFICIAL))

    assert client.get(FEDERAL).status_code == 403
    assert f'href="{FEDERAL}"' not in client.get(reverse("accounts:profile")).content.decode()
