"""The versions that name what a kept part of a page was drawn from (core.freshness)."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import Region
from core import freshness

pytestmark = pytest.mark.django_db


def version(scope: str) -> str:
    [found] = freshness.versions([scope])
    return found


def test_a_scope_keeps_its_version_until_bumped():
    first = version("trainee:1")

    assert version("trainee:1") == first
    freshness.bump("trainee:1")
    assert version("trainee:1") != first


def test_a_version_lost_from_the_cache_comes_back_new_never_as_before():
    first = version("trainee:1")
    cache.delete("fresh:v:trainee:1")  # evicted, or Redis restarted

    assert version("trainee:1") not in ("", first)


def test_each_write_in_a_transaction_bumps_at_once_and_all_again_at_the_commit(
    django_capture_on_commit_callbacks,
):
    before = version("trainee:1")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        freshness.bump("trainee:1")
        first_write = version("trainee:1")
        # A page drawn here has seen the first write, not the second.
        freshness.bump("trainee:1")
        during = version("trainee:1")
        assert during != first_write

    # A page drawn between the write and the commit, from the facts before it, was kept under
    # `during`; the commit replaces it.
    assert before != during and version("trainee:1") not in (before, during)


def test_a_rolled_back_transaction_leaves_the_next_one_its_own_commit_bump(
    django_capture_on_commit_callbacks,
):
    with pytest.raises(RuntimeError), transaction.atomic():
        freshness.bump("trainee:1")
        raise RuntimeError
    after_rollback = version("trainee:1")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        freshness.bump("trainee:1")
        during = version("trainee:1")

    assert version("trainee:1") not in (after_rollback, during)


def test_writes_to_a_model_that_names_no_scope_bump_the_school(django_capture_on_commit_callbacks):
    before = version(freshness.SCHOOL)

    Region.objects.create(code="99", name="Байконур")

    assert version(freshness.SCHOOL) != before


def test_logs_and_rollups_bump_nothing():
    from certificates.models import VerificationRequest

    before = version(freshness.SCHOOL)

    VerificationRequest.objects.create(ip_address="203.0.113.5", requested_at=timezone.now())

    assert version(freshness.SCHOOL) == before


def _request(user_pk=1, path="/learning/", method="get", csrf="a" * 32, language="ru"):
    request = getattr(RequestFactory(), method)(path)
    request.user = type("U", (), {"pk": user_pk})()
    request.META["CSRF_COOKIE"] = csrf
    request.LANGUAGE_CODE = language
    return request


def test_a_key_differs_by_reader_address_csrf_secret_and_versions():
    key = freshness.drawing_key(_request(), "home", "trainee:1")

    assert key == freshness.drawing_key(_request(), "home", "trainee:1")
    assert key != freshness.drawing_key(_request(user_pk=2), "home", "trainee:1")
    assert key != freshness.drawing_key(_request(path="/learning/?a=1"), "home", "trainee:1")
    assert key != freshness.drawing_key(_request(csrf="b" * 32), "home", "trainee:1")
    assert key != freshness.drawing_key(_request(), "schedule", "trainee:1")
    freshness.bump("trainee:1")
    assert key != freshness.drawing_key(_request(), "home", "trainee:1")
    key = freshness.drawing_key(_request(), "home", "trainee:1")
    freshness.bump(freshness.SCHOOL)  # always among the scopes
    assert key != freshness.drawing_key(_request(), "home", "trainee:1")


def test_nothing_is_kept_for_a_post_or_with_keeping_off():
    assert freshness.drawing_key(_request(method="post"), "home", "trainee:1") is None
    with override_settings(PAGE_CACHE_SECONDS=0):
        assert freshness.drawing_key(_request(), "home", "trainee:1") is None


class Down:
    """A shared cache that does not answer."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


def test_without_the_shared_cache_pages_are_drawn_afresh_and_writes_stand(monkeypatch):
    monkeypatch.setattr(freshness, "cache", Down())

    assert freshness.versions(["trainee:1"]) is None
    assert freshness.drawing_key(_request(), "home", "trainee:1") is None
    assert freshness.remembered(("answer",), [], lambda: 42) == 42
    Region.objects.create(code="97", name="Запасной регион")  # its bump fails, quietly

    assert Region.objects.filter(code="97").exists()


def test_a_held_value_is_the_same_object_until_its_scope_is_bumped():
    made = []

    def make():
        made.append(object())
        return made[-1]

    first = freshness.held(("probe", 1), [freshness.trainee(7)], make)
    assert freshness.held(("probe", 1), [freshness.trainee(7)], make) is first
    assert freshness.held(("probe", 1), [freshness.trainee(8)], make) is not first

    freshness.bump(freshness.trainee(7))

    again = freshness.held(("probe", 1), [freshness.trainee(7)], make)
    assert again is not first and len(made) == 3


def test_a_held_value_lives_page_cache_seconds_at_most(monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(freshness.time, "monotonic", lambda: clock[0])
    first = freshness.held(("probe", 2), [], object)

    clock[0] += 59.9
    assert freshness.held(("probe", 2), [], object) is first
    clock[0] += 0.2
    assert freshness.held(("probe", 2), [], object) is not first


def test_held_values_are_bounded_the_least_recently_asked_dropped(monkeypatch):
    monkeypatch.setattr(freshness, "HELD_MAX", 3)
    values = {number: freshness.held(("probe", number), [], object) for number in range(3)}
    assert freshness.held(("probe", 0), [], object) is values[0]  # 0 is now the latest asked

    freshness.held(("probe", 3), [], object)  # a fourth: 1, the least recently asked, goes

    assert freshness.held(("probe", 0), [], object) is values[0]
    assert freshness.held(("probe", 2), [], object) is values[2]
    assert freshness.held(("probe", 1), [], object) is not values[1]


def test_nothing_is_held_with_keeping_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert freshness.held(("probe", 4), [], object) is not freshness.held(("probe", 4), [], object)
