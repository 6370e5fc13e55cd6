"""`/health/`: does every part the site depends on answer? For load balancers and monitoring.

Each dependency is checked on its own — every database alias, the default cache (Redis with
`REDIS_URL`), each file storage but the static files, and the task queue of `django-tasks-db` —
and the answer is JSON: `{"status": "ok" | "down", "checks": {name: {"ok": …, …}}}`, 200 when
everything answers, 503 otherwise, naming what does not.

What the page must never do:
- need the database to say that the database is down: the view reads no session and no user
  (the site's middleware only loads them when asked), and each database is reached through a
  connection of its own, never the request's, so that a broken pooled connection is no answer;
- wait without end: every check runs in a thread of its own and the page answers after
  `HEALTH_CHECK_TIMEOUT` seconds at most, calling a check that has not finished a «timeout»;
  connections are opened with that timeout too, so that their threads end soon after;
- tell more than what failed: a failure is named by its class (`OperationalError`,
  `ConnectionError`, `PermissionError`, «missing», «stale», «timeout»), never by its message,
  which may hold host names, paths or credentials (those go to the log);
- be kept by a cache: every answer is `Cache-Control: no-store`.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.db.utils import load_backend
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# How each storage of STORAGES is called in the answer; the static files are the release's own.
STORAGE_NAMES = {"default": "media", "private": "private"}


class Failure(Exception):
    """A check's own verdict: a short reason (never an error's text) and what it measured."""

    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _timeout() -> float:
    return float(settings.HEALTH_CHECK_TIMEOUT)


# The databases -------------------------------------------------------------------------------


def _fresh_connection(alias: str) -> BaseDatabaseWrapper:
    """A connection to `alias` of this check's own, which gives up connecting after the timeout.

    Built from the settings as they are now (so a test may point an alias elsewhere), never
    pooled or kept, and never the request's: a request's connection that died stays dead
    until Django notices, and a new one shows whether the database answers now."""
    databases = connections.configure_settings(copy.deepcopy(settings.DATABASES))
    params = databases[alias]
    params.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False, ATOMIC_REQUESTS=False)
    options = params["OPTIONS"]
    options.pop("pool", None)  # a pool is shared by alias: the probe must not take from it
    if "postgresql" in params["ENGINE"]:
        options["connect_timeout"] = max(2, math.ceil(_timeout()))  # libpq's least is 2 s
    elif "sqlite3" in params["ENGINE"]:
        options["timeout"] = _timeout()
    return load_backend(params["ENGINE"]).DatabaseWrapper(params, alias)


def _on_fresh_connection(alias: str, work: Callable[[BaseDatabaseWrapper], Any]) -> Any:
    """`work(connection)` in a transaction that is rolled back, every statement bounded in time."""
    connection = _fresh_connection(alias)
    try:
        connection.set_autocommit(False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # For this transaction only: a PgBouncer in front keeps no setting of ours.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [str(int(_timeout() * 1000))],
                )
        return work(connection)
    finally:
        with contextlib.suppress(Exception):  # never opened, or died: nothing to undo
            connection.rollback()
        connection.close()


def _select_one(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_check(alias: str) -> Callable[[], dict]:
    return lambda: _on_fresh_connection(alias, _select_one) or {}


# The task queue ------------------------------------------------------------------------------


def _waiting_tasks(connection: BaseDatabaseWrapper) -> tuple[int, Any]:
    """How many tasks wait to run now, and since when the longest-waiting one does."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A task waits from its enqueueing, or from the moment it was scheduled for if that is later.
    since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    query = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("status")
        .annotate(waiting=Count("pk"), oldest=Min(since))
        .values_list("waiting", "oldest")
        .query
    )
    rows = list(query.get_compiler(connection=connection).results_iter())
    return (rows[0][0], rows[0][1]) if rows else (0, None)


def task_queue_check() -> dict:
    waiting, oldest = _on_fresh_connection(DEFAULT_DB_ALIAS, _waiting_tasks)
    age = max(0, int((timezone.now() - oldest).total_seconds())) if oldest else 0
    details = {"waiting": waiting, "oldest_waiting_seconds": age}
    limit = int(settings.HEALTH_QUEUE_MAX_AGE)
    if age > limit:
        # No worker takes tasks (or too few): certificates, imports and figures are not made.
        raise Failure("stale", **details, max_age_seconds=limit)
    return details


