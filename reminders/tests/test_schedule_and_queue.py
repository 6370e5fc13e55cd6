"""`send_reminders` only enqueues; the workers send; a second run, or two at once, sends nothing
twice."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification
from reminders.services import session_reminders_send
from schedule.models import Session
from tests import factories
from tests.concurrency import concurrency_test, run_times

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def cohort_with_a_session_tomorrow(trainees: int = 1):
    factories.site_home()
    today = timezone.localdate()
    cohort = factories.cohort(
        factories.program(),
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=30),
    )
    people = [factories.user("Trainee") for _ in range(trainees)]
    for person in people:
        factories.enrol(person, cohort)
    start = timezone.now() + dt.timedelta(days=1)
    Session.objects.create(
        cohort=cohort, topic="Завтра", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    return people


def drain_queue() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


# The worker closes its database connection when done, so these cannot run in a transaction;
# serialized_rollback keeps the regions and roles of the data migrations.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=QUEUED)
def test_the_command_enqueues_the_jobs_and_the_worker_sends_once_a_day():
    [trainee] = cohort_with_a_session_tomorrow()
    out = io.StringIO()

    call_command("send_reminders", stdout=out)

    # Three jobs wait in the queue; nothing is sent by the command itself.
    ours = DBTaskResult.objects.filter(task_path__startswith="reminders.tasks.")
    assert ours.filter(status="READY").count() == 3
    assert "send_session_reminders" in out.getvalue()
    assert not Notification.objects.exists()

    drain_queue()
    call_command("send_reminders", stdout=io.StringIO())  # the timer fires again the same day
    drain_queue()

    assert list(ours.values_list("status", flat=True)) == ["SUCCESSFUL"] * 6
    assert Notification.objects.filter(recipient=trainee, kind="session_reminder").count() == 1


@concurrency_test
def test_two_runs_at_the_same_moment_send_each_reminder_once():
    people = cohort_with_a_session_tomorrow(trainees=3)

    outcomes = run_times(4, session_reminders_send)

    # Whichever run wins each trainee, three reminders in all, and no run fails.
    assert sum(outcomes) == 3, outcomes
    for person in people:
        assert Notification.objects.filter(recipient=person, kind="session_reminder").count() == 1
