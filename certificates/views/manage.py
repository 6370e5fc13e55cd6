"""One certificate for the staff who follow its cohort: what it prints, its history, and
revoking or reissuing it (administrators, federal officials, the region's officials)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.selectors import follows_cohorts

from ..codes import display_code
from ..forms import ReissueForm, RevokeForm
from ..models import Certificate
from ..rendering import printed_fields, verification_url
from ..selectors import can_revoke, certificate_chain, certificate_status, certificates_visible_to
from ..services import CannotChange, NoTemplate, reissue_certificate, revoke_certificate


def _followed_certificate(user, pk: int) -> Certificate:
    if not follows_cohorts(user):
        raise PermissionDenied
    return get_object_or_404(
        certificates_visible_to(user).select_related("issued_by", "revoked_by", "replaced_by"),
        pk=pk,
    )


def _render_detail(request, certificate: Certificate, *, revoke_form=None, reissue_form=None):
    status = certificate_status(certificate)
    in_force = status in (Certificate.Status.VALID, Certificate.Status.EXPIRED)
    may_change = in_force and can_revoke(request.user, certificate)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "status": status,
            "Status": Certificate.Status,
            "fields": printed_fields(certificate),
            "signatories": certificate.printed.get("signatories", []),
            "chain": certificate_chain(certificate),
            "code": display_code(certificate.code),
            "verification_url": verification_url(certificate.code),
            "may_change": may_change,
            "revoke_form": revoke_form or RevokeForm(prefix="revoke"),
            "reissue_form": reissue_form or ReissueForm(prefix="reissue"),
        },
    )


@login_required
def detail(request, pk: int):
    return _render_detail(request, _followed_certificate(request.user, pk))


def _changeable(request, pk: int) -> Certificate:
    certificate = _followed_certificate(request.user, pk)
    if not can_revoke(request.user, certificate):
        raise PermissionDenied
    return certificate


@login_required
@require_POST
def revoke(request, pk: int):
    certificate = _changeable(request, pk)
    form = RevokeForm(request.POST, prefix="revoke")
    if not form.is_valid():
        return _render_detail(request, certificate, revoke_form=form)
    try:
        revoke_certificate(
            certificate=certificate,
            by=request.user,
            reason=form.cleaned_data["reason"],
            public_reason=form.cleaned_data["public_reason"],
        )
    except CannotChange as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(
            request,
            _("Certificate No. %(serial)s is revoked; the holder has been told.")
            % {"serial": certificate.serial},
        )
    return redirect("certificates:detail", pk=certificate.pk)


@login_required
@require_POST
def reissue(request, pk: int):
    certificate = _changeable(request, pk)
    form = ReissueForm(request.POST, prefix="reissue")
    if not form.is_valid():
        return _render_detail(request, certificate, reissue_form=form)
    try:
        new = reissue_certificate(
            certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
        )
    except (CannotChange, NoTemplate) as refusal:
        messages.warning(request, str(refusal))
        return redirect("certificates:detail", pk=certificate.pk)
    messages.success(
        request,
        _("Certificate No. %(serial)s is issued in place of No. %(old)s; the holder has been told.")
        % {"serial": new.serial, "old": certificate.serial},
    )
    return redirect("certificates:detail", pk=new.pk)
