"""Case work: trainees submit answers and files; instructors grade them on the rubric.

Everything that changes a submission or a grade goes through these functions.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.display import inner_quotes
from accounts.roles import Role
from core import freshness
from core.uploads import discard_stored, store_upload
from courses.curriculum import percent_of
from courses.models import ActivityCompletion, CaseStudyPage, Cohort, Enrolment
from courses.selectors import enrolment_for, is_administrator, teaches_cohort
from courses.services import activity_complete
from courses.signals import figures_changed
from notifications.services import notify

from .models import CaseGrade, CaseSubmission, SubmissionFile

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_ANSWER_CHARS = 20_000
MAX_COMMENT_CHARS = 5_000

# What a file is, told by its first bytes: (content type, the extension it is saved with).
ALLOWED_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


class CaseWorkError(Exception):
    """The work cannot be saved as sent; `messages` are for the trainee or instructor."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def sniff_type(upload) -> str | None:
    """ "pdf", "png", "jpg" or "docx" from the content of an uploaded file; None otherwise."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def submission_deadline(enrolment: Enrolment) -> dt.datetime:
    """Case work is accepted until the end of the cohort's last day, in the region's time."""
    zone = ZoneInfo(enrolment.cohort.region.time_zone)
    return dt.datetime.combine(enrolment.cohort.ends_on, dt.time(23, 59, 59), tzinfo=zone)


def can_change(submission: CaseSubmission | None, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Only a trainee still studying (never a withdrawn or completed one) changes their work, and
    only until it is graded or the cohort's last day ends."""
    if enrolment.status != Enrolment.Status.ACTIVE or now > submission_deadline(enrolment):
        return False
    return submission is None or submission.status != CaseSubmission.Status.GRADED


def submission_save(
    *,
    user,
    case: CaseStudyPage,
    answers: dict[str, str],
    files: list,
    remove_files: list[int],
    submit: bool,
    now: dt.datetime | None = None,
) -> CaseSubmission:
    """Save the trainee's work (and submit it when asked). All or nothing: a bad file or answer,
    a storage that cannot take a file (`UploadNotStored`) or a database lost on the way leaves
    the work as it was — its rows in one transaction, and the files stored for rows that were
    never written removed again. Files removed from the work are deleted once that commits."""
    stored: list[str] = []
    committing = False
    try:
        with transaction.atomic():
            submission = _submission_save(
                user=user,
                case=case,
                answers=answers,
                files=files,
                remove_files=remove_files,
                submit=submit,
                now=now,
                stored=stored,
            )
            committing = True
        return submission
    except BaseException:
        # Rolled back for sure: its files go too. A failed commit's outcome is not known (the
        # rows may have been written): a file then outlives its row rather than the reverse.
        if not committing:
            discard_stored(SubmissionFile.file.field.storage, stored)
        raise


