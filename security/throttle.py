"""Limits on password-reset requests, per e-mail address and per client address.

Counted in the database rather than in a cache: the web tier keeps no state and may run on
several machines, the project has no shared cache server, and Django's local-memory cache would
count per process. (django-ratelimit refuses the database and local-memory caches for the same
reason.) Rows older than the window are deleted as new ones come in.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PasswordResetRequest


def email_digest(email: str) -> str:
    """A keyed digest of the address as typed, case and surrounding spaces aside."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def password_reset_allowed(*, email: str, ip_address: str | None) -> bool:
    """Whether a reset link may be requested for `email` from `ip_address`; records it if so.

    The answer depends only on earlier requests, never on whether an account uses the address,
    so a refusal tells nothing about who has an account.
    """
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_LIMIT_WINDOW
    digest = email_digest(email)
    with transaction.atomic():
        PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
        recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
        if recent.filter(email_digest=digest).count() >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
            return False
        if (
            ip_address is not None
            and recent.filter(ip_address=ip_address).count()
            >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        ):
            return False
        PasswordResetRequest.objects.create(
            email_digest=digest, ip_address=ip_address, requested_at=now
        )
    return True
