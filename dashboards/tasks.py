"""Background refreshes of the figures, run by the Django Tasks worker (`db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .services import rebuild_figures

# Behind every other task: a certificate batch, an import or a password-reset mail is someone
# waiting; a figure a few seconds late is marked as catching up on the dashboards.
REFRESH_PRIORITY = -10


@task(priority=REFRESH_PRIORITY)
def refresh_figures(cohort_ids: list[int]) -> int:
    """Refresh the cohorts a committed change touched, those still marked out of date (another
    refresh since may have caught up with the change). Returns how many were refreshed.

    The queued mark is released first: a change that commits from now on queues its own
    refresh, one that committed before is seen by this one."""
    from .signals import release

    release(cohort_ids)
    return rebuild_figures(cohort_ids=cohort_ids, only_invalidated=True)
