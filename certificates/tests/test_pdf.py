"""The printed certificate, by real WeasyPrint: its text, font, QR code, page, layout and the
frozen copy that later edits do not reach."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage
from wagtail.images import get_image_model

from certificates.codes import display_code
from certificates.models import CertificateSignatory, DocumentKind
from certificates.rendering import (
    certificate_html,
    printed_fields,
    render_certificate_pdf,
    render_document,
)
from certificates.services import document_kind, ensure_pdf, issue_with_pdf
from core.links import absolute_url
from courses.models import ProgramPage
from tests import factories

from .conftest import School

pytestmark = pytest.mark.django_db

A4_LANDSCAPE = (841.89, 595.28)  # points


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def squashed(text: str) -> str:
    """Text without whitespace and case: a value wrapped over two lines still matches."""
    return re.sub(r"\s+", "", text).casefold()


def page_one(data: bytes, *, scale: float = 3) -> PILImage.Image:
    document = pypdfium2.PdfDocument(data)
    try:
        return document[0].render(scale=scale).to_pil()
    finally:
        document.close()


def stored_bytes(certificate) -> bytes:
    with certificate.pdf.open("rb") as stored:
        return stored.read()


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def _class_of(box) -> str:
    element = getattr(box, "element", None)
    return (element.get("class") or "") if element is not None else ""


def layout_problems(html: str) -> list[str]:
    """What does not fit: a second page, text below or beside the content area (hidden by it),
    or the signatures and QR block growing up out of its place."""
    document = render_document(html)
    problems = [f"{len(document.pages)} pages"] if len(document.pages) != 1 else []
    page = document.pages[0]._page_box
    for region, upward in (("certificate__content", False), ("certificate__bottom", True)):
        area = next(box for box in _boxes(page) if region in _class_of(box).split())
        top, bottom = area.position_y, area.position_y + area.margin_height()
        right = area.position_x + area.margin_width()
        for box in _boxes(area):
            if (
                type(box).__name__ == "TextBox"
                and box.position_x + box.margin_width() > right + 0.5
            ):
                problems.append(f"{region}: text runs past the right edge ({_class_of(box)})")
            if type(box).__name__ != "LineBox":
                continue
            if box.position_y + box.height > bottom + 0.5:
                problems.append(f"{region}: a line ends below the area ({_class_of(box)})")
            if upward and box.position_y < top - 0.5:
                problems.append(f"{region}: a line starts above the area ({_class_of(box)})")
    return problems


@pytest.fixture
def issued(school):
    return issue_with_pdf(enrolment=school.done[0], issued_by=school.official)


def test_the_pdf_prints_the_name_programme_hours_and_serial(issued):
    text = pdf_text(stored_bytes(issued))

    assert issued.full_name in text
    assert issued.program_title in text
    assert "18 акад. ч" in text
    assert "14 акад. ч" in text
    assert issued.serial in text
    assert display_code(issued.code) in text


def test_the_pdf_prints_every_field_that_verification_shows(issued):
    issued.printed["heading"] = "Удостоверение"  # the kind then prints under the heading
    text = squashed(pdf_text(render_certificate_pdf(issued)))

    for label, value in printed_fields(issued):
        assert squashed(value) in text, label
    for signatory in issued.printed["signatories"]:
        assert squashed(signatory["name"]) in text and squashed(signatory["position"]) in text


def test_the_fonts_embedded_are_pt_serif(issued):
    page = pypdf.PdfReader(io.BytesIO(stored_bytes(issued))).pages[0]
    fonts = page["/Resources"]["/Font"]

    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}

    # Only the shipped PT Serif, regular and bold (the heading and name): no system fallback.
    assert names == {"PT-Serif", "PT-Serif-Bold"}


def test_the_qr_code_decodes_to_the_verification_address(issued):
    results = zxingcpp.read_barcodes(page_one(stored_bytes(issued)))

    assert [result.text for result in results] == [
        absolute_url(f"/verify/{display_code(issued.code)}/")
    ]


def test_one_page_of_a4_landscape(issued):
    reader = pypdf.PdfReader(io.BytesIO(stored_bytes(issued)))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_LANDSCAPE


def test_the_short_certificate_fits_with_room(issued):
    assert layout_problems(certificate_html(issued)) == []


LONG_TITLE = (
    "Организация социального сопровождения семей с детьми, находящихся в трудной жизненной "
    "ситуации, и межведомственное взаимодействие социальных координаторов с органами "
    "здравоохранения, образования, занятости населения и внутренних дел муниципальных "
    "образований субъекта Российской Федерации"
)


def test_long_titles_names_texts_and_three_signatories_stay_on_one_page(issued):
    issued.last_name = "Константинопольская-Преображенская"
    issued.first_name = "Александра-Виктория"
    issued.patronymic = "Вячеславовна"
    issued.program_title = LONG_TITLE
    issued.organisation = (
        "Тамбовское областное государственное образовательное автономное учреждение "
        "дополнительного профессионального образования «Институт повышения квалификации "
        "работников социальной сферы»"
    )
    issued.expires_on = issued.issued_on.replace(year=issued.issued_on.year + 3)
    issued.printed.update(
        body="прошла обучение по дополнительной профессиональной программе повышения "
        "квалификации «{program}» в объёме {total_hours} академических часов, из них "
        "практика {practice_hours} ч., в период с {studied_from} по {studied_to}, и успешно "
        "прошла итоговую аттестацию в {organisation}.",
        footer="Удостоверение является документом о повышении квалификации установленного "
        "образца. Сведения о документе внесены в ФИС ФРДО.",
        licence="Лицензия на осуществление образовательной деятельности "
        "№ Л035-01234-68/00123456 от 01.02.2021, выдана Управлением образования и науки "
        "Тамбовской области",
        signatories=[
            {"name": "И. И. Петрова", "position": "Ректор"},
            {"name": "А. С. Смирнов", "position": "Проректор по учебной работе"},
            {"name": "О. В. Кузнецова", "position": "Секретарь аттестационной комиссии"},
        ],
    )

    assert layout_problems(certificate_html(issued)) == []
    text = squashed(pdf_text(render_certificate_pdf(issued)))
    assert squashed(issued.full_name) in text and squashed(LONG_TITLE) in text


def test_the_longest_values_the_fields_allow_still_make_one_page(issued):
    issued.last_name, issued.first_name, issued.patronymic = "Я" * 150, "Б" * 150, "В" * 150
    issued.program_title = "Программа " * 50
    issued.organisation = "Организация " * 41
    issued.printed.update(
        body="{program} " * 20,
        footer="Примечание. " * 80,
        licence="Л" * 500,
        signatories=[{"name": "Н" * 200, "position": "Д" * 300}] * 3,
    )

    document = render_document(certificate_html(issued))

    assert len(document.pages) == 1
    # The signatures, code and QR are in their own block, which long texts above do not move.
    assert zxingcpp.read_barcodes(page_one(render_certificate_pdf(issued)))


@pytest.mark.parametrize(
    ("theory", "kind", "title"),
    [
        ("1.9", DocumentKind.CERTIFICATE, "Сертификат"),
        ("2", DocumentKind.QUALIFICATION, "Удостоверение о повышении квалификации"),
    ],
)
def test_sixteen_hours_make_an_udostoverenie_and_fewer_a_sertifikat(theory, kind, title):
    school = School(completed=1, hours=(("theory", theory), ("practice", "14")))

    certificate = issue_with_pdf(enrolment=school.done[0])

    assert certificate.kind == kind
    text = pdf_text(stored_bytes(certificate))
    assert title.upper() in text
    other = "УДОСТОВЕРЕНИЕ" if kind == DocumentKind.CERTIFICATE else "СЕРТИФИКАТ"
    assert other not in text


def test_the_kind_rule_at_its_boundary(school):
    template = school.template
    assert document_kind(template=template, total_hours=Decimal("15.9")) == "certificate"
    assert document_kind(template=template, total_hours=Decimal("16")) == "qualification"

    template.kind_rule = template.KindRule.CERTIFICATE
    assert document_kind(template=template, total_hours=Decimal("16")) == "certificate"
    assert document_kind(template=template, total_hours=Decimal("120")) == "certificate"


def test_a_programme_that_always_gives_a_sertifikat(school):
    school.template.kind_rule = school.template.KindRule.CERTIFICATE
    school.template.save()

    certificate = issue_with_pdf(enrolment=school.done[0])

    assert certificate.kind == DocumentKind.CERTIFICATE
    assert "СЕРТИФИКАТ" in pdf_text(stored_bytes(certificate))


def test_the_stored_pdf_is_frozen_against_later_edits(school, issued):
    data, sha = stored_bytes(issued), issued.pdf_sha256
    old_name, old_title = issued.full_name, issued.program_title
    trainee = issued.trainee
    trainee.last_name = "Переименованная"
    trainee.save()
    program = ProgramPage.objects.get(pk=school.program.pk)
    program.title = "Совсем другая программа"
    program.save_revision().publish()
    school.template.body = "Новый текст {full_name}"
    school.template.organisation = "Другая организация"
    school.template.save()
    school.template.signatories.all().delete()
    CertificateSignatory.objects.create(template=school.template, name="Новый", position="Новая")

    issued.refresh_from_db()
    assert stored_bytes(ensure_pdf(certificate=issued)) == data  # what a download serves
    assert issued.pdf_sha256 == sha == hashlib.sha256(data).hexdigest()
    again = pdf_text(render_certificate_pdf(issued))
    assert old_name in again and old_title in again
    assert "Переименованная" not in again and "Совсем другая" not in again
    assert "Новый текст" not in again and "Другая организация" not in again


def _image(name: str, colour: str):
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 40), colour).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=name, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{name}.png")
    )


def _image_count(data: bytes) -> int:
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    return len(page.images)


def test_the_logo_and_background_print_and_a_missing_file_prints_none(school):
    school.template.logo = _image("logo", "navy")
    school.template.background = _image("background", "beige")
    school.template.save()
    certificate = issue_with_pdf(enrolment=school.done[0])
    assert _image_count(stored_bytes(certificate)) == 2

    # The image deleted from storage later: re-rendering prints without it, and does not fail.
    school.template.logo.file.storage.delete(certificate.printed["logo"])
    assert _image_count(render_certificate_pdf(certificate)) == 1
    certificate.printed["background"] = "../../etc/passwd"
    assert _image_count(render_certificate_pdf(certificate)) == 0


def test_certificate_image_writes_page_one_as_png(issued, tmp_path):
    out = tmp_path / "readme" / "certificate.png"

    call_command("certificate_image", issued.serial, str(out), "--scale", "1")

    with PILImage.open(out) as image:
        assert image.format == "PNG"
        assert image.width == 842 and image.height in (595, 596)  # A4 landscape at 1 px/pt


def test_certificate_image_of_an_unknown_serial_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No certificate"):
        call_command("certificate_image", "68-2026-99999", str(tmp_path / "x.png"))


def test_certificate_image_makes_the_pdf_of_a_certificate_without_one(tmp_path):
    school = School(completed=1)
    certificate = factories.certificate(school.done[0])
    assert not certificate.pdf

    call_command("certificate_image", certificate.serial, str(tmp_path / "x.png"))

    certificate.refresh_from_db()
    assert certificate.pdf and (tmp_path / "x.png").exists()


def test_the_layout_check_sees_text_hidden_below_the_area(issued):
    """The check the tests above rely on: a text far too long for the page is reported."""
    issued.printed["body"] = "Очень длинный текст. " * 300

    assert any("below the area" in problem for problem in layout_problems(certificate_html(issued)))
