"""Bulk issuance from the cohort page: start or resume the batch, watch it, read its outcome.

Who may: `selectors.can_issue_certificates` (the cohort's instructors, its officials,
administrators). Others who can see the cohort get 403, those who cannot get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models import Cohort
from courses.selectors import cohorts_visible_to

from ..batches import RESUMED, STARTED, batch_start
from ..codes import display_code
from ..models import Certificate, CertificateBatch
from ..selectors import BatchProgress, batch_progress, can_issue_certificates


def _cohort_for_issuing(user, cohort_pk: int) -> Cohort:
    cohort = get_object_or_404(cohorts_visible_to(user), pk=cohort_pk)
    if not can_issue_certificates(user, cohort):
        raise PermissionDenied
    return cohort


def certificate_link(certificate: Certificate) -> str:
    """The certificate's PDF download, or its verification page where downloads are not in."""
    try:
        return reverse("certificates:download", args=[certificate.pk])
    except NoReverseMatch:
        return reverse("certificates:verify", args=[display_code(certificate.code)])


def _with_links(progress: BatchProgress) -> BatchProgress:
    for item in progress.issued + progress.already:
        item.link = certificate_link(item.certificate)
    return progress


def progress_text(progress: BatchProgress) -> str:
    return _("%(finished)s of %(total)s") % {
        "finished": progress.finished,
        "total": progress.total,
    }


@login_required
@require_POST
def start(request, cohort_pk: int):
    """Start the cohort's batch, or resume its unfinished one: twice is the same as once."""
    cohort = _cohort_for_issuing(request.user, cohort_pk)
    batch, outcome = batch_start(cohort=cohort, started_by=request.user)
    if outcome == STARTED:
        messages.success(request, _("Issuing the cohort's certificates has started."))
    elif outcome == RESUMED:
        messages.success(request, _("Issuing the cohort's certificates has resumed."))
    else:
        messages.info(request, _("The cohort's certificates are being issued already."))
    return redirect("certificates:batch", cohort_pk=cohort.pk, pk=batch.pk)


def _batch(request, cohort_pk: int, pk: int) -> CertificateBatch:
    cohort = _cohort_for_issuing(request.user, cohort_pk)
    return get_object_or_404(
        CertificateBatch.objects.select_related("cohort__region", "cohort__program", "started_by"),
        cohort=cohort,
        pk=pk,
    )


@login_required
@require_GET
def detail(request, cohort_pk: int, pk: int):
    batch = _batch(request, cohort_pk, pk)
    progress = _with_links(batch_progress(batch))
    return render(
        request,
        "certificates/batch.html",
        {
            "batch": batch,
            "cohort": batch.cohort,
            "progress": progress,
            "progress_text": progress_text(progress),
        },
    )


@login_required
@require_GET
def status(request, cohort_pk: int, pk: int):
    """What the batch page's script polls: the bar's numbers and the lists as HTML."""
    batch = _batch(request, cohort_pk, pk)
    progress = _with_links(batch_progress(batch))
    response = JsonResponse(
        {
            "total": progress.total,
            "finished": progress.finished,
            "running": progress.running,
            "stalled": progress.stalled,
            "text": progress_text(progress),
            "lists": render_to_string(
                "certificates/batch_lists.html", {"progress": progress}, request=request
            ),
        }
    )
    response["Cache-Control"] = "no-store"
    return response
