import pytest
from django.utils import translation

from tests import factories

# The `postgres_only` fixture of the concurrency tests, for every app's tests.
pytest_plugins = ["tests.concurrency"]


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Messages built outside a request are asserted in English; pages still speak Russian,
    since the site's middleware picks the language of each request."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_drawings_kept_between_tests():
    """Kept parts of pages and their versions (core.freshness) live in local memory, and the
    database is rolled back after each test: a test starts with none, as a fresh site does."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["drawings"].clear()
    yield


@pytest.fixture
def drawn_afresh(settings):
    """Every page drawn afresh, nothing kept (core.freshness): what a page costs when what it
    shows has just changed — the count of queries that must not grow with the data."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def trainee(db):
    return factories.user("Trainee")


@pytest.fixture
def instructor(db):
    return factories.user("Instructor")


@pytest.fixture
def senior_instructor(db):
    return factories.user("Senior instructor")


@pytest.fixture
def official(db):
    return factories.user("Regional official")
