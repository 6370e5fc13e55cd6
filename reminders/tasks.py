"""The daily jobs as background tasks, enqueued by `manage.py send_reminders` (see the README)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_grading_digests() -> int:
    return services.grading_digests_send()


@task()
def send_session_reminders() -> int:
    return services.session_reminders_send()


@task()
def send_cohort_end_reminders() -> int:
    return services.cohort_end_reminders_send()


DAILY = [send_grading_digests, send_session_reminders, send_cohort_end_reminders]
