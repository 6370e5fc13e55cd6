"""Copies of personal data go after their period; what is still within it stays."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.imports import import_preview
from courses.models import EnrolmentImport
from privacy.retention import remove_expired
from privacy.tasks import remove_expired_copies

pytestmark = pytest.mark.django_db

ROWS = (
    "Фамилия;Имя;Электронная почта;Телефон\nПетрова;Анна;petrova@example.org;+79001112233\n"
).encode()


def uploaded(world, *, days_ago: float, status=EnrolmentImport.Status.PREVIEW):
    item = import_preview(
        cohort=world.cohort, uploaded_by=world.official, file_name="list.csv", data=ROWS
    )
    EnrolmentImport.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago), status=status
    )
    return item


@override_settings(IMPORT_RETENTION_DAYS=30)
def test_an_import_preview_goes_after_the_period_and_not_before(world):
    kept = uploaded(world, days_ago=29.9)
    gone = uploaded(world, days_ago=30.1)

    removed = remove_expired()

    assert removed["imports_deleted"] == 1
    assert list(EnrolmentImport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert gone.pk != kept.pk


@override_settings(IMPORT_RETENTION_DAYS=30)
def test_an_applied_import_keeps_its_counts_but_not_its_rows(world):
    old = uploaded(world, days_ago=31, status=EnrolmentImport.Status.APPLIED)
    recent = uploaded(world, days_ago=1, status=EnrolmentImport.Status.APPLIED)

    remove_expired()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.rows == [] and old.status == EnrolmentImport.Status.APPLIED
    assert recent.rows != []


@override_settings(SIGNIN_RECORD_RETENTION_DAYS=90)
def test_signin_records_go_after_their_period(db):
    now = timezone.now()
    for days, name in ((89, "kept"), (91, "gone")):
        attempt = AccessAttempt.objects.create(
            username=name, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=now - dt.timedelta(days=days)
        )

    remove_expired()

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["kept"]


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_daily_command_only_enqueues_the_job(world):
    uploaded(world, days_ago=400)

    call_command("remove_expired_data", stdout=io.StringIO())

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "privacy.tasks.remove_expired_copies" and queued.status == "READY"
    assert EnrolmentImport.objects.exists(), "enqueued, not run in the command"


def test_the_job_removes_what_has_expired(world):
    uploaded(world, days_ago=400)

    remove_expired_copies.enqueue()  # the immediate backend of the tests runs it now

    assert not EnrolmentImport.objects.exists()
