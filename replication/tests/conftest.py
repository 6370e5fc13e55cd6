"""A programme with something of every kind a package carries, published in Tambov."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.rich_text import RichText

from accounts.models import Region
from assessments.models import QuestionKind
from courses.models import CaseStudyAttachment, CaseStudyPage, LessonPage, ModulePage, ProgramPage
from tests import factories

FILE_TEXT = b"%PDF-1.4 questionnaire of a first meeting"


def png() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Origin:
    program: ProgramPage
    module: ModulePage
    lesson: Page
    case: Page
    quiz: Page
    document: object
    image: object


def publish_all(program: ProgramPage) -> None:
    """Activities first, the programme last: the practice rule binds from its first one."""
    for page in program.get_descendants(inclusive=True).order_by("-depth", "path").specific():
        page.save_revision().publish()


def build_origin(bank_title: str = "Меры поддержки") -> Origin:
    program = factories.program(title="Школа координаторов", live=False)
    program.region = Region.objects.get(code="68")
    module = program.get_children().get().specific
    lesson = module.get_children().type(LessonPage).get().specific
    case = module.get_children().type(CaseStudyPage).get().specific
    Document = get_document_model()
    private = Collection.objects.get(name="Только для преподавателей")
    document = Document(title="Анкета первичной встречи", collection=private)
    document.file.save("anketa.pdf", ContentFile(FILE_TEXT), save=False)
    document.save()
    image = get_image_model().objects.create(
        title="Герб", file=ImageFile(io.BytesIO(png()), name="gerb.png")
    )
    lesson.body = [
        ("paragraph", RichText(f'<p>См. <a linktype="page" id="{case.pk}">кейс</a>.</p>')),
        ("document", {"document": document, "note": "Образец"}),
    ]
    lesson.save()
    case.attachments = [CaseStudyAttachment(document=document, caption="Анкета")]
    case.save()
    factories.rubric(case, [("План помощи", [("Нет", "0"), ("Полностью", "4")])])
    bank = factories.question_bank(bank_title)
    factories.question(bank, QuestionKind.SINGLE, options=[("Да", True), ("Нет", False)])
    factories.question(bank, QuestionKind.NUMERIC, numeric_answer="8")
    quiz = factories.quiz(
        module, [bank], hours="1", kind="practice", live=False, title="Тест по модулю"
    )
    program.description = [("paragraph", RichText("<p>Программа школы.</p>"))]
    program.save()
    factories.certificate_template(program, logo=image, body="Прошёл(ла) обучение {program}")
    publish_all(program)
    return Origin(
        program=ProgramPage.objects.get(pk=program.pk),
        module=module,
        lesson=lesson,
        case=case,
        quiz=quiz,
        document=document,
        image=image,
    )


@pytest.fixture
def origin(db) -> Origin:
    return build_origin()


def stored_files() -> set[str]:
    """Every file in the site's storages (public media and private)."""
    found = set()
    for root in (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)):
        found |= {str(path) for path in root.rglob("*") if path.is_file()}
    return found
