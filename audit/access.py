"""Recording that someone was shown a trainee's data: a record page, a gradebook, a profile."""

from __future__ import annotations

from auditlog.models import LogEntry


def viewed(instance) -> None:
    """One «viewed» entry for `instance` (filed under the trainee or cohort it concerns), by the
    signed-in person and from their address (`audit.middleware.AuditMiddleware`)."""
    LogEntry.objects.log_create(instance, force_log=True, action=LogEntry.Action.ACCESS)
