"""The certificate's PDF, for its holder and for the staff who follow the cohort."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.http import file_response

from ..selectors import (
    certificates_downloadable_by,
    certificates_visible_to,
    holder_may_download,
)
from ..services import ensure_pdf, holder_url

PDF = "application/pdf"


def pdf_name(certificate) -> str:
    """`udostoverenie-68-2026-00001.pdf`: the kind in Latin letters, then the serial."""
    stem = "udostoverenie" if certificate.kind == "qualification" else "sertifikat"
    return f"{stem}-{certificate.serial}.pdf"


@login_required
def download(request, pk: int):
    """The stored PDF (made now if a worker has not made it yet); the same bytes every time.

    The holder gets only the document in force; staff also get a revoked or replaced one.
    Anyone else: 404, so that certificates of others are not even confirmed to exist.
    """
    certificate = get_object_or_404(certificates_downloadable_by(request.user), pk=pk)
    if certificate.annulled_at is not None:
        # Its holder's data is erased: there is no document to make again, for anyone.
        raise Http404
    if (
        certificate.trainee_id == request.user.pk
        and not holder_may_download(certificate)
        and not certificates_visible_to(request.user).filter(pk=pk).exists()
    ):
        if certificate.revoked_at is not None:
            messages.warning(
                request, _("This certificate has been revoked: it can no longer be downloaded.")
            )
        else:
            messages.info(
                request, _("This certificate has been replaced: download the reissued one.")
            )
        return redirect(holder_url(certificate))
    certificate = ensure_pdf(certificate=certificate)
    with certificate.pdf.open("rb") as stored:
        content = stored.read()
    return file_response(pdf_name(certificate), PDF, content)
