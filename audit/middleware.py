"""Who acts and from where, for every audit entry written while a request is handled.

django-auditlog's own middleware connects a fresh `pre_save` receiver on every request (and
disconnects it after), and writes the actor's e-mail into each entry. Ours sets a context
variable that one permanent receiver (`audit.registration`) reads: nothing is connected per
request, and an entry names its actor by account (and, for an account deleted later, by its
number), never by an e-mail that an erasure could not reach in the append-only trail.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from security.client import client_ip

# (the person acting — `request.user`, still lazy — , their address)
_acting: ContextVar[tuple[object, str | None] | None] = ContextVar("audit_acting", default=None)


@contextlib.contextmanager
def acting(user, remote_addr: str | None = None):
    """Entries written inside are by `user` (an account, or the lazy `request.user`) from
    `remote_addr`: the middleware's context, and the one for a command or a test."""
    token = _acting.set((user, remote_addr))
    try:
        yield
    finally:
        _acting.reset(token)


def current() -> tuple[object, str | None] | None:
    return _acting.get()


class AuditMiddleware:
    """Names the signed-in person and their address — read past the trusted proxies
    (`security.client.client_ip`), never from a client-supplied X-Forwarded-For. The person is
    `request.user` as it stands, still lazy: a request that writes no entry does not load them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(getattr(request, "user", None), client_ip(request)):
            return self.get_response(request)
