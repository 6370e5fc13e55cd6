"""The staff's register of issued certificates, its XLSX and CSV, a cohort's certificates as one
ZIP, and the report to the federal register (ФИС ФРДО)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import CSV, XLSX, attachment_headers
from courses.selectors import cohorts_visible_to, follows_cohorts

from ..exports import (
    REGISTER_HEADER,
    cohort_archive,
    register_csv,
    register_labels,
    register_row,
    register_xlsx,
)
from ..filters import RegisterFilterForm
from ..frdo import frdo_xlsx
from ..selectors import (
    certificates_visible_to,
    register_certificates,
    reports_to_federal_register,
)
from ..services import ensure_pdf

PER_PAGE = 50


def _filters(request) -> RegisterFilterForm:
    if not follows_cohorts(request.user):
        raise PermissionDenied
    return RegisterFilterForm(request.GET or None, user=request.user)


def _back_to_register(request):
    """To the page with the same filters, where their errors are shown."""
    query = request.GET.urlencode()
    return redirect(reverse("certificates:register") + (f"?{query}" if query else ""))


@login_required
def register(request):
    """Issued certificates the staff member may see, filtered from the address."""
    form = _filters(request)
    today = timezone.localdate()
    valid = not form.is_bound or form.is_valid()
    certificates = form.certificates(day=today) if valid else None
    page = rows = None
    if certificates is not None:
        page = Paginator(certificates, PER_PAGE).get_page(request.GET.get("page"))
        labels = register_labels()
        rows = [register_row(certificate, day=today, labels=labels) for certificate in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certificates/register.html",
        {
            "form": form,
            "valid": valid,
            "page": page,
            "rows": rows,
            "header": REGISTER_HEADER,
            "query": query.urlencode(),
            "reports_frdo": reports_to_federal_register(request.user),
        },
    )


@login_required
def register_export(request, fmt: str):
    """The page's rows as XLSX or CSV: the same filters, every page."""
    form = _filters(request)
    if form.is_bound and not form.is_valid():
        return _back_to_register(request)
    today = timezone.localdate()
    certificates = form.certificates(day=today)
    name = f"certificate-register-{today:%Y-%m-%d}.{fmt}"
    if fmt == "xlsx":
        response = FileResponse(register_xlsx(certificates, day=today), content_type=XLSX)
    else:
        response = StreamingHttpResponse(register_csv(certificates, day=today), content_type=CSV)
    return attachment_headers(response, name)


@login_required
def cohort_archive_download(request, pk: int):
    """The cohort's certificates in force (not superseded, not revoked) as one ZIP of their
    stored PDFs with a register CSV, streamed as it is made."""
    if not follows_cohorts(request.user):
        raise PermissionDenied
    cohort = get_object_or_404(cohorts_visible_to(request.user), pk=pk)
    certificates = list(
        certificates_visible_to(request.user)
        .filter(cohort=cohort, revoked_at__isnull=True, replaced_by__isnull=True)
        .select_related("cohort", "replaced_by")
        .order_by("serial")
    )
    if not certificates:
        messages.info(
            request,
            _("«%(cohort)s» has no certificates in force yet: there is nothing to download.")
            % {"cohort": cohort.name},
        )
        return redirect(f"{reverse('certificates:register')}?cohort={cohort.pk}")
    # Missing PDFs (a worker stopped between issuing and rendering) are made before the first
    # byte is sent: a failure then is an error page, not a broken archive.
    for certificate in certificates:
        ensure_pdf(certificate=certificate)
    today = timezone.localdate()
    response = StreamingHttpResponse(
        cohort_archive(certificates, day=today), content_type="application/zip"
    )
    return attachment_headers(response, f"certificates-{cohort.pk}-{today:%Y-%m-%d}.zip")


@login_required
def frdo_export(request):
    """The ФИС ФРДО report of a cohort's or a period's удостоверения (and a region's)."""
    form = _filters(request)
    if not reports_to_federal_register(request.user):
        raise PermissionDenied
    if form.is_bound and not form.is_valid():
        return _back_to_register(request)
    if not form.is_bound or not form.has_cohort_or_period:
        messages.error(
            request,
            _("Choose a cohort or a period of issue for the federal register's report."),
        )
        return _back_to_register(request)
    today = timezone.localdate()
    # Status and search are the page's views of the register; the report is every document
    # issued in the cohort or the period (revoked ones are left out and listed in its notes).
    values = form.cleaned_data
    certificates = register_certificates(
        user=request.user,
        day=today,
        region=values.get("region"),
        cohort=values.get("cohort"),
        issued_from=values.get("issued_from"),
        issued_to=values.get("issued_to"),
    )
    content = frdo_xlsx(certificates, day=today)
    response = FileResponse(content, content_type=XLSX)
    return attachment_headers(response, f"frdo-dpo-{today:%Y-%m-%d}.xlsx")
