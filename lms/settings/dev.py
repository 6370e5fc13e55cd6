"""Local demo: `make run`. SQLite under var/, mail printed to the console."""

from .base import *  # noqa: F403
from .base import env_bool, os

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The demo runs background tasks in the web process, so that it needs no worker;
# production queues them in the database for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The demo is served at http://127.0.0.1:8000 (`make run`), so its links point there.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = PUBLIC_URL
