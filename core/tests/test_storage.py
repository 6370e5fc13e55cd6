"""Where uploaded files live: a folder of the machine by default, S3-compatible object storage
shared by every machine with S3_BUCKET (lms/settings/base.py)."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from assessments.models import private_storage

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
from django.core.files.storage import storages
from assessments.models import private_storage
media, private = storages["default"], private_storage()
print(type(media).__name__, media.bucket_name, media.location)
print(type(private).__name__, private.bucket_name, private.location, private.default_acl,
      private.querystring_auth)
"""


def test_private_files_live_in_their_own_folder_by_default():
    storage = private_storage()

    assert isinstance(storage, FileSystemStorage)
    assert Path(storage.location) == Path(settings.PRIVATE_MEDIA_ROOT)
    assert Path(storage.location) != Path(settings.MEDIA_ROOT)


def test_with_a_bucket_media_and_private_files_go_to_object_storage():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-Zx9!q@w#e$r%t^y&u*i(o)p_a+s=d-f/g.h,j;k",
        ALLOWED_HOSTS="school.example.org",
        PUBLIC_URL="https://school.example.org",
        S3_BUCKET="school-media",
        S3_PRIVATE_BUCKET="school-private",
        S3_ENDPOINT_URL="https://storage.example.org",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    media, private = result.stdout.strip().splitlines()[-2:]
    assert media == "S3Storage school-media media"
    assert private == "S3Storage school-private private private True"
