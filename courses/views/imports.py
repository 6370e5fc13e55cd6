"""Bulk enrolment: upload → preview with every row's problems → confirm → result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content.http import CSV, XLSX, file_response

from ..forms import ImportForm
from ..imports import SpreadsheetError, import_preview, template_csv, template_xlsx
from ..models import EnrolmentImport
from ..selectors import can_manage_cohorts, cohorts_managed_by
from ..tasks import apply_enrolment_import
from .cohorts import _managed_cohort


@login_required
def import_upload(request, pk: int):
    cohort = _managed_cohort(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            enrolment_import = import_preview(
                cohort=cohort, uploaded_by=request.user, file_name=upload.name, data=upload.read()
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("courses:import_detail", pk=enrolment_import.pk)
    return render(request, "courses/import_form.html", {"form": form, "cohort": cohort})


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
            "refresh": enrolment_import.status == EnrolmentImport.Status.QUEUED,
        },
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    enrolment_import = _visible_import(request.user, pk)
    if enrolment_import.status != EnrolmentImport.Status.PREVIEW:
        return redirect("courses:import_detail", pk=pk)  # a second click changes nothing
    if enrolment_import.problem_count:
        messages.error(request, _("Fix the rows with problems and upload the file again."))
        return redirect("courses:import_detail", pk=pk)
    with transaction.atomic():
        updated = EnrolmentImport.objects.filter(
            pk=pk, status=EnrolmentImport.Status.PREVIEW
        ).update(status=EnrolmentImport.Status.QUEUED)
        if updated:
            transaction.on_commit(lambda: apply_enrolment_import.enqueue(pk))
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
