"""Two clicks at once on PostgreSQL: one copy, one decision, never a 500."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Region
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.models import Adoption, Decision, Release
from replication.updates import changes
from tests import factories
from tests.concurrency import client_for, concurrency_test, run_times

from .conftest import build_origin
from .test_updates import republish


@concurrency_test
def test_a_package_imported_twice_at_once_makes_one_copy():
    origin = build_origin()
    data = package_bytes(release_of(origin.program))
    Release.objects.all().delete()  # as on another site: the version is new to both imports
    region = Region.objects.get(code="86")

    outcomes = run_times(2, lambda: import_package(data, region=region))

    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)], outcomes
    assert sorted(outcome.created for outcome in outcomes) == [False, True]
    assert Adoption.objects.count() == 1 and Release.objects.count() == 1
    assert len({outcome.adoption.pk for outcome in outcomes}) == 1


@concurrency_test
def test_take_this_change_clicked_twice_at_once_decides_once():
    origin = build_origin()
    adoption = import_package(
        package_bytes(release_of(origin.program)), region=Region.objects.get(code="86")
    ).adoption
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    author = factories.user("Senior instructor", region_code="86")
    url = reverse("replication_decide", args=(adoption.pk, change.uid, "apply"))

    responses = run_times(2, lambda: client_for(author).post(url))

    assert [response.status_code for response in responses] == [302, 302]
    assert Decision.objects.count() == 1
