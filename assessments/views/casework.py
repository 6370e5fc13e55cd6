"""Case work: the trainee's submission, the instructors' queue and rubric grading.

The gradebook page and its exports are the trainee records' (`records.views`): they show
whether each trainee has completed, which only the records decide.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core import freshness
from core.http import attachment_headers
from core.uploads import UploadNotStored, not_stored
from courses.models import CaseStudyPage
from courses.selectors import cohorts_visible_to, follows_cohorts, teaches_cohort

from ..casework import (
    MAX_ANSWER_CHARS,
    MAX_FILE_BYTES,
    MAX_FILES,
    CaseWorkError,
    CriterionMark,
    can_grade,
    grade_save,
    grades_release_all,
    submission_save,
)
from ..downloads import submission_file_download
from ..models import CaseGrade, SubmissionFile
from ..selectors import grading_queue, submission_visible_to

# The largest request the case form can honestly send: five files at the limit, and the answers
# (Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE of them itself).
MAX_WORK_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
MAX_ID_DIGITS = 18  # fits every database's integers; «²», «-1» or 40 digits are not ids


def record_ids(values: list[str]) -> list[int] | None:
    """The ids a form sent (`remove=12`), or None when any is not a plain id."""
    if not all(
        value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS for value in values
    ):
        return None
    return [int(value) for value in values]


def _refused(request, case: CaseStudyPage, message: str, status: int = 400):
    """The case page again, with why the request was refused (a 400, unless `status` says
    otherwise): nothing was saved."""
    messages.error(request, message)
    response = case.serve(request)
    response.status_code = status
    return response


def _keep_draft(request, case: CaseStudyPage, answers: dict[str, str]) -> None:
    """Nothing the trainee typed is lost: their text comes back in the form (the answers to
    this case's tasks, as long as the form lets anyone type them)."""
    tasks = {str(task.pk) for task in case.tasks.all()}
    request.session[f"casework-draft-{case.pk}"] = {
        key: value[:MAX_ANSWER_CHARS] for key, value in answers.items() if key in tasks
    }


@login_required
@csrf_exempt  # only to measure the body before the CSRF check reads it; checked just below
@require_POST
def casework_save(request, pk: int):
    case = get_object_or_404(CaseStudyPage.objects.live(), pk=pk)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django reads no body it cannot measure
    if length > MAX_WORK_REQUEST_BYTES:
        # Refused before Django parses it: the files of a bigger request would be written to
        # temporary files, whatever their number and size, before any rule could turn them away.
        return _refused(
            request,
            case,
            _("The work sent is too large: at most %(count)s files of %(size)s MB each.")
            % {"count": MAX_FILES, "size": MAX_FILE_BYTES // (1024 * 1024)},
        )
    return _casework_save(request, case)


@csrf_protect
def _casework_save(request, case: CaseStudyPage):
    remove = record_ids(request.POST.getlist("remove"))
    if remove is None:
        return _refused(request, case, _("The list of files to remove is malformed."))
    answers = {
        key.removeprefix("task-"): value
        for key, value in request.POST.items()
        if key.startswith("task-")
    }
    submit = "submit" in request.POST
    try:
        if skipped := not_stored(request):  # a file the server had no room for as it arrived
            raise skipped
        submission_save(
            user=request.user,
            case=case,
            answers=answers,
            files=request.FILES.getlist("files"),
            remove_files=remove,
            submit=submit,
        )
    except UploadNotStored as error:
        # The form again at once, with why (507 or 503): sending it later may well work.
        _keep_draft(request, case, answers)
        return _refused(request, case, error.message, status=error.status)
    except CaseWorkError as error:
        for message in error.messages:
            messages.error(request, message)
        _keep_draft(request, case, answers)
    else:
        request.session.pop(f"casework-draft-{case.pk}", None)
        messages.success(
            request, _("Your work is submitted for grading.") if submit else _("Draft saved.")
        )
    return redirect(f"{case.url}#casework")


@login_required
def submission_file(request, pk: int):
    """A file of case work, for its trainee and for the people who follow their cohort.

    Always a download, under a name made from the case and the trainee, never the uploaded one.
    """
    item = get_object_or_404(SubmissionFile, pk=pk)
    submission = submission_visible_to(request.user, item.submission_id)
    name, content_type = submission_file_download(item=item, submission=submission)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return attachment_headers(FileResponse(handle, content_type=content_type), name)


def _followed_cohort(user, pk: int):
    if not follows_cohorts(user):
        raise PermissionDenied
    return get_object_or_404(cohorts_visible_to(user), pk=pk)


@login_required
def queue(request, pk: int):
    cohort = _followed_cohort(request.user, pk)
    # Kept until a fact of the cohort's people or the school changes (core.freshness).
    drawing = freshness.drawing_key(request, "grading-queue", freshness.cohort(cohort.pk))
    submissions = SimpleLazyObject(lambda: list(grading_queue(cohort)))
    return render(
        request,
        "assessments/grading_queue.html",
        {
            "drawing": drawing,
            "cohort": cohort,
            "waiting": SimpleLazyObject(
                lambda: [s for s in submissions if s.status == "submitted"]
            ),
            "graded": SimpleLazyObject(lambda: [s for s in submissions if s.status == "graded"]),
            "can_grade": teaches_cohort(request.user, cohort),
        },
    )


@login_required
def grade(request, pk: int):
    submission = submission_visible_to(request.user, pk)
    if not can_grade(request.user, submission):
        raise PermissionDenied
    criteria = list(submission.case.rubric_criteria.all())
    existing = CaseGrade.objects.filter(submission=submission).first()
    chosen = {row["criterion"]: row for row in existing.criteria} if existing else {}
    if request.method == "POST":
        marks = [
            CriterionMark(
                criterion_id=criterion.pk,
                level_id=request.POST.get(f"criterion-{criterion.pk}", ""),
                comment=request.POST.get(f"comment-{criterion.pk}", ""),
            )
            for criterion in criteria
        ]
        try:
            grade_save(
                grader=request.user,
                submission=submission,
                marks=marks,
                comment=request.POST.get("comment", ""),
                release="release" in request.POST,
            )
        except CaseWorkError as error:
            for message in error.messages:
                messages.error(request, message)
            chosen = {
                mark.criterion_id: {"level": mark.level_id, "comment": mark.comment}
                for mark in marks
            }
        else:
            messages.success(request, _("The grade is saved."))
            return redirect("assessments:queue", pk=submission.enrolment.cohort_id)
    return render(
        request,
        "assessments/grade_form.html",
        {
            "submission": submission,
            "grade": existing,
            "rubric": [(criterion, chosen.get(criterion.pk, {})) for criterion in criteria],
            "tasks": [
                (task, submission.answers.get(str(task.pk), ""))
                for task in submission.case.tasks.all()
            ],
            "overall_comment": request.POST.get("comment", existing.comment if existing else ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def release_all(request, pk: int):
    cohort = _followed_cohort(request.user, pk)
    if not teaches_cohort(request.user, cohort):
        raise PermissionDenied
    count = grades_release_all(cohort=cohort)
    messages.success(request, _("Grades released: %(count)s.") % {"count": count})
    return redirect("assessments:queue", pk=cohort.pk)