# The cache -----------------------------------------------------------------------------------

# One probe cache per configuration, kept for the process: Redis clients keep a connection pool,
# which a new client per request would open again and again.
_probe_caches: dict[str, BaseCache] = {}
_probe_caches_lock = threading.Lock()


def _probe_cache() -> BaseCache:
    config = copy.deepcopy(settings.CACHES["default"])
    key = json.dumps(config, sort_keys=True, default=str)
    with _probe_caches_lock:
        if key not in _probe_caches:
            backend = config.pop("BACKEND")
            location = config.pop("LOCATION", "")
            if backend == REDIS_CACHE:
                config.setdefault("OPTIONS", {}).update(
                    socket_connect_timeout=_timeout(), socket_timeout=_timeout()
                )
            _probe_caches[key] = import_string(backend)(location, config)
        return _probe_caches[key]


def cache_check() -> dict:
    cache = _probe_cache()
    key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise Failure("not kept")
    finally:
        cache.delete(key)
    return {}


# The file storages ---------------------------------------------------------------------------


def storage_check(alias: str) -> Callable[[], dict]:
    def check() -> dict:
        storage = storages.create_storage(settings.STORAGES[alias])
        if isinstance(storage, FileSystemStorage) and not os.path.isdir(storage.location):
            # Saving would create it afresh — on the local disk, where a shared mount was meant
            # to be: a folder that is gone is reported, never silently replaced.
            raise Failure("missing")
        name = storage.save(f"health/probe-{secrets.token_hex(8)}.txt", ContentFile(b"ok"))
        try:
            with storage.open(name, "rb") as probe:
                if probe.read() != b"ok":
                    raise Failure("not kept")
        finally:
            storage.delete(name)
        return {}

    return check


# The page ------------------------------------------------------------------------------------


def checks() -> dict[str, Callable[[], dict]]:
    """Every dependency of this configuration, by the name the answer gives it."""
    found: dict[str, Callable[[], dict]] = {}
    for alias in settings.DATABASES:
        found["database" if alias == DEFAULT_DB_ALIAS else f"database:{alias}"] = database_check(
            alias
        )
    found["cache"] = cache_check
    for alias in settings.STORAGES:
        if alias != "staticfiles":
            found[f"storage:{STORAGE_NAMES.get(alias, alias)}"] = storage_check(alias)
    if settings.TASKS.get("default", {}).get("BACKEND") == DATABASE_QUEUE:
        found["task_queue"] = task_queue_check
    return found


def _outcome(name: str, check: Callable[[], dict]) -> dict:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Failure as failure:
        logger.warning("Health check %s: %s %s", name, failure.reason, failure.details)
        result = {"ok": False, "error": failure.reason, **failure.details}
    except Exception as error:
        # The class of failure for the answer; its text, which may name hosts, only in the log.
        logger.warning("Health check %s failed: %r", name, error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.monotonic() - started) * 1000)
    return result


def run_checks(found: dict[str, Callable[[], dict]]) -> dict[str, dict]:
    """Every check at once, each in its own thread; one still running after the timeout (and a
    second's grace for the connections' own timeouts to fire) is reported as a timeout."""
    results: dict[str, dict] = {}
    threads = []
    for name, check in found.items():

        def run(name=name, check=check) -> None:
            results[name] = _outcome(name, check)

        # A daemon: a check stuck on a dead mount must not keep the worker from exiting.
        thread = threading.Thread(target=run, name=f"health-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + _timeout() + 1
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answered = dict(results)
    for name in found:
        if name not in answered:
            logger.warning("Health check %s did not answer in time.", name)
    return {name: answered.get(name, {"ok": False, "error": "timeout"}) for name in sorted(found)}


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Whether the site's dependencies answer: 200 when all do, 503 naming those that do not.

    Open to anyone (a load balancer signs in as no one) and telling nothing but up or down."""
    results = run_checks(checks())
    up = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if up else "down", "checks": results}, status=200 if up else 503
    )
