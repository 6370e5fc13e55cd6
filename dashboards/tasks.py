"""Background refreshes of the figures, run by the Django Tasks worker (`db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .services import rebuild_figures


@task()
def refresh_figures(cohort_ids: list[int]) -> int:
    """Refresh many cohorts at once (a published change to a programme taught in every region):
    too many to do in the editor's request. Returns how many were refreshed."""
    return rebuild_figures(cohort_ids=cohort_ids)