def _submission_save(
    *,
    user,
    case: CaseStudyPage,
    answers: dict[str, str],
    files: list,
    remove_files: list[int],
    submit: bool,
    now: dt.datetime | None,
    stored: list[str],
) -> CaseSubmission:
    now = now or timezone.now()
    enrolment = enrolment_for(user, case.program)
    if enrolment is None:
        raise PermissionDenied
    # Every save of this trainee's work waits for the one in flight: the enrolment row is the
    # parent lock. So two tabs saving a case's first draft at once make one submission (not an
    # IntegrityError on the unique rule), the file limit counts what the other request just
    # attached, and a withdrawal is either before the save (refused) or after it. The status is
    # read again under the lock.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__region")
        .get(pk=enrolment.pk)
    )
    submission = (
        CaseSubmission.objects.select_for_update().filter(enrolment=enrolment, case=case).first()
    )
    if not can_change(submission, enrolment, now):
        raise CaseWorkError([_("This work can no longer be changed.")])

    task_ids = {str(task.pk) for task in case.tasks.all()}
    errors = []
    clean_answers = {}
    for key, value in answers.items():
        if key not in task_ids:
            errors.append(_("An answer was sent for a task this case does not have."))
            continue
        if len(value) > MAX_ANSWER_CHARS:
            errors.append(
                _("An answer is too long (at most %(max)s characters).") % {"max": MAX_ANSWER_CHARS}
            )
            continue
        if "\x00" in value:  # PostgreSQL cannot store it; no keyboard types it
            errors.append(_("An answer holds a character that cannot be saved."))
            continue
        clean_answers[key] = value.strip()

    kept = list(submission.files.all()) if submission else []
    removed = set(remove_files)
    unknown = removed - {item.pk for item in kept}
    # A file already removed (by the other tab, or the first of a double click) is simply gone;
    # a file of someone else's work is refused.
    if unknown and SubmissionFile.objects.filter(pk__in=unknown).exists():
        errors.append(_("A file to remove is not part of this work."))
    kept = [item for item in kept if item.pk not in removed]
    if len(kept) + len(files) > MAX_FILES:
        errors.append(_("At most %(count)s files can be attached.") % {"count": MAX_FILES})
    sniffed = []
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            errors.append(
                _("«%(name)s» is larger than %(size)s MB.")
                % {"name": inner_quotes(upload.name), "size": MAX_FILE_BYTES // (1024 * 1024)}
            )
            continue
        kind = sniff_type(upload)
        if kind is None:
            errors.append(
                _("«%(name)s» is not a PDF, DOCX, JPG or PNG file.")
                % {"name": inner_quotes(upload.name)}
            )
            continue
        sniffed.append((upload, kind))
    if submit and not any(clean_answers.values()) and not (kept or sniffed):
        errors.append(_("Write an answer or attach a file before submitting."))
    if errors:
        raise CaseWorkError(errors)

    if submission is None:
        submission = CaseSubmission(enrolment=enrolment, case=case)
    answers_now = {**submission.answers, **clean_answers}
    # Submitting again work that is already submitted, unchanged, is the same submission (a
    # double click, a second tab): it is not counted twice and keeps its time.
    resubmits_unchanged = (
        submit
        and submission.status == CaseSubmission.Status.SUBMITTED
        and answers_now == submission.answers
        and not removed
        and not sniffed
    )
    submission.answers = answers_now
    if submit and not resubmits_unchanged:
        submission.status = CaseSubmission.Status.SUBMITTED
        submission.submitted_at = now
        submission.times_submitted += 1
    submission.save()
    for item in SubmissionFile.objects.filter(submission=submission, pk__in=removed):
        # Only once the removal is committed: a save that fails keeps the file with its row.
        transaction.on_commit(partial(item.file.storage.delete, item.file.name))
        item.delete()
    for upload, kind in sniffed:
        content_type, _extension = ALLOWED_TYPES[kind]
        item = SubmissionFile(
            submission=submission,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
        )
        stored.append(store_upload(item.file, upload))  # UploadNotStored: nothing is kept
        item.save()
    if submit:
        activity_complete(
            enrolment=enrolment,
            activity=case,
            source=ActivityCompletion.Source.SUBMISSION,
            at=now,
        )
    return submission


def can_grade(user, submission: CaseSubmission) -> bool:
    """Instructors of the trainee's cohort, and administrators."""
    if not user.is_authenticated:
        return False
    instructs = is_administrator(user) or bool(
        user.role_names & {Role.INSTRUCTOR, Role.SENIOR_INSTRUCTOR}
    )
    return instructs and teaches_cohort(user, submission.enrolment.cohort)


@dataclass
class CriterionMark:
    criterion_id: int
    level_id: str
    comment: str = ""


@transaction.atomic
def grade_save(
    *,
    grader,
    submission: CaseSubmission,
    marks: list[CriterionMark],
    comment: str,
    release: bool,
    now: dt.datetime | None = None,
) -> CaseGrade:
    """Grade the work on its rubric: one level for every criterion. Regrading replaces the grade."""
    now = now or timezone.now()
    submission = CaseSubmission.objects.select_for_update().get(pk=submission.pk)
    if not can_grade(grader, submission):
        raise PermissionDenied
    if submission.status == CaseSubmission.Status.DRAFT:
        raise CaseWorkError([_("This work has not been submitted yet.")])
    criteria = list(submission.case.rubric_criteria.all())
    if not criteria:
        raise CaseWorkError([_("This case study has no rubric yet.")])
    by_criterion = {mark.criterion_id: mark for mark in marks}
    rows, errors = [], []
    score = max_score = Decimal("0")
    for criterion in criteria:
        levels = {level.id: level.value for level in criterion.levels}
        mark = by_criterion.get(criterion.pk)
        if mark is None or mark.level_id not in levels:
            errors.append(
                _("Choose a level for «%(criterion)s».")
                % {"criterion": inner_quotes(criterion.title)}
            )
            continue
        if comment_error := _comment_error(mark.comment):
            errors.append(f"«{inner_quotes(criterion.title)}»: {comment_error}")
            continue
        level = levels[mark.level_id]
        points = Decimal(level["points"])
        score += points
        max_score += criterion.max_points
        rows.append(
            {
                "criterion": criterion.pk,
                "title": criterion.title,
                "level": mark.level_id,
                "level_title": level["title"],
                "points": str(points),
                "max_points": str(criterion.max_points),
                "comment": mark.comment.strip(),
            }
        )
    if comment_error := _comment_error(comment):
        errors.append(comment_error)
    if errors:
        raise CaseWorkError(errors)
    percent = percent_of(score, max_score)
    grade, _created = CaseGrade.objects.update_or_create(
        submission=submission,
        defaults={
            "grader": grader,
            "criteria": rows,
            "comment": comment.strip(),
            "score": score,
            "max_score": max_score,
            "percent": percent,
            "graded_at": now,
        },
    )
    submission.status = CaseSubmission.Status.GRADED
    submission.save(update_fields=["status", "updated_at"])
    if release:
        grade_release(grade=grade, now=now)
    return grade


def _comment_error(comment: str) -> str | None:
    """Why a grader's comment cannot be kept as written (refused, never silently cut)."""
    if len(comment) > MAX_COMMENT_CHARS:
        return _("A comment is too long (at most %(max)s characters).") % {"max": MAX_COMMENT_CHARS}
    if "\x00" in comment:
        return _("A comment holds a character that cannot be saved.")
    return None


@transaction.atomic
def grade_release(*, grade: CaseGrade, now: dt.datetime | None = None) -> bool:
    """Show the grade to the trainee, and tell them — once. True when this call released it."""
    released_at = now or timezone.now()
    # One conditional UPDATE decides who releases it: of two «publish all» sent at once (or a
    # publish racing a grading), only the one that finds it unreleased notifies the trainee.
    released = CaseGrade.objects.filter(pk=grade.pk, released_at__isnull=True).update(
        released_at=released_at
    )
    if not released:
        grade.refresh_from_db(fields=["released_at"])
        return False
    grade.released_at = released_at
    submission = grade.submission
    # The update above sends no post_save: tell whoever keeps cohort figures (the dashboards).
    figures_changed.send(sender=CaseGrade, enrolment_ids=[submission.enrolment_id])
    freshness.bump(*submission.enrolment.freshness_scopes())  # nor to the kept pages
    notify(
        recipient=submission.enrolment.trainee,
        subject=_("Your work on «%(case)s» is graded")
        % {"case": inner_quotes(submission.case.title)},
        body=_("Result: %(percent)s %%.") % {"percent": number_format(grade.percent)},
        url=submission.case.url or "",
    )
    return True


def grades_release_all(*, cohort: Cohort) -> int:
    """«Publish all grades» of a cohort: how many this call released (a second click, or a
    second tab at the same moment, finds none left)."""
    grades = CaseGrade.objects.filter(
        submission__enrolment__cohort=cohort, released_at__isnull=True
    ).select_related("submission__enrolment__trainee", "submission__case")
    return sum(grade_release(grade=grade) for grade in grades)
