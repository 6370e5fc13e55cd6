"""Production: every secret and host from the environment, HTTPS only, hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from core.links import public_url_problem

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    MIDDLEWARE,
    PAGE_CACHE_SECONDS,
    PUBLIC_URL,
    REDIS_URL,
    SECRET_KEY,
    env_bool,
    os,
)

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
# The same rule as the system check `lms.E001`, here too because a WSGI server runs no checks.
if public_url_problem(PUBLIC_URL, debug=False):
    raise ImproperlyConfigured(public_url_problem(PUBLIC_URL, debug=False))

# WhiteNoise serves the collected, hashed static files right after the security middleware.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,  # noqa: F405 - media and private files as the environment says (base)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Kept parts of pages need the versions that writes bump shared by every worker: without a shared
# cache, each process would keep its own and miss the others' writes (core.freshness).
PAGE_CACHE_SECONDS = PAGE_CACHE_SECONDS if REDIS_URL else 0

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe each web machine over plain HTTP: `/health/` answers them, not a redirect
# that every probe would count as healthy.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
