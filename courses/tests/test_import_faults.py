"""The trainee spreadsheet when the server has no room for it as it arrives: the official gets the
form again with why, nothing is saved, the failure is logged — and with room it is read as ever.

The file is never stored (it is read, and its rows kept in the database): the disk it meets is
the temporary folder Django writes an upload to while reading the request, for every upload
larger than FILE_UPLOAD_MAX_MEMORY_SIZE (set to 0 here, so that every upload goes there).
"""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import EnrolmentImport
from tests import factories

pytestmark = pytest.mark.django_db

CSV = (
    "Фамилия;Имя;Отчество;E-mail;Телефон\n"
    "Петрова;Анна;Ивановна;petrova@example.org;+7 900 111-22-33\n"
).encode()
NO_ROOM = "На сервере сейчас нет места, чтобы сохранить файл. Ничего не сохранено"
REFUSED = "Сервер сейчас не может сохранить файл. Ничего не сохранено"


@pytest.fixture
def upload(client, settings, tmp_path):
    cohort = factories.cohort(factories.program(), capacity=5)
    client.force_login(factories.user("Regional official"))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()

    def send():
        return client.post(
            reverse("courses:import_upload", args=(cohort.pk,)),
            {"file": SimpleUploadedFile("list.csv", CSV)},
        )

    return send


def temporary_files(tmp_path) -> list:
    return [path for path in (tmp_path / "tmp").rglob("*") if path.is_file()]


@pytest.mark.parametrize("handler", ["TemporaryFolderFills", "TemporaryFolderOverQuota"])
def test_no_room_for_the_spreadsheet_is_a_507_with_the_form_and_nothing_saved(
    upload, settings, tmp_path, caplog, handler
):
    settings.FILE_UPLOAD_HANDLERS = [
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        f"tests.faults.{handler}",
    ]

    with caplog.at_level(logging.ERROR, logger="core.uploads"):
        response = upload()

    assert response.status_code == 507
    html = response.content.decode()
    assert NO_ROOM in html
    assert 'type="file"' in html  # the form again, to send the file once there is room
    assert not EnrolmentImport.objects.exists()
    assert temporary_files(tmp_path) == []
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_a_temporary_folder_that_is_gone_is_a_503_and_nothing_saved(upload, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "gone")

    response = upload()

    assert response.status_code == 503
    assert REFUSED in response.content.decode()
    assert not EnrolmentImport.objects.exists()


def test_with_room_the_spreadsheet_is_read_and_previewed(upload, tmp_path):
    response = upload()

    assert response.status_code == 302
    enrolment_import = EnrolmentImport.objects.get()
    assert response.url == reverse("courses:import_detail", args=(enrolment_import.pk,))
    assert [row["email"] for row in enrolment_import.rows] == ["petrova@example.org"]
    assert temporary_files(tmp_path) == []
