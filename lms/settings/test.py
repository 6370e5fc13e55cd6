"""Test run: DATABASE_URL selects PostgreSQL (CI); SQLite otherwise. Fast hashing, local mail."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import os

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-at-all-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lms-test-media-"))
# A worker subprocess of a test (certificates/tests/test_worker.py) shares the test's directory.
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("TEST_PRIVATE_MEDIA_ROOT") or tempfile.mkdtemp(prefix="lms-test-private-")
)
STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)  # noqa: F405
# Links in e-mails, feeds and QR codes name this address, whatever host a test request uses.
PUBLIC_URL = "https://school.example.org"
WAGTAILADMIN_BASE_URL = PUBLIC_URL
# Tasks run inside `enqueue`, unless a test's worker subprocess asks for the database queue
# (TASKS_BACKEND=django_tasks_db.DatabaseBackend).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# As production without Redis: the tests' cache is each process's own memory, which a worker
# subprocess (a browser test's `db_worker`) does not share. The coalescing test turns it on, its
# tasks run in its own process (dashboards/tests/test_background.py).
DASHBOARDS_COALESCE_REFRESHES = False
if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
