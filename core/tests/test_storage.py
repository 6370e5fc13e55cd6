"""Where uploaded files live: a folder of the machine by default, S3-compatible object storage
shared by every machine with S3_BUCKET (lms/settings/base.py)."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from assessments.models import private_storage
from tests.test_deploy import production_shell

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
    media, private = production_shell(
        SCRIPT,
        S3_BUCKET="school-media",
        S3_PRIVATE_BUCKET="school-private",
        S3_ENDPOINT_URL="https://storage.example.org",
    )[-2:]

    assert media == "S3Storage school-media media"
    assert private == "S3Storage school-private private private True"
