"""The site's one public address, and every absolute link made from it.

E-mails, calendar feeds and QR codes are read away from the site, so their links must name the
address people reach it at. It comes from one setting, `PUBLIC_URL` (environment `PUBLIC_URL`),
never from the request: a Host header is chosen by whoever sends the request, and a link built
from it could send a password-reset token to another site (host-header injection).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

# Addresses that only ever mean "this machine": a link to one of them works for nobody else.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"}


def public_url_problem(url: str, *, debug: bool) -> str | None:
    """Why `url` cannot be the site's public address, or None when it can.

    Outside DEBUG (production) it must be an https:// address of a real host; the demo may use
    http://127.0.0.1:8000, where it is served.
    """
    if not url:
        return "PUBLIC_URL must be set to the site's address, such as https://school.example.org."
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"PUBLIC_URL must be an address such as https://school.example.org, not {url!r}."
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        return f"PUBLIC_URL must be only the scheme and host (and port), not {url!r}."
    if debug:
        return None
    host = parts.hostname.lower()
    if host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        return f"PUBLIC_URL must be the address people reach the site at, not {url!r}."
    if parts.scheme != "https":
        return f"PUBLIC_URL must use https in production, not {url!r}."
    return None


def absolute_url(path: str) -> str:
    """`path` (from `reverse()` or a page's url) as a full address on the public site."""
    if not path.startswith("/") or path.startswith("//"):
        # Only the site's own paths: a full or protocol-relative address would leave the site.
        raise ValueError(f"absolute_url takes a path on this site, not {path!r}")
    return settings.PUBLIC_URL.rstrip("/") + path
