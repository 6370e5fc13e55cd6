"""A programme as published, written as a package (a `Release` of it).

What travels: every published page of the programme with its child rows (case tasks,
attachments, rubric criteria, quiz sections), the question banks its quizzes draw on with their
questions, the documents and images its pages and certificate template use, and the template's
design and texts. What never travels: cohorts, enrolments, anyone's work or marks, users, page
owners, comments and revisions, the certificate's signatories and issuing organisation
(`replication.portable`).
"""

from __future__ import annotations

import posixpath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from assessments.models import Question, QuestionBank
from certificates.models import CertificateTemplate
from courses.models import ProgramPage

from . import package
from .models import Release
from .portable import (
    BANK,
    Outgoing,
    Refused,
    canonical,
    document_label,
    image_label,
    uid_under,
)


def programme_pages(program: ProgramPage) -> list[Page]:
    """The programme's published pages, in the order of the tree."""
    return list(program.get_descendants(inclusive=True).live().specific().order_by("path"))


def _file_entry(obj, uid: str, files: dict[str, bytes], problems: list[str]) -> dict:
    try:
        with obj.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        problems.append(_("The file of «%(title)s» is missing.") % {"title": obj.title})
        data = b""
    extension = posixpath.splitext(obj.file.name)[1].lower().lstrip(".") or "bin"
    if not extension.isalnum() or len(extension) > 8:
        extension = "bin"
    name = f"files/{package.digest(data)}.{extension}"
    files[name] = data
    return {
        "uid": uid,
        "title": obj.title,
        "name": posixpath.basename(obj.file.name),
        "file": name,
        "collection": obj.collection.name,
    }


def _banks(outgoing: Outgoing) -> list[dict]:
    banks = []
    pks = outgoing.objects.get(BANK, {})
    questions = Question.objects.filter(bank__in=pks).prefetch_related("options").order_by("pk")
    by_bank: dict[int, list[Question]] = {}
    for question in questions:
        by_bank.setdefault(question.bank_id, []).append(question)
    for bank in QuestionBank.objects.filter(pk__in=pks):
        bank_uid = pks[bank.pk]
        outgoing.where = bank.title
        entries = []
        for question in by_bank.get(bank.pk, []):
            question_uid = uid_under(bank_uid, "assessments.question", question.pk)
            data = question.serializable_data()
            fields = outgoing.fields(Question, data)
            fields.pop("bank")  # the bank it stands in
            options = [
                {
                    "uid": uid_under(question_uid, "assessments.questionoption", option["pk"]),
                    "text": option["text"],
                    "is_correct": option["is_correct"],
                    "match_text": option["match_text"],
                    "sort_order": option["sort_order"],
                }
                for option in data["options"]
            ]
            entries.append({"uid": question_uid, **fields, "options": options})
        banks.append(
            {
                "uid": bank_uid,
                "title": bank.title,
                "description": bank.description,
                "questions": entries,
            }
        )
    return sorted(banks, key=lambda bank: bank["uid"])


def build(program: ProgramPage) -> tuple[dict, dict[str, bytes]]:
    """The package's content and files for the programme as published; `Refused` when it
    cannot be carried whole (a link outside the programme, a file missing)."""
    if not program.live:
        raise Refused(_("Only a published programme can be exported."))
    pages = programme_pages(program)
    # A published page under an unpublished one is out of readers' reach: it stays behind,
    # with everything under it.
    by_path = {program.path: program}
    kept = [program]
    for page in pages[1:]:
        if page.path[: -Page.steplen] in by_path:
            by_path[page.path] = page
            kept.append(page)
    uids = {page.pk: str(page.translation_key) for page in kept}
    outgoing = Outgoing(uids[program.pk], uids)
    entries = [
        {
            "uid": uids[page.pk],
            "parent": uids[by_path[page.path[: -Page.steplen]].pk] if page is not program else None,
            "type": page._meta.label_lower,
            "data": outgoing.page_data(page, uids[page.pk]),
        }
        for page in kept
    ]
    template = CertificateTemplate.objects.filter(program=program).first()
    template_data = None
    if template is not None:
        outgoing.where = str(_("certificate template"))
        template_data = outgoing.fields(CertificateTemplate, template.serializable_data())
    banks = _banks(outgoing)
    files: dict[str, bytes] = {}
    problems = outgoing.problems
    documents = [
        _file_entry(document, outgoing.objects[document_label()][document.pk], files, problems)
        for document in get_document_model()
        .objects.filter(pk__in=outgoing.objects.get(document_label(), {}))
        .select_related("collection")
    ]
    images = [
        _file_entry(image, outgoing.objects[image_label()][image.pk], files, problems)
        for image in get_image_model()
        .objects.filter(pk__in=outgoing.objects.get(image_label(), {}))
        .select_related("collection")
    ]
    if problems:
        raise Refused(" ".join(dict.fromkeys(problems)))
    content = {
        "pages": entries,
        "banks": banks,
        "documents": sorted(documents, key=lambda entry: entry["uid"]),
        "images": sorted(images, key=lambda entry: entry["uid"]),
        "certificate_template": template_data,
    }
    return content, files


def _derived_from(program: ProgramPage) -> dict | None:
    adoption = getattr(program, "adoption", None)
    if adoption is None:
        return None
    return {
        "uid": str(adoption.origin_uid),
        "title": adoption.origin_title,
        "region": adoption.origin_region,
        "version": adoption.adopted.version,
    }


def region_label(region) -> str:
    return f"{region.name} ({region.code})" if region is not None else ""


def release_of(program: ProgramPage) -> Release:
    """The programme as published now, as a release: the last one if nothing changed since,
    else the next version. Two publications at once wait for each other (the programme's row
    is locked), so that no version number is given twice."""
    program = ProgramPage.objects.select_related("region").get(pk=program.pk)
    content, files = build(program)
    content_sha = package.digest(canonical(content).encode())
    uid = str(program.translation_key)
    stored = None
    try:
        with transaction.atomic():
            Page.objects.select_for_update().filter(pk=program.pk).exists()
            last = Release.objects.filter(programme_uid=uid).order_by("-version").first()
            if last is not None and last.sha256 == content_sha:
                return last
            version = last.version + 1 if last else 1
            now = timezone.now()
            manifest = {
                "programme": {"uid": uid, "title": program.title, "slug": program.slug},
                "version": version,
                "exported_at": now.isoformat(),
                "origin": {"region": region_label(program.region)},
                "derived_from": _derived_from(program),
            }
            data = package.write(manifest, content, files)
            release = Release(
                programme_uid=uid,
                version=version,
                title=program.title,
                origin_region=region_label(program.region),
                origin_page=program,
                derived_from=manifest["derived_from"],
                sha256=content_sha,
                content=content,
                page_hashes=package.page_hashes(content),
                published_at=now,
            )
            release.package.save(f"{uid}-v{version}.zip", ContentFile(data), save=False)
            stored = release.package.name
            release.save()
            return release
    except Exception:
        if stored:
            release.package.storage.delete(stored)
        raise


def package_bytes(release: Release) -> bytes:
    with release.package.open("rb") as handle:
        return handle.read()
