"""Settings shared by every environment. Secrets and hosts come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LMS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Our apps, first, so that their templates override Wagtail's where they share a name.
LOCAL_APPS = [
    "accounts",
    "content",
    "courses",
    "assessments",
    "certificates",
    "notifications",
    "schedule",
    "records",
    "security",
    "reminders",
    "dashboards",
    "audit",
    "privacy",
    "replication",
]
INSTALLED_APPS = [
    *LOCAL_APPS,
    "wagtail.sites",
    "accounts.apps.SchoolWagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "auditlog",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.ContentSecurityPolicyMiddleware",
    "core.freshness.FreshnessMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "content.middleware.SiteLanguageMiddleware",
    # A view that loses the database answers with a 503 page drawn without it (core.outages).
    "core.outages.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who and from where, for every audit trail entry the request writes (audit.middleware).
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "courses.middleware.PracticeBalanceMiddleware",
    "records.middleware.ApprovalImpactMiddleware",
    "content.middleware.PageRouteMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The benchmarks' floor (`/bench/floor/`, `core.views.floor`) and the query count in a header
# of every answer (`core.middleware`): on only for `make bench-dashboards`, never on a real site.
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)
if BENCH_FLOOR:
    # Right after SecurityMiddleware: the session and the user are counted with the view.
    MIDDLEWARE.insert(1, "core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
ASGI_APPLICATION = "lms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "content.context_processors.accessibility",
                "notifications.context_processors.inbox",
                "courses.context_processors.navigation",
            ],
            # `{% drawn %}`: a page's part kept until what it shows changes (core.freshness).
            "libraries": {"drawn": "core.templatetags.drawn"},
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A read replica for the officials' dashboards (core.replica), when DATABASE_REPLICA_URL is set;
# in tests it stands for the primary itself.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache: Redis from REDIS_URL (every web worker and machine sees the same entries and
# the same invalidations), local memory of each process when unset (the demo, the tests).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Sites (or benchmark runs) sharing one Redis keep apart by their prefix.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lms"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    # Parts of pages drawn once per the exact data they show (core.fragments): never shared, so
    # that a new release's templates never meet a drawing of the previous one. At most 200 (the
    # largest, the regions' table and chart, is 150 kB): 30 MB of a worker at worst.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # The main parts of people's pages, kept until a write changes what they show
    # (core.freshness); in each process, never shared, like the fragments above. A part is 5 to
    # 40 kB: 2,000 of them are at most 80 MB of a worker.
    "drawings": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "drawings",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# How long a kept part of a page lives (core.freshness): writes make it unreachable at once;
# what changes with the clock alone (a session starting, a deadline passing) shows within this.
# 0 turns keeping off. Production keeps parts only with REDIS_URL: the versions that writes bump
# must be seen by every worker (lms/settings/production.py).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
CACHES["drawings"]["TIMEOUT"] = PAGE_CACHE_SECONDS or 1

# Sessions are read from the shared cache and written through to the database (no query to
# find the signed-in user's session); without a shared cache, from the database alone: another
# process's memory would keep a session that a sign-out in this one has ended.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before any password is checked. It needs the
# request in authenticate(): tests sign in with force_login, or client.login(request=HttpRequest()).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "courses:learning"
LOGOUT_REDIRECT_URL = "/"
# Imported trainees choose their password through an invitation link; give them two weeks.
PASSWORD_RESET_TIMEOUT = 14 * 24 * 60 * 60

# Russian by default whatever the browser asks for; English on request (see SiteLanguageMiddleware).
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Trainees' uploads: never under MEDIA_URL; served only through views that check access.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Trainees' files and certificates (`assessments.models.private_storage`): never published.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media on S3-compatible object storage, shared by every web and task machine, when S3_BUCKET is
# set (django-storages: `pip install ".[s3]"`). The private files go to their own bucket or
# prefix, private, read only through the site's views that check who asks.
S3_BUCKET = os.environ.get("S3_BUCKET", "").strip()
if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "location": "media"},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": os.environ.get("S3_PRIVATE_BUCKET") or S3_BUCKET,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
# Uploads larger than this stay on disk while being processed rather than in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's handlers, but a file the temporary folder has no room for is told to the person beside
# the form rather than failing the request (core.uploads).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.uploads.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Sign-in throttling (django-axes). Failures are counted per login AND address together, so that
# a classroom behind one address is not locked out by one trainee's typos, and nobody can lock
# a colleague out from elsewhere. The count lives in the database, shared by every web machine.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures during a lockout do not restart it, so the wait we show is the wait that is left.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "security.lockouts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "security.client.client_ip"
# Only failures are kept (and only until they expire): no log of every sign-in's address.
AXES_DISABLE_ACCESS_LOG = True
# How many reverse proxies in front of Django append to X-Forwarded-For (0: none, trust
# REMOTE_ADDR). Used for the address of sign-in lockouts and password-reset limits.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Password-reset requests allowed per hour (see security/throttle.py).
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_ADDRESS = 20
PASSWORD_RESET_LIMIT_WINDOW = timedelta(hours=1)

# Look-ups on the public certificate verification pages allowed per client address and window
# (see certificates/throttle.py): plenty for a person checking papers, too few to guess codes.
CERTIFICATE_VERIFY_LIMIT = 30
CERTIFICATE_VERIFY_WINDOW = timedelta(minutes=10)

# How long copies of personal data are kept before the daily job removes them (privacy.retention):
# the rows of an uploaded trainee spreadsheet, and the sign-in lockout records.
IMPORT_RETENTION_DAYS = int(os.environ.get("IMPORT_RETENTION_DAYS", "30"))
SIGNIN_RECORD_RETENTION_DAYS = int(os.environ.get("SIGNIN_RECORD_RETENTION_DAYS", "90"))

# Content-Security-Policy (django-csp 4). The site runs no inline script or style and loads
# nothing from elsewhere; data: images are Bootstrap's inline SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail admin (under /admin/) gets its own policy, with what Wagtail 8 cannot do without:
# - inline <script> elements: its widgets and panels initialise themselves with them (date and
#   time pickers, document/page choosers, inline panels), rendered from Python and templates;
# - inline <style> elements: its editor's JavaScript inserts them;
# - same-origin frames: the live preview beside the editor.
# Inline event-handler and style attributes, eval() and other origins stay refused there too.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "script-src-attr": [NONE],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-attr": [NONE],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background work (bulk certificates, imports, report rebuilds) goes through the Tasks API,
# queued in the database so that workers on any machine can take it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# `/health/` (core.health): how long each dependency's check may take, in seconds, and how long
# a task may wait in the queue, in seconds, before the queue is reported down (no worker takes it).
# Programme packages (replication): the largest accepted, packed or unpacked, in bytes.
REPLICATION_PACKAGE_MAX_BYTES = int(os.environ.get("REPLICATION_PACKAGE_MAX_BYTES", 200 * 2**20))
HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "3"))
HEALTH_QUEUE_MAX_AGE = int(os.environ.get("HEALTH_QUEUE_MAX_AGE", "600"))
# How many drain tasks a certificate batch queues: up to this many workers share one batch.
CERTIFICATE_WORKERS_HINT = int(os.environ.get("CERTIFICATE_WORKERS_HINT", "4"))

# The dashboards: when a trainee counts as at risk (dashboards.selectors.AtRiskThresholds), and
# whether a change to a cohort whose figures' refresh is already queued queues no other (the mark
# is kept in the shared cache, which every web and task worker must see: so only with Redis).
DASHBOARDS_AT_RISK = {"INACTIVE_DAYS": 14, "BEHIND_MARGIN": 20, "ENDING_DAYS": 14}
DASHBOARDS_COALESCE_REFRESHES = env_bool("DASHBOARDS_COALESCE_REFRESHES", bool(REDIS_URL))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "school@localhost")

WAGTAIL_SITE_NAME = "Школа социальных координаторов"
# The one public address of the site: every absolute link in e-mails, calendar feeds and QR codes
# is made from it (`core.links.absolute_url`), never from the request's Host header. Production
# refuses to start without a real one (`core.checks`); the demo serves at http://127.0.0.1:8000.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = PUBLIC_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "odt", "txt", "jpg", "jpeg", "png"]
# Documents are study material: they are served through Django so that access can be checked.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Nothing is fetched from elsewhere at run time (and staff e-mails are not sent to Gravatar).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_in_one_line": {"()": "lms.log_filters.ForbiddenInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # A 403 (a refused request, a failed CSRF check) is logged in one line, no traceback.
        # On the loggers themselves, so that every handler (and the tests' caplog) sees it so.
        "django.request": {"filters": ["forbidden_in_one_line"]},
        "django.security.csrf": {"filters": ["forbidden_in_one_line"]},
        "django.db.backends": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; its start-up banner is not needed.
        "axes": {"level": "WARNING"},
    },
}
