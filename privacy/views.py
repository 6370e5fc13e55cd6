"""A person's own data: «Мои данные», everything the school holds about them, and its archive."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.http import attachment_headers

from .subject import held_about, write_archive

ZIP = "application/zip"


def archive_response(person, *, name: str) -> FileResponse:
    """The archive of `person`'s data as a download, spooled to disk past 16 MB."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 (FileResponse closes it)
    write_archive(person, spool)
    spool.seek(0)
    return attachment_headers(FileResponse(spool, content_type=ZIP), name)


@require_safe
@login_required
def my_data(request):
    return render(request, "privacy/my_data.html", {"held": held_about(request.user)})


@require_safe
@login_required
def my_data_archive(request):
    day = timezone.localdate().isoformat()
    return archive_response(request.user, name=f"my-data-{day}.zip")
