"""Where a request comes from: the one answer sign-in lockouts and password-reset limits share."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, read past `TRUSTED_PROXY_COUNT` reverse proxies.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the client is the
    N-th entry from the right; entries further left are whatever the client claimed and are never
    trusted. Without proxies (or without a usable header) it is REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None
