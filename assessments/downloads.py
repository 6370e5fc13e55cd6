"""What a trainee's case-work file is called, and sent as, when someone downloads it.

Never the name it was uploaded under (that may be `../../evil.html` or `x.pdf.exe`): the case and
the trainee, slugified, numbered within the work, with the extension of the type that was read
from the file's content when it was uploaded.
"""

from __future__ import annotations

from django.utils.text import slugify

from .casework import ALLOWED_TYPES
from .models import CaseSubmission, SubmissionFile

EXTENSIONS = dict(ALLOWED_TYPES.values())  # content type → extension
UNKNOWN_TYPE = ("application/octet-stream", "bin")
NAME_PART_CHARS = 60


def _slug(text: str) -> str:
    return slugify(text, allow_unicode=True)[:NAME_PART_CHARS].strip("-")


def submission_file_download(
    *, item: SubmissionFile, submission: CaseSubmission
) -> tuple[str, str]:
    """(file name, content type) for a file of `submission` (loaded with its case and trainee).

    The name may hold Cyrillic; `core.http.content_disposition` adds the ASCII form.
    """
    content_type, extension = (
        (item.content_type, EXTENSIONS[item.content_type])
        if item.content_type in EXTENSIONS
        else UNKNOWN_TYPE
    )
    position = list(submission.files.values_list("pk", flat=True)).index(item.pk) + 1
    parts = [
        _slug(submission.case.title) or "case",
        _slug(submission.enrolment.trainee.full_name),
        str(position),
    ]
    return "-".join(part for part in parts if part) + f".{extension}", content_type
