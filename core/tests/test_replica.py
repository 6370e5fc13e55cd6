"""The officials' dashboards read from the read replica when one is configured (core.replica)."""

import pytest
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from core import replica

pytestmark = pytest.mark.django_db


class Spy:
    """A router before ours that notes, for each read, whether ours would send it to the
    replica — and sends it to the primary, the test's only database."""

    reads: list[tuple[str, bool]] = []

    def db_for_read(self, model, **hints):
        Spy.reads.append(
            (model._meta.label, replica.ReplicaRouter().db_for_read(model) is not None)
        )
        return "default"


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setitem(connections.databases, replica.REPLICA, connections.databases["default"])


def test_reads_go_to_the_replica_only_inside_a_marked_view(with_replica):
    router = replica.ReplicaRouter()
    seen = []

    @replica.reads_from_replica
    def view():
        seen.append(router.db_for_read(object))
        raise RuntimeError

    with pytest.raises(RuntimeError):
        view()

    assert seen == [replica.REPLICA]
    assert router.db_for_read(object) is None  # after the view, even one that failed
    assert router.db_for_write(object) is None
    assert router.allow_migrate(replica.REPLICA, "dashboards") is False
    assert router.allow_migrate("default", "dashboards") is True


def test_without_a_replica_every_read_stays_on_the_primary():
    router = replica.ReplicaRouter()

    @replica.reads_from_replica
    def view():
        return router.db_for_read(object)

    assert view() is None


@override_settings(DATABASE_ROUTERS=["core.tests.test_replica.Spy", "core.replica.ReplicaRouter"])
def test_the_dashboards_read_their_figures_from_the_replica(client, with_replica):
    from tests import factories

    client.force_login(factories.user("Federal official"))
    Spy.reads.clear()

    assert client.get(reverse("dashboards:federal")).status_code == 200

    from_replica = {label for label, on in Spy.reads if on}
    from_primary = {label for label, on in Spy.reads if not on}
    assert "dashboards.cohortfigures" in {label.lower() for label in from_replica}
    assert "accounts.User" in from_primary  # the signed-in user, read before the view


@override_settings(DATABASE_ROUTERS=["core.tests.test_replica.Spy", "core.replica.ReplicaRouter"])
def test_other_pages_read_from_the_primary(client, with_replica):
    from tests import factories

    client.force_login(factories.user("Trainee"))
    Spy.reads.clear()

    client.get(reverse("notifications:list"))

    assert Spy.reads and not any(on for _label, on in Spy.reads)
