"""Sign-in lockouts: who is locked out now, for how long, and letting them in again.

django-axes counts failed sign-ins (an `AccessAttempt` row per login, address and browser) and
refuses a sign-in once a login and address together reach `AXES_FAILURE_LIMIT` failures within
`AXES_COOLOFF_TIME` (see the settings). This module reads those rows the way axes does, for the
page a locked-out person sees and for the administrators' «Блокировки входа» page, and releases
them when an administrator unlocks.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from .client import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    """A login and address that may not sign in until `ends_at`."""

    attempt_id: int  # the newest of its rows: what the «Разблокировать» button names
    username: str | None
    ip_address: str | None
    failures: int
    ends_at: datetime


def _cool_off() -> timedelta:
    return get_cool_off()


def _lockouts(attempts) -> list[Lockout]:
    """Group recent attempt rows by login and address, as `AXES_LOCKOUT_PARAMETERS` does.

    A lockout ends when enough of its newest rows expire that the rest fall under the limit: the
    row at which the running total (newest first) reaches the limit, plus the cool-off.
    """
    limit = settings.AXES_FAILURE_LIMIT
    cool_off = _cool_off()
    groups: dict[tuple, list] = {}
    for attempt in attempts.order_by("-attempt_time", "-pk"):
        groups.setdefault((attempt.username, attempt.ip_address), []).append(attempt)
    lockouts = []
    for (username, ip_address), rows in groups.items():
        total = 0
        for row in rows:
            total += row.failures_since_start
            if total >= limit:
                lockouts.append(
                    Lockout(
                        attempt_id=rows[0].pk,
                        username=username,
                        ip_address=ip_address,
                        failures=sum(r.failures_since_start for r in rows),
                        ends_at=row.attempt_time + cool_off,
                    )
                )
                break
    return sorted(lockouts, key=lambda lockout: lockout.ends_at, reverse=True)


def current_lockouts() -> list[Lockout]:
    """Every login and address locked out now, the latest to end first."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - _cool_off())
    return _lockouts(recent)


def lockout_of(*, username: str | None, ip_address: str | None) -> Lockout | None:
    """The lockout of this login and address, if there is one now."""
    recent = AccessAttempt.objects.filter(
        username=username,
        ip_address=ip_address,
        attempt_time__gte=timezone.now() - _cool_off(),
    )
    found = _lockouts(recent)
    return found[0] if found else None


def lockout_release(*, attempt_id: int, released_by) -> int:
    """Let a login and address sign in again by forgetting their failures; returns rows removed.

    `attempt_id` names any attempt row of the pair (the page posts the newest).
    """
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return 0
    removed, _ = AccessAttempt.objects.filter(
        username=attempt.username, ip_address=attempt.ip_address
    ).delete()
    logger.info(
        "Sign-in lockout of %r from %s released by %s",
        attempt.username,
        attempt.ip_address,
        released_by.get_username(),
    )
    return removed


def minutes_left(ends_at: datetime) -> int:
    """Whole minutes to wait, rounded up: «через 1 минуту» rather than «через 0 минут»."""
    seconds = (ends_at - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """What a locked-out sign-in gets, on the site and in the admin: how long to wait (429)."""
    lockout = lockout_of(
        username=get_client_username(request, credentials), ip_address=client_ip(request)
    )
    ends_at = lockout.ends_at if lockout else timezone.now() + _cool_off()
    minutes = minutes_left(ends_at)
    message = ngettext(
        "Too many failed sign-in attempts with this login. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts with this login. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "security/locked_out.html",
        {"message": message, "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
