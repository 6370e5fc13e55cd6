"""Shared machinery of the concurrency tests: run requests at the same moment, on PostgreSQL.

A double click or two open tabs send the same write twice at once. These tests start real
threads, each with its own database connection, held behind a barrier so that they all go at
once; only PostgreSQL has the row locks and parallel connections that make this mean something.

Use:

    @concurrency_test
    def test_a_double_click_saves_once(...):

    tabs = [client_for(trainee) for _ in range(4)]
    outcomes = run_together(*[lambda tab=tab: tab.post(url) for tab in tabs])
    assert status_codes(outcomes) == [302] * 4

`postgres_only` (a fixture, registered for the whole suite in the root conftest) skips a test on
SQLite when no PostgreSQL `DATABASE_URL` is set (a quick local run); it fails instead when `CI` is
set or when `DATABASE_URL` names PostgreSQL and yet the test is not running on it, so that the
concurrency tests can never be skipped where they are meant to run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

THREAD_TIMEOUT = 60  # seconds: a deadlock fails the test instead of hanging the suite


def _names_postgresql(url: str) -> bool:
    return url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql", "postgis"}


def require_postgresql() -> None:
    """Skip, or fail, unless the test database is PostgreSQL (see the module docstring)."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        pytest.fail("The concurrency tests must run on PostgreSQL in CI (set DATABASE_URL).")
    if _names_postgresql(os.environ.get("DATABASE_URL", "")):
        pytest.fail(f"DATABASE_URL names PostgreSQL, but the tests run on {connection.vendor}.")
    pytest.skip(
        "Parallel connections need PostgreSQL (set DATABASE_URL); `make test` in CI runs it."
    )


@pytest.fixture
def postgres_only() -> None:
    require_postgresql()


def concurrency_test(function):
    """Mark a test as a concurrency test: real transactions (each thread commits through its own
    connection) and PostgreSQL required. The serialized rollback puts back what the data
    migrations loaded (roles, regions) once the test's flush has emptied the tables."""
    function = pytest.mark.usefixtures("postgres_only")(function)
    return pytest.mark.django_db(transaction=True, serialized_rollback=True)(function)


def run_together(*work: Callable[[], Any]) -> list[Any]:
    """Run every callable in its own thread, all released at once; return what each returned,
    or the exception it raised, in the order given.

    Each thread closes its database connection when done, so that none is left open for the
    test database's teardown.
    """
    barrier = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcomes[index] = job()
        except BaseException as error:  # handed back to the test, which asserts on it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, job), daemon=True)
        for index, job in enumerate(work)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    stuck = [thread for thread in threads if thread.is_alive()]
    assert not stuck, f"{len(stuck)} of {len(threads)} threads did not finish (a deadlock?)"
    return outcomes


def run_times(count: int, job: Callable[[], Any]) -> list[Any]:
    """The same job `count` times at once: a double click, or several tabs."""
    return run_together(*[job] * count)


def client_for(user) -> Client:
    """A signed-in test client for one thread. A view's exception comes back as the 500 the
    visitor would get: the client's exception hook is a signal shared by every thread, so raising
    it would blame whichever requests happened to be running."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_no_errors(outcomes: list[Any]) -> None:
    """No thread raised: with the test client, an exception in a view is what a 500 would be."""
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert errors == [], f"{len(errors)} parallel requests failed: {errors!r}"


def status_codes(outcomes: list[Any]) -> list[int]:
    """The HTTP status of each response (a 500 included), once every thread has answered."""
    assert_no_errors(outcomes)
    return [response.status_code for response in outcomes]
