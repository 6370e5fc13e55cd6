"""Reads of certificates, scoped to who asks."""

from __future__ import annotations

from .models import Certificate


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this (normalised) verification code, with what its status needs."""
    return Certificate.objects.select_related("replaced_by").filter(code=code).first()
