"""Public verification: anyone holding the paper types its code or scans its QR code.

The page shows exactly what the certificate prints (`rendering.printed_fields` and the
signatories), from its frozen copy, and its status today. An unknown code and a malformed one
get the same page and status, so a wrong code tells nothing about others; every look-up counts
towards the client address's limit (`throttle`). Results are never cached (a revocation must
show at once), and the code in the address is not sent on to other sites.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import freshness
from security.client import client_ip

from ..codes import display_code, normalise_code
from ..forms import VerifyForm
from ..models import Certificate
from ..rendering import kind_title, printed_fields
from ..selectors import certificate_by_code, certificate_status
from ..throttle import verification_allowed


def _public(response):
    # The address holds the code: send no part of it to other sites, and keep the pages out of
    # search engines (the meta tag says it too, for the HTML).
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _limited(request):
    window = int(settings.CERTIFICATE_VERIFY_WINDOW.total_seconds())
    response = render(
        request, "certificates/verify_limited.html", {"minutes": window // 60}, status=429
    )
    response["Retry-After"] = str(window)
    return _public(response)


@never_cache
@require_GET
def verify_form(request):
    """The form; a typed code is checked for its shape here and looked up at its own address
    (which counts the look-up), so the form itself counts nothing but refuses when over."""
    if not verification_allowed(ip_address=client_ip(request), record=False):
        return _limited(request)
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("certificates:verify", code=display_code(form.cleaned_data["code"]))
    return _public(render(request, "certificates/verify.html", {"form": form}))


@never_cache
@require_GET
def verify(request, code: str):
    if not verification_allowed(ip_address=client_ip(request)):
        return _limited(request)
    normalised = normalise_code(code)
    # What a code shows is the same for every visitor and kept until a certificate changes
    # (core.freshness), and per hour: a certificate expires at the end of its region's day,
    # which begins on a whole hour everywhere in Russia. The limit above is counted at every
    # request; the certificate is read only when its part is drawn.
    hour = timezone.now().strftime("%Y-%m-%d %H")
    known = freshness.remembered(
        ("verify-known", normalised),
        [freshness.CERTIFICATES],
        lambda: bool(normalised) and certificate_by_code(normalised) is not None,
    )
    drawing = freshness.drawing_key(
        request, "verify", freshness.CERTIFICATES, vary=(hour,), forms=False
    )
    context = {"form": VerifyForm(), "drawing": drawing, "looked_up": True}
    if not known:
        context["unknown"] = True
        return _public(render(request, "certificates/verify.html", context, status=404))
    certificate = SimpleLazyObject(lambda: certificate_by_code(normalised))
    context.update(
        certificate=certificate,
        status=SimpleLazyObject(lambda: certificate_status(certificate)),
        Status=Certificate.Status,
        kind=SimpleLazyObject(lambda: kind_title(certificate.kind)),
        fields=SimpleLazyObject(lambda: printed_fields(certificate)),
        signatories=SimpleLazyObject(lambda: certificate.printed.get("signatories", [])),
        successor=SimpleLazyObject(lambda: certificate.successor),
        revoked_on=SimpleLazyObject(lambda: certificate.revoked_on),
    )
    return _public(render(request, "certificates/verify.html", context))
