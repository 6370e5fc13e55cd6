"""Background work of the courses app, run by the Django Tasks worker (`db_worker`)."""

from django_tasks import task

from .imports import import_run


@task()
def apply_enrolment_import(import_id: int) -> str:
    """Apply a confirmed trainee import in the background; returns its final status.

    A failure marks the import failed with its reason (and is raised again for the task's record).
    """
    return import_run(import_id=import_id).status
