"""The certificate as HTML and as a PDF (WeasyPrint), from the certificate's frozen copy.

The same HTML serves the PDF and the admin's preview (which fills it with sample data). Fonts
are the project's own PT Serif (`certificates/fonts/`, SIL Open Font Licence), so that Cyrillic
looks the same on every machine; the QR code is an SVG drawn by segno.
"""

from __future__ import annotations

from pathlib import Path

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from weasyprint.text.fonts import FontConfiguration

from core.links import absolute_url
from courses.curriculum import format_hours

from .codes import display_code
from .models import Certificate, DocumentKind
from .placeholders import fill

FONTS = Path(__file__).resolve().parent / "fonts"
STYLESHEET = Path(__file__).resolve().parent / "static" / "certificates" / "certificate.css"


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


def certificate_context(certificate: Certificate) -> dict:
    with translation.override("ru"):
        values = placeholder_values(certificate)
        printed = certificate.printed
        return {
            "certificate": certificate,
            "values": values,
            "heading": fill(printed.get("heading", ""), values) or values["kind"],
            "body": fill(printed.get("body", ""), values),
            "footer": fill(printed.get("footer", ""), values),
            "licence": printed.get("licence", ""),
            "signatories": printed.get("signatories", []),
            "logo": _media_path(printed.get("logo")),
            "background": _media_path(printed.get("background")),
            "code": display_code(certificate.code),
            "verification_url": verification_url(certificate.code),
            "qr_svg": qr_svg(verification_url(certificate.code)),
            # The heading, numbers, name and organisation stand apart; the rest is a table.
            "table": printed_fields(certificate)[5:],
            "fonts": FONTS.as_uri(),
        }


def _media_path(name: str | None) -> str:
    if not name:
        return ""
    path = Path(settings.MEDIA_ROOT) / name
    return path.as_uri() if path.exists() else ""


def certificate_html(certificate: Certificate) -> str:
    with translation.override("ru"):
        return render_to_string("certificates/certificate.html", certificate_context(certificate))


def html_to_pdf(html: str) -> bytes:
    """The HTML printed by WeasyPrint with our stylesheet and fonts."""
    fonts = FontConfiguration()
    css = STYLESHEET.read_text(encoding="utf-8").replace("FONTS_URI", FONTS.as_uri())
    stylesheet = weasyprint.CSS(string=css, font_config=fonts)
    return weasyprint.HTML(string=html, base_url=str(FONTS)).write_pdf(
        stylesheets=[stylesheet], font_config=fonts
    )


def render_certificate_pdf(certificate: Certificate) -> bytes:
    return html_to_pdf(certificate_html(certificate))
