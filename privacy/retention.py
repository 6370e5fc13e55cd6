"""Copies of personal data kept past their time are removed by a daily job (`tasks.py`).

- A trainee import keeps the rows of its spreadsheet (names, e-mails, phones) for its preview
  and its report: `IMPORT_RETENTION_DAYS` after upload an import not applied is deleted, and an
  applied one keeps its counts, not its rows.
- Sign-in lockout records (django-axes: login, address, browser) go after
  `SIGNIN_RECORD_RETENTION_DAYS`; the limits' own counters (password reset, verification) after
  their windows; sessions once expired.
The audit trail is kept: it holds no personal values (see «Audit trail» in the README).
"""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from certificates.models import VerificationRequest
from courses.models import EnrolmentImport
from security.models import PasswordResetRequest


def remove_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what has outlived its period; how many of each went."""
    now = now or timezone.now()
    imports_before = now - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    old_imports = EnrolmentImport.objects.filter(created_at__lt=imports_before)
    applied = old_imports.filter(status=EnrolmentImport.Status.APPLIED)
    return {
        "imports_emptied": applied.exclude(rows=[]).update(rows=[]),
        "imports_deleted": old_imports.exclude(status=EnrolmentImport.Status.APPLIED)
        .exclude(status=EnrolmentImport.Status.QUEUED)
        .delete()[0],
        "signin_records": AccessAttempt.objects.filter(
            attempt_time__lt=now - dt.timedelta(days=settings.SIGNIN_RECORD_RETENTION_DAYS)
        ).delete()[0],
        "password_reset_requests": PasswordResetRequest.objects.filter(
            requested_at__lt=now - settings.PASSWORD_RESET_LIMIT_WINDOW
        ).delete()[0],
        "verification_requests": VerificationRequest.objects.filter(
            requested_at__lt=now - settings.CERTIFICATE_VERIFY_WINDOW
        ).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
    }
