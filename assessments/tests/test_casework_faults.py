"""Case work when the parts under it fail: the database lost in the middle of a submission, and a
disk with no room for an attached file — in the private storage or in the temporary folder the
upload passes through. Each time the trainee is told, gets the form back with their text, and
nothing partial is saved: no submission without its file, no file without its row."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from assessments.casework import submission_save
from assessments.models import CaseSubmission, SubmissionFile
from courses.models import ActivityCompletion, CaseStudyPage
from tests import factories
from tests.concurrency import require_postgresql
from tests.faults import read_only_directory, terminate_backend

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"1 0 obj<<>>endobj\n" * 200 + b"trailer<<>>\n%%EOF"
ANSWER = "План помощи семье: опекунство, пособие, няня на время занятий"
NO_ROOM = "На сервере сейчас нет места, чтобы сохранить файл. Ничего не сохранено"
REFUSED = "Сервер сейчас не может сохранить файл. Ничего не сохранено"
LOST_DATABASE = "База данных недоступна"


@pytest.fixture
def world():
    factories.site_home()
    program = factories.program()
    case = CaseStudyPage.objects.descendant_of(program).get()
    trainee = factories.user("Trainee")
    factories.enrol(trainee, factories.cohort(program))
    return {"case": case, "trainee": trainee, "task": case.tasks.get()}


class FullDiskStorage(FileSystemStorage):
    """The disk fills up after the first file: the second's first bytes reach it, then the
    error."""

    full_errno = errno.ENOSPC
    files_that_fit = 1

    def _save(self, name, content):
        if self.files_that_fit:
            self.files_that_fit -= 1
            return super()._save(name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as partial:
            partial.write(content.read(16))
        raise OSError(self.full_errno, os.strerror(self.full_errno), str(path))


def use_storage(monkeypatch, storage: FileSystemStorage) -> Path:
    """Case-work files go to `storage` for this test (the field keeps the instance it was
    given when the models loaded, so the setting alone would not move them)."""
    monkeypatch.setattr(SubmissionFile._meta.get_field("file"), "storage", storage)
    Path(storage.location).mkdir(parents=True, exist_ok=True)
    return Path(storage.location)


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def send(client, world, *, answer: str = ANSWER, files: int = 1, remove=()):
    client.force_login(world["trainee"])
    data = {f"task-{world['task'].pk}": answer, "submit": "1", "remove": [str(r) for r in remove]}
    if files:
        data["files"] = [SimpleUploadedFile(f"plan{n}.pdf", PDF) for n in range(files)]
    return client.post(reverse("assessments:casework_save", args=(world["case"].pk,)), data)


def existing_work(world) -> CaseSubmission:
    return submission_save(
        user=world["trainee"],
        case=world["case"],
        answers={str(world["task"].pk): "Первый вариант"},
        files=[SimpleUploadedFile("first.pdf", PDF)],
        remove_files=[],
        submit=True,
    )


def assert_unchanged(world, before: CaseSubmission | None, folder: Path) -> None:
    if before is None:
        assert not CaseSubmission.objects.exists()
        assert not SubmissionFile.objects.exists()
        assert not ActivityCompletion.objects.exists()
        assert files_in(folder) == []
        return
    now = CaseSubmission.objects.get()
    assert now.answers == before.answers and now.times_submitted == before.times_submitted
    kept = SubmissionFile.objects.get()
    assert kept.original_name == "first.pdf"
    assert files_in(folder) == [folder / kept.file.name]


# A full disk ------------------------------------------------------------------------------


@pytest.mark.parametrize("full", [errno.ENOSPC, errno.EDQUOT])
@pytest.mark.parametrize("has_work", [False, True], ids=["first work", "work changed"])
def test_no_room_for_a_file_is_a_507_with_the_form_and_nothing_saved(
    client, world, monkeypatch, tmp_path, caplog, full, has_work
):
    storage = FullDiskStorage(location=tmp_path / "private")
    storage.full_errno = full
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))
    before = existing_work(world) if has_work else None
    use_storage(monkeypatch, storage)

    with caplog.at_level(logging.ERROR, logger="core.uploads"):
        response = send(client, world, files=2)

    assert response.status_code == 507
    html = response.content.decode()
    assert NO_ROOM in html
    assert ANSWER in html  # what the trainee typed is in the form again
    assert "data-draft-restore" in html
    assert_unchanged(world, before, folder)  # the first file and the part of the second: gone
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_a_storage_that_refuses_to_write_is_a_503_and_nothing_is_saved(
    client, world, monkeypatch, tmp_path, caplog
):
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))

    with read_only_directory(folder), caplog.at_level(logging.ERROR, logger="core.uploads"):
        response = send(client, world)

    assert response.status_code == 503
    html = response.content.decode()
    assert REFUSED in html and ANSWER in html
    assert_unchanged(world, None, folder)
    assert caplog.records


def test_with_room_the_same_work_is_saved_with_its_files(client, world, monkeypatch, tmp_path):
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))

    response = send(client, world, files=2)

    assert response.status_code == 302
    submission = CaseSubmission.objects.get()
    assert submission.answers == {str(world["task"].pk): ANSWER}
    assert submission.status == CaseSubmission.Status.SUBMITTED
    stored = sorted(folder / item.file.name for item in submission.files.all())
    assert len(stored) == 2 and sorted(files_in(folder)) == stored
    assert all(path.read_bytes() == PDF for path in stored)


HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]


def test_no_room_in_the_temporary_folder_is_a_507_with_the_form(
    client, world, monkeypatch, tmp_path, settings, caplog
):
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload through a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    settings.FILE_UPLOAD_HANDLERS = [*HANDLERS, "tests.faults.TemporaryFolderFills"]

    with caplog.at_level(logging.ERROR, logger="core.uploads"):
        response = send(client, world)

    assert response.status_code == 507
    html = response.content.decode()
    assert NO_ROOM in html and ANSWER in html  # the rest of the form was still read
    assert_unchanged(world, None, folder)
    assert files_in(tmp_path / "tmp") == []  # the partial temporary file is gone
    assert caplog.records


def test_a_temporary_folder_that_is_gone_is_a_503(client, world, monkeypatch, tmp_path, settings):
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "gone")

    response = send(client, world)

    assert response.status_code == 503
    assert REFUSED in response.content.decode()
    assert_unchanged(world, None, folder)


def test_with_a_temporary_folder_the_work_is_saved(client, world, monkeypatch, tmp_path, settings):
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()

    response = send(client, world)

    assert response.status_code == 302
    assert CaseSubmission.objects.get().files.count() == 1 and len(files_in(folder)) == 1
    assert files_in(tmp_path / "tmp") == []


# The database lost mid-submission --------------------------------------------------------


def killed_at(statement: str):
    """An execute wrapper that ends this connection's PostgreSQL backend (from another
    connection, as an administrator or a failover would) just as `statement` is sent."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(statement):
            terminate_backend(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("has_work", [False, True], ids=["first work", "work changed"])
def test_the_database_lost_mid_submission_is_a_503_and_nothing_partial_is_kept(
    client, world, monkeypatch, tmp_path, caplog, has_work
):
    require_postgresql()
    folder = use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "private"))
    before = existing_work(world) if has_work else None
    remove = [before.files.get().pk] if before else []

    # The work's row is written (and, when changed, the old file's row deleted), the new file is
    # stored — and the database goes away as the new file's row is sent.
    with (
        connection.execute_wrapper(killed_at('INSERT INTO "assessments_submissionfile"')),
        caplog.at_level(logging.ERROR, logger="core.outages"),
    ):
        response = send(client, world, remove=remove)

    assert response.status_code == 503
    assert response["Retry-After"] == "60" and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert LOST_DATABASE in html
    assert "Ничего не сохранено" in html
    assert "Введённый вами текст сохранён в этом браузере" in html
    assert "js/drafts.js" in html and "data-draft-failed" in html
    # The transaction never committed: the work is as before; the file stored for the lost
    # row is removed, and the file whose removal was lost is still there.
    assert_unchanged(world, before, folder)
    assert caplog.records

    # The database back, the same sending is saved.
    assert send(client, world, remove=remove).status_code == 302
    submission = CaseSubmission.objects.get()
    assert submission.answers == {str(world["task"].pk): ANSWER}
    assert [item.original_name for item in submission.files.all()] == ["plan0.pdf"]
    assert len(files_in(folder)) == 1
