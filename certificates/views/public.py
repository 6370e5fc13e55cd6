"""Certificate pages: public verification, downloads, and the staff's issuing and revoking."""

from django.shortcuts import render

from ..codes import normalise_code
from ..selectors import certificate_by_code


def verify_form(request):
    return render(request, "certificates/verify.html", {})


def verify(request, code: str):
    normalised = normalise_code(code)
    certificate = certificate_by_code(normalised) if normalised else None
    return render(request, "certificates/verify.html", {"certificate": certificate})
