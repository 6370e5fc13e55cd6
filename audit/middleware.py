"""django-auditlog's middleware, told where a request really comes from, and lazy about who."""

from auditlog.middleware import AuditlogMiddleware

from security.client import client_ip


class AuditMiddleware(AuditlogMiddleware):
    """Every entry written while a request is handled names its signed-in person and their
    address — read past the trusted proxies (`security.client.client_ip`), never from a
    client-supplied X-Forwarded-For as django-auditlog's own reading would. The person is
    `request.user` as it stands, still lazy: a request that writes no entry does not load them
    (django-auditlog reads it only when an entry is saved, and keeps only a signed-in person)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None

    @staticmethod
    def _get_actor(request):
        return getattr(request, "user", None)
