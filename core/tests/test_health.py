"""`/health/` (core.health): each dependency up answers 200; each really made to fail answers 503
naming it — and only naming it — within the time allowed, without the database when that is
what failed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import require_postgresql
from tests.faults import (
    closed_port,
    database_unreachable,
    read_only_directory,
    redis_server,
    silent_port,
)
from tests.test_deploy import production_shell

pytestmark = pytest.mark.django_db
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Overriding DATABASES only adds an alias for the health check to read; Django warns anyway.
EXTRA_ALIAS = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
SECRET = "s3cret-health-pw"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def health(client):
    started = time.monotonic()
    response = client.get(reverse("health"))
    response.elapsed = time.monotonic() - started
    response.body = json.loads(response.content)
    return response


def down(response) -> set[str]:
    return {name for name, check in response.body["checks"].items() if not check["ok"]}


def with_replica(**changes) -> dict:
    """The databases with a `replica` alias: the primary itself, with `changes`."""
    default = settings.DATABASES["default"]
    replica = {**default, **changes, "TEST": {"MIRROR": "default"}}
    return {**settings.DATABASES, "replica": replica}


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def private(tmp_path, settings):
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_everything_up_is_200_with_every_dependency_named(client, media, private):
    with CaptureQueriesContext(connection) as queries:
        response = health(client)

    assert response.status_code == 200
    assert response.body["status"] == "ok"
    assert set(response.body["checks"]) == {"database", "cache", "storage:media", "storage:private"}
    assert down(response) == set()
    # Never kept by a cache, and nothing of a session: the request's own connection is not
    # used at all (each database is reached by a connection of the check's own).
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert len(queries) == 0
    # The storages' probe files are gone again.
    assert files_in(media) == [] and files_in(private) == []


def test_health_answers_without_signing_in_and_only_to_reading(client, media, private):
    assert client.get(reverse("health")).status_code == 200
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


@TRANSACTIONAL
def test_the_database_down_is_503_and_the_page_needs_no_database(client, media, private):
    require_postgresql()
    with database_unreachable():
        response = health(client)

    assert response.status_code == 503
    assert response.body["status"] == "down"
    assert down(response) == {"database"}
    assert response.body["checks"]["database"]["error"] == "OperationalError"
    assert response.elapsed < settings.HEALTH_CHECK_TIMEOUT + 2


@TRANSACTIONAL
@override_settings(TASKS=DATABASE_QUEUE)
def test_the_database_down_takes_the_task_queue_with_it(client, media, private):
    require_postgresql()
    with database_unreachable():
        response = health(client)

    assert response.status_code == 503
    assert down(response) == {"database", "task_queue"}


@EXTRA_ALIAS
def test_a_replica_is_checked_on_its_own(client, media, private):
    require_postgresql()
    with override_settings(DATABASES=with_replica()):
        response = health(client)
    assert response.status_code == 200
    assert response.body["checks"]["database:replica"]["ok"] is True

    with closed_port() as port:
        replica = with_replica(HOST="127.0.0.1", PORT=str(port), PASSWORD=SECRET)
        with override_settings(DATABASES=replica):
            response = health(client)

    assert response.status_code == 503
    assert down(response) == {"database:replica"}
    # The class of failure, never its text: no host, port, database, user or password.
    body = response.content.decode()
    assert response.body["checks"]["database:replica"]["error"] == "OperationalError"
    for secret in ("127.0.0.1", str(port), SECRET, settings.DATABASES["default"]["NAME"]):
        assert secret not in body


@EXTRA_ALIAS
@override_settings(HEALTH_CHECK_TIMEOUT=1)
def test_a_database_that_never_answers_is_given_up_on_in_time(client, media, private):
    require_postgresql()
    with silent_port() as port:
        silent = with_replica(HOST="127.0.0.1", PORT=str(port))
        with override_settings(DATABASES=silent):
            response = health(client)

    assert response.status_code == 503
    assert down(response) == {"database:replica"}
    assert response.body["checks"]["database:replica"]["error"] in {"timeout", "OperationalError"}
    assert response.elapsed < 4  # libpq's shortest connect timeout is 2 s; the page waits ≤ 2 s


def redis_cache(url: str) -> dict:
    return {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }


def test_redis_up_is_ok_and_refusing_is_503_naming_the_cache(client, media, private):
    with redis_server() as url, override_settings(CACHES=redis_cache(url)):
        response = health(client)
    assert response.status_code == 200
    assert response.body["checks"]["cache"]["ok"] is True

    with (
        closed_port() as port,
        override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{port}/0")),
    ):
        response = health(client)
    assert response.status_code == 503
    assert down(response) == {"cache"}
    assert response.body["checks"]["cache"]["error"] == "ConnectionError"
    assert str(port) not in response.content.decode()


@override_settings(HEALTH_CHECK_TIMEOUT=1)
def test_a_cache_that_never_answers_is_given_up_on_in_time(client, media, private):
    with (
        silent_port() as port,
        override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{port}/0")),
    ):
        response = health(client)

    assert response.status_code == 503
    assert down(response) == {"cache"}
    assert response.elapsed < 3


def test_media_storage_removed_is_503_and_not_recreated(client, media, private):
    shutil.rmtree(media)

    response = health(client)

    assert response.status_code == 503
    assert down(response) == {"storage:media"}
    assert response.body["checks"]["storage:media"]["error"] == "missing"
    assert not media.exists()  # the probe did not make a local folder where a mount was


def test_media_storage_unwritable_is_503(client, media, private):
    with read_only_directory(media):
        response = health(client)

    assert response.status_code == 503
    assert down(response) == {"storage:media"}
    assert response.body["checks"]["storage:media"]["error"] == "PermissionError"
    assert str(media) not in response.content.decode()


def test_private_storage_unwritable_is_503(client, media, private):
    with read_only_directory(private):
        response = health(client)

    assert response.status_code == 503
    assert down(response) == {"storage:private"}


def waiting_task(*, waited: dt.timedelta, run_after: dt.datetime | None = None, **fields):
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="courses.tasks.apply_enrolment_import",
        backend_name="default",
        run_after=run_after or get_date_max(),
        **fields,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


@TRANSACTIONAL
@override_settings(TASKS=DATABASE_QUEUE, HEALTH_QUEUE_MAX_AGE=600)
def test_the_task_queue_is_down_when_a_task_waits_longer_than_allowed(client, media, private):
    response = health(client)
    assert response.status_code == 200
    assert response.body["checks"]["task_queue"]["waiting"] == 0

    waiting_task(waited=dt.timedelta(seconds=570))
    # Not waiting: finished long ago, or not due before tomorrow.
    waiting_task(waited=dt.timedelta(hours=5), status="SUCCESSFUL")
    waiting_task(waited=dt.timedelta(hours=5), run_after=timezone.now() + dt.timedelta(days=1))
    response = health(client)
    assert response.status_code == 200
    queue = response.body["checks"]["task_queue"]
    assert queue["waiting"] == 1 and 570 <= queue["oldest_waiting_seconds"] < 600

    # A task that was due 11 minutes ago waits from then, however long ago it was queued.
    waiting_task(waited=dt.timedelta(days=2), run_after=timezone.now() - dt.timedelta(minutes=11))
    response = health(client)
    assert response.status_code == 503
    assert down(response) == {"task_queue"}
    queue = response.body["checks"]["task_queue"]
    assert queue["error"] == "stale" and queue["waiting"] == 2
    assert 660 <= queue["oldest_waiting_seconds"] < 700 and queue["max_age_seconds"] == 600


def test_production_answers_probes_over_plain_http_and_redirects_everything_else():
    script = (
        "from django.http import HttpResponse\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "from django.test import RequestFactory\n"
        "security = SecurityMiddleware(lambda request: HttpResponse())\n"
        "for path in ('/health/', '/learning/', '/health/x/'):\n"
        "    request = RequestFactory().get(path, HTTP_HOST='school.example.org')\n"
        "    answer = security.process_request(request)\n"
        "    print(path, answer.status_code if answer else 'served')\n"
    )

    assert production_shell(script)[-3:] == [
        "/health/ served",
        "/learning/ 301",
        "/health/x/ 301",
    ]
