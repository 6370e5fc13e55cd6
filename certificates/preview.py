"""The admin's preview of a certificate template: the very HTML (and PDF) a certificate prints,
filled with a sample trainee instead of a real one.

The sample is an unsaved `Certificate` built like `services._frozen_copy` builds a real one, but
from the template as it stands in the editor (texts, signatories, images not yet saved), the
programme's real title and published hours, and today's date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation

from courses.curriculum import curriculum_breakdown

from .models import Certificate, CertificateTemplate
from .rendering import certificate_context, certificate_html, html_to_pdf
from .services import document_kind, expiry_date

SAMPLE = {
    "last_name": "Иванова",
    "first_name": "Мария",
    "patronymic": "Петровна",
    "region_code": "68",
    "region_name": "Тамбовская область",
    "sequence": 1,
    # A fixed code in the form of a real one; no certificate will ever hold it by chance
    # (a real code is 100 random bits).
    "code": "SAMP0000000000000001",
}


def sample_certificate(
    *, template: CertificateTemplate, today: dt.date | None = None
) -> Certificate:
    """An unsaved certificate of the template's programme for the sample trainee."""
    today = today or timezone.localdate()
    program = template.program if template.program_id else None
    if program is not None:
        breakdown = curriculum_breakdown(program)
        title, total, practice = program.title, breakdown.total_hours, breakdown.practice_hours
    else:  # a new template before its programme is chosen
        title, total, practice = "Программа", Decimal(0), Decimal(0)
    sequence = SAMPLE["sequence"]
    return Certificate(
        kind=document_kind(template=template, total_hours=total),
        serial=f"{SAMPLE['region_code']}-{today.year}-{sequence:05d}",
        year=today.year,
        sequence=sequence,
        registration_number=f"{SAMPLE['region_code']}/{sequence}",
        code=SAMPLE["code"],
        issued_on=today,
        expires_on=expiry_date(issued_on=today, validity_months=template.validity_months),
        last_name=SAMPLE["last_name"],
        first_name=SAMPLE["first_name"],
        patronymic=SAMPLE["patronymic"],
        program_title=title,
        total_hours=total,
        practice_hours=practice,
        studied_from=today - dt.timedelta(days=30),
        studied_to=today,
        region_name=SAMPLE["region_name"],
        organisation=template.organisation,
        printed={
            "heading": template.heading,
            "body": template.body,
            "footer": template.footer,
            "licence": template.licence,
            "city": template.city,
            "signatories": [
                {"name": signatory.name, "position": signatory.position}
                for signatory in template.signatories.all()
            ],
            "logo": template.logo.file.name if template.logo else "",
            "background": template.background.file.name if template.background else "",
        },
    )


def template_preview_html(*, template: CertificateTemplate) -> str:
    """The certificate's HTML for the browser: the stylesheet and images by their URLs."""
    context = certificate_context(sample_certificate(template=template))
    context["stylesheet"] = static("certificates/certificate.css")
    context["logo"] = template.logo.file.url if template.logo else ""
    context["background"] = template.background.file.url if template.background else ""
    with translation.override("ru"):
        return render_to_string("certificates/certificate.html", context)


def serve_template_preview(*, template: CertificateTemplate, pdf: bool = False) -> HttpResponse:
    if pdf:
        html = certificate_html(sample_certificate(template=template))
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="preview.pdf"'
        return response
    return HttpResponse(template_preview_html(template=template))
