"""Uploads the server cannot store: a full disk or quota, or storage that refuses to write.

Two moments can fail. Django writes an upload larger than `FILE_UPLOAD_MAX_MEMORY_SIZE` to a
temporary file while it reads the request — before any view runs (the CSRF check reads the form):
`TemporaryFileUploadHandler` skips such a file and notes why on the request
(`not_stored(request)`), so that the view answers beside its form. Then a view saves the file
to its storage: `store_upload` saves it for a row not yet written, removes whatever part of it
reached the disk when saving fails, and raises `UploadNotStored`.

Either way the person gets the form again with `UploadNotStored.message`, as a 507 (no room)
or a 503 (the storage refused), and the failure is logged.
"""

from __future__ import annotations

import errno
import logging

from django.core.files import uploadhandler
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

NO_ROOM = {errno.ENOSPC, errno.EDQUOT}


class UploadNotStored(Exception):
    """An upload was not stored because of `error`; nothing of it was kept."""

    def __init__(self, error: OSError):
        super().__init__(f"{type(error).__name__} [errno {error.errno}]")
        self.error = error

    @property
    def no_room(self) -> bool:
        return self.error.errno in NO_ROOM

    @property
    def status(self) -> int:
        return 507 if self.no_room else 503  # Insufficient Storage; Service Unavailable

    @property
    def message(self) -> str:
        if self.no_room:
            return _(
                "The server has no room to store the file right now. Nothing was saved: try "
                "again later, or tell the school's administrator."
            )
        return _(
            "The server could not store the file right now. Nothing was saved: try again "
            "later, or tell the school's administrator."
        )


def _logged(error: OSError, where: str) -> UploadNotStored:
    logger.error("An upload could not be stored (%s): %s", where, error, exc_info=error)
    return UploadNotStored(error)


def not_stored(request) -> UploadNotStored | None:
    """Why an upload of this request was skipped while the request was read, if one was."""
    return getattr(request, "upload_not_stored", None)


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """Django's, except that a file it cannot write to the temporary folder is skipped, and the
    failure noted on the request, instead of failing the whole request with a 500 before the
    view can tell the person. The form's other fields are still read (the CSRF token, the
    answers, which button was pressed); the partly written temporary file is deleted."""

    def new_file(self, *args, **kwargs) -> None:
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            self._skip(error)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as error:
            self._skip(error)

    def _skip(self, error: OSError):
        if self.request is not None and not_stored(self.request) is None:
            self.request.upload_not_stored = _logged(error, "temporary file")
        raise uploadhandler.SkipFile


def store_upload(field_file: FieldFile, upload) -> str:
    """Save `upload` as the file of `field_file` (its row is written after, by the caller) and
    return the stored name. If the storage fails, whatever part of the file reached it is
    removed and `UploadNotStored` is raised.

    The field's `upload_to` must make each name unique (a random name), so that the name
    written is the name asked for, and a failed save removes nothing but its own part."""
    storage: Storage = field_file.storage
    name = field_file.field.generate_filename(field_file.instance, upload.name)
    try:
        stored = storage.save(name, upload, max_length=field_file.field.max_length)
    except OSError as error:
        discard_stored(storage, [name])
        raise _logged(error, name) from error
    setattr(field_file.instance, field_file.field.attname, stored)
    return stored


def discard_stored(storage: Storage, names: list[str]) -> None:
    """Remove files stored for rows that were never written (their transaction rolled back)."""
    for name in names:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            logger.exception("Could not remove %s, stored for work that was not saved.", name)
