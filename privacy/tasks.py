"""The daily removal of expired copies, enqueued by `manage.py remove_expired_data`."""

from __future__ import annotations

from django_tasks import task

from .retention import remove_expired


@task()
def remove_expired_copies() -> dict[str, int]:
    return remove_expired()
