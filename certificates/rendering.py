"""The certificate as HTML and as a PDF (WeasyPrint), from the certificate's frozen copy.

The same HTML serves the PDF and the admin's preview (which fills it with sample data). Fonts
are the project's own PT Serif (`certificates/static/certificates/fonts/`, SIL Open Font
Licence), so that Cyrillic looks the same on every machine; the stylesheet names them by a
relative address, which works both for WeasyPrint (reading the file) and for the admin's preview
in the browser (the static URL). The QR code is an SVG drawn by segno.
"""

from __future__ import annotations

from pathlib import Path

import segno
import weasyprint
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from weasyprint.text.fonts import FontConfiguration

from core.links import absolute_url
from courses.curriculum import format_hours

from .codes import display_code
from .models import Certificate, DocumentKind
from .placeholders import fill

STATIC = Path(__file__).resolve().parent / "static" / "certificates"
FONTS = STATIC / "fonts"
STYLESHEET = STATIC / "certificate.css"


def verification_url(code: str) -> str:
    return absolute_url(reverse("certificates:verify", args=[display_code(code)]))


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(omitsize=True, dark="#000", light="#fff")


def _date(day) -> str:
    return formats.date_format(day, "j E Y г.") if day else ""


def kind_title(kind: str) -> str:
    """The document's name as printed, always in Russian."""
    return (
        "Удостоверение о повышении квалификации"
        if kind == DocumentKind.QUALIFICATION
        else "Сертификат"
    )


def placeholder_values(certificate: Certificate) -> dict[str, str]:
    return {
        "full_name": certificate.full_name,
        "last_name": certificate.last_name,
        "first_name": certificate.first_name,
        "patronymic": certificate.patronymic,
        "program": certificate.program_title,
        "kind": kind_title(certificate.kind),
        "total_hours": format_hours(certificate.total_hours),
        "practice_hours": format_hours(certificate.practice_hours),
        "studied_from": _date(certificate.studied_from),
        "studied_to": _date(certificate.studied_to),
        "region": certificate.region_name,
        "organisation": certificate.organisation,
        "city": certificate.printed.get("city", ""),
        "serial": certificate.serial,
        "registration_number": certificate.registration_number,
        "issued_on": _date(certificate.issued_on),
        "expires_on": _date(certificate.expires_on),
    }


def printed_fields(certificate: Certificate) -> list[tuple[str, str]]:
    """The facts the certificate prints, labelled as printed: the PDF's table and the
    verification page both show exactly these, so that a reader can compare line by line."""
    with translation.override("ru"):
        values = placeholder_values(certificate)
        fields = [
            ("Документ", values["kind"]),
            ("Номер", certificate.serial),
            ("Регистрационный номер", certificate.registration_number),
            ("Фамилия, имя, отчество", values["full_name"]),
            ("Организация", values["organisation"]),
            ("Программа", values["program"]),
            ("Объём", f"{values['total_hours']} акад. ч"),
            ("Из них практика", f"{values['practice_hours']} акад. ч"),
            ("Период обучения", f"с {values['studied_from']} по {values['studied_to']}"),
            ("Регион", values["region"]),
            ("Дата выдачи", values["issued_on"]),
        ]
        if certificate.expires_on:
            fields.append(("Действительно до", values["expires_on"]))
        return fields


def _length_class(text: str, long: int, very_long: int) -> str:
    """A CSS class that sets long text smaller, so that the certificate stays on one page."""
    if len(text) > very_long:
        return "very-long"
    if len(text) > long:
        return "long"
    return ""


def certificate_context(certificate: Certificate) -> dict:
    with translation.override("ru"):
        values = placeholder_values(certificate)
        printed = certificate.printed
        url = verification_url(certificate.code)
        heading = fill(printed.get("heading", ""), values).strip() or values["kind"]
        body = fill(printed.get("body", ""), values)
        footer = fill(printed.get("footer", ""), values)
        signatories = printed.get("signatories", [])
        return {
            "certificate": certificate,
            "values": values,
            "heading": heading,
            # The kind is one of the printed facts: under a heading of the author's own words,
            # it is printed too, so that the paper shows what verification shows.
            "kind": values["kind"] if heading.casefold() != values["kind"].casefold() else "",
            "body": body,
            "footer": footer,
            "licence": printed.get("licence", ""),
            "city": printed.get("city", ""),
            "signatories": signatories,
            "logo": _media_path(printed.get("logo")),
            "background": _media_path(printed.get("background")),
            "code": display_code(certificate.code),
            "verification_url": url,
            "qr_svg": qr_svg(url),
            # The heading, numbers, name and organisation stand apart; the rest is a table.
            "table": printed_fields(certificate)[5:],
            "sizes": {
                "name": _length_class(values["full_name"], 40, 70),
                "body": _length_class(body, 300, 600),
                "table": _length_class(values["program"], 200, 400),
                "organisation": _length_class(values["organisation"], 120, 240),
                "signatories": "long" if len(signatories) > 2 else "",
            },
        }


def _media_path(name: str | None) -> str:
    """The file address of an uploaded image for WeasyPrint, or "" if it is gone.

    A logo deleted (or a storage without local files) prints no logo rather than failing."""
    if not name:
        return ""
    try:
        # safe_join inside: a name that climbs out of the media folder is refused.
        path = Path(default_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        return ""
    return path.as_uri() if path.is_file() else ""


def certificate_html(certificate: Certificate) -> str:
    with translation.override("ru"):
        return render_to_string("certificates/certificate.html", certificate_context(certificate))


def render_document(html: str) -> weasyprint.Document:
    """The HTML laid out by WeasyPrint with our stylesheet and fonts (the pages and their boxes,
    which the tests read to see that nothing overflows)."""
    fonts = FontConfiguration()
    # Read from its file, so that the fonts' relative addresses resolve next to it.
    stylesheet = weasyprint.CSS(filename=str(STYLESHEET), font_config=fonts)
    return weasyprint.HTML(string=html, base_url=str(STATIC)).render(
        stylesheets=[stylesheet], font_config=fonts
    )


def html_to_pdf(html: str) -> bytes:
    """The HTML printed by WeasyPrint with our stylesheet and fonts: the bare WeasyPrint step."""
    return render_document(html).write_pdf()


def render_certificate_pdf(certificate: Certificate) -> bytes:
    return html_to_pdf(certificate_html(certificate))
