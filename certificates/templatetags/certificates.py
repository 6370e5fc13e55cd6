"""The certificate where a lower app's page shows it: the trainee's home (courses) and the
record page (records), which may not import certificates. `{% load certificates %}`, then
`{% enrolment_certificate enrolment %}` where the enrolment's certificate belongs.

All of one trainee's certificates are read in one query per request (`current_certificates`),
however many enrolments the page lists and however many times each was reissued.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from courses.models import Enrolment
from courses.selectors import follows_cohorts

from ..codes import display_code
from ..rendering import kind_title
from ..selectors import CertificateState, current_certificates, holder_may_download

register = template.Library()

_CACHE = "_certificates_by_trainee"


def _states(request, trainee_id: int) -> dict[int, CertificateState]:
    if request is None:
        return current_certificates(trainee_id=trainee_id)
    cache = getattr(request, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE, cache)
    if trainee_id not in cache:
        cache[trainee_id] = current_certificates(trainee_id=trainee_id)
    return cache[trainee_id]


@register.inclusion_tag("certificates/includes/enrolment_certificate.html", takes_context=True)
def enrolment_certificate(context, enrolment: Enrolment) -> dict:
    """The enrolment's certificate in force: kind, serial, date, state, the PDF for whoever may
    have it, the verification link, the validity and when to recertify; for staff, a link to
    the certificate's own page (history, revocation, reissue)."""
    request = context.get("request")
    state = _states(request, enrolment.trainee_id).get(enrolment.pk)
    if state is None:
        return {"state": None}
    certificate = state.certificate
    user = getattr(request, "user", None)
    is_holder = user is not None and user.pk == certificate.trainee_id
    staff = user is not None and not is_holder and follows_cohorts(user)
    return {
        "state": state,
        "certificate": certificate,
        "kind": kind_title(certificate.kind),
        "staff": staff,
        "may_download": staff or (is_holder and holder_may_download(certificate)),
        "verify_url": reverse("certificates:verify", args=[display_code(certificate.code)]),
        "revoked_on": certificate.revoked_on,
    }
