"""Background work of the trainee records, run by the Django Tasks worker (`db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .notices import notify_change


@task()
def notify_programme_change(page_id: int, trainees: list[dict]) -> int:
    """Tell each affected trainee, once, what a published change did to their figures.

    `trainees` are `TraineeImpact.as_primitive()` rows worked out just before the change went
    live (a large cohort is told in the background, not during the editor's request).
    Returns how many were told.
    """
    return notify_change(page_id=page_id, trainees=trainees)
