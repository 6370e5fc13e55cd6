"""The limit on public verification look-ups, per client address.

A code has 100 random bits, so guessing one is hopeless anyway; the limit keeps the pages from
being used as an oracle at scale and keeps a scraper from hammering the database. Counted in the
database like `security.throttle` (the web tier keeps no state). Known and unknown codes count
the same, so the limit itself says nothing about which codes exist.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import VerificationRequest


def verification_allowed(*, ip_address: str | None, record: bool = True) -> bool:
    """Whether `ip_address` may look up another code now; records the look-up if so.

    `record=False` only asks (the form page, which looks nothing up, says so before a person
    types a code that would be refused).
    """
    now = timezone.now()
    since = now - settings.CERTIFICATE_VERIFY_WINDOW
    with transaction.atomic():
        VerificationRequest.objects.filter(requested_at__lt=since).delete()
        recent = VerificationRequest.objects.filter(requested_at__gte=since, ip_address=ip_address)
        if recent.count() >= settings.CERTIFICATE_VERIFY_LIMIT:
            return False
        if record:
            VerificationRequest.objects.create(ip_address=ip_address, requested_at=now)
    return True
