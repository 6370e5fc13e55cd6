"""Copies of personal data go after their period; what is still within it stays."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certificates.models import VerificationRequest
from courses.imports import import_preview
from courses.models import EnrolmentImport
from privacy.retention import remove_expired
from privacy.tasks import remove_expired_copies
from security.models import PasswordResetRequest

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


NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def uploaded_at(world, when, status=EnrolmentImport.Status.PREVIEW):
    item = uploaded(world, days_ago=0, status=status)
    EnrolmentImport.objects.filter(pk=item.pk).update(created_at=when)
    return item


@override_settings(IMPORT_RETENTION_DAYS=30)
def test_an_import_exactly_at_the_end_of_its_period_is_still_kept(world):
    boundary = NOW - dt.timedelta(days=30)
    kept = uploaded_at(world, boundary)
    emptied = uploaded_at(world, boundary - SECOND, status=EnrolmentImport.Status.APPLIED)
    full = uploaded_at(world, boundary, status=EnrolmentImport.Status.APPLIED)
    gone = uploaded_at(world, boundary - SECOND)

    removed = remove_expired(now=NOW)

    assert removed["imports_deleted"] == 1 and removed["imports_emptied"] == 1
    assert set(EnrolmentImport.objects.values_list("pk", flat=True)) == {
        kept.pk,
        emptied.pk,
        full.pk,
    }
    assert EnrolmentImport.objects.get(pk=emptied.pk).rows == []
    assert EnrolmentImport.objects.get(pk=full.pk).rows != []
    assert gone.pk not in (kept.pk, emptied.pk, full.pk)


@override_settings(IMPORT_RETENTION_DAYS=30)
def test_an_old_import_still_waiting_for_the_worker_is_not_deleted(world):
    queued = uploaded(world, days_ago=31, status=EnrolmentImport.Status.QUEUED)

    remove_expired()

    queued.refresh_from_db()
    assert queued.rows != []


@override_settings(SIGNIN_RECORD_RETENTION_DAYS=90)
def test_a_signin_record_exactly_at_the_end_of_its_period_is_kept(db):
    for when, name in (
        (NOW - dt.timedelta(days=90), "kept"),
        (NOW - dt.timedelta(days=90) - SECOND, "gone"),
    ):
        attempt = AccessAttempt.objects.create(
            username=name, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)

    remove_expired(now=NOW)

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["kept"]


def test_limit_counters_and_sessions_go_once_their_window_has_passed(db, settings):
    reset_window, verify_window = (
        settings.PASSWORD_RESET_LIMIT_WINDOW,
        settings.CERTIFICATE_VERIFY_WINDOW,
    )
    for when in (NOW - reset_window, NOW - reset_window - SECOND):
        PasswordResetRequest.objects.create(
            email_digest="x", ip_address="192.0.2.1", requested_at=when
        )
    for when in (NOW - verify_window, NOW - verify_window - SECOND):
        VerificationRequest.objects.create(ip_address="192.0.2.1", requested_at=when)
    Session.objects.create(session_key="expired", session_data="", expire_date=NOW - SECOND)
    Session.objects.create(session_key="current", session_data="", expire_date=NOW)

    removed = remove_expired(now=NOW)

    assert removed["password_reset_requests"] == removed["verification_requests"] == 1
    assert list(PasswordResetRequest.objects.values_list("requested_at", flat=True)) == [
        NOW - reset_window
    ]
    assert list(VerificationRequest.objects.values_list("requested_at", flat=True)) == [
        NOW - verify_window
    ]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
