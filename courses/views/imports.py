"""Bulk enrolment: upload → preview with every row's problems → confirm → result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import CSV, XLSX, file_response
from core.uploads import not_stored

from ..forms import ImportForm
from ..imports import (
    HEADER_SEARCH_ROWS,
    SpreadsheetError,
    import_confirm,
    import_preview,
    import_retry,
    sheet_notes,
    template_csv,
    template_xlsx,
)
from ..models import EnrolmentImport
from ..selectors import can_manage_cohorts, cohorts_managed_by
from ..tasks import apply_enrolment_import
from .cohorts import _managed_cohort


@login_required
def import_upload(request, pk: int):
    cohort = _managed_cohort(request.user, pk)
    # Bound on every POST, even an empty one, so that a missing file gets its message.
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and (skipped := not_stored(request)):
        # The file arrived while the server had no room to keep it (core.uploads): the form
        # again, saying so (507 or 503), rather than «no file chosen». Nothing was saved.
        return render(
            request,
            "courses/import_form.html",
            {
                "form": ImportForm(),
                "cohort": cohort,
                "header_rows": HEADER_SEARCH_ROWS,
                "upload_error": skipped.message,
            },
            status=skipped.status,
        )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            enrolment_import = import_preview(
                cohort=cohort, uploaded_by=request.user, file_name=upload.name, data=upload.read()
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("courses:import_detail", pk=enrolment_import.pk)
    return render(
        request,
        "courses/import_form.html",
        {"form": form, "cohort": cohort, "header_rows": HEADER_SEARCH_ROWS},
    )


def _visible_import(user, pk: int) -> EnrolmentImport:
    enrolment_import = get_object_or_404(
        EnrolmentImport.objects.select_related("cohort__program", "cohort__region"), pk=pk
    )
    if not cohorts_managed_by(user).filter(pk=enrolment_import.cohort_id).exists():
        raise Http404
    return enrolment_import


@login_required
def import_detail(request, pk: int):
    enrolment_import = _visible_import(request.user, pk)
    return render(
        request,
        "courses/import_detail.html",
        {
            "import": enrolment_import,
            "cohort": enrolment_import.cohort,
            "problems": enrolment_import.problem_count,
            "sheet_notes": sheet_notes(enrolment_import.summary),
            "stalled": enrolment_import.is_stalled,
            "stale_minutes": int(EnrolmentImport.STALE_AFTER.total_seconds() // 60),
            "refresh": enrolment_import.status == EnrolmentImport.Status.QUEUED
            and not enrolment_import.is_stalled,
        },
    )


def _enqueue(pk: int) -> None:
    transaction.on_commit(lambda: apply_enrolment_import.enqueue(pk))


@login_required
@require_POST
def import_confirm_view(request, pk: int):
    enrolment_import = _visible_import(request.user, pk)
    if enrolment_import.status == EnrolmentImport.Status.PREVIEW and enrolment_import.problem_count:
        messages.error(request, _("Fix the rows with problems and upload the file again."))
        return redirect("courses:import_detail", pk=pk)
    with transaction.atomic():
        if import_confirm(enrolment_import=enrolment_import):  # a second click changes nothing
            _enqueue(pk)
    return redirect("courses:import_detail", pk=pk)


@login_required
@require_POST
def import_retry_view(request, pk: int):
    enrolment_import = _visible_import(request.user, pk)
    with transaction.atomic():
        if import_retry(enrolment_import=enrolment_import):
            _enqueue(pk)
    return redirect("courses:import_detail", pk=pk)


@login_required
def import_template(request, fmt: str):
    if not can_manage_cohorts(request.user):
        raise PermissionDenied
    templates = {"csv": (CSV, template_csv), "xlsx": (XLSX, template_xlsx)}
    if fmt not in templates:
        raise Http404
    content_type, build = templates[fmt]
    return file_response(f"trainees-template.{fmt}", content_type, build())
