"""The officials' dashboards read from a PostgreSQL read replica, when one is configured.

`DATABASE_REPLICA_URL` adds the `replica` database (lms/settings/base.py). The dashboards' views
are marked `@reads_from_replica`: while one runs, every read goes to the replica
(`ReplicaRouter`); everything else — the session and the user, read before the view, every
write, every other page — stays on the primary. Their figures are rollups a few seconds behind
at worst, so a replica's lag is never seen as a contradiction between two pages a trainee reads.
A streamed export reads after the view has returned, on the primary.
"""

from __future__ import annotations

import functools
import threading

from django.db import connections

REPLICA = "replica"
_state = threading.local()


def reading_from_replica() -> bool:
    return getattr(_state, "active", False) and REPLICA in connections.databases


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # a replica follows its primary's schema


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        _state.active = True
        try:
            return view(*args, **kwargs)
        finally:
            _state.active = False

    return wrapped
