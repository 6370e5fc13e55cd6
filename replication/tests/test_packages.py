"""A programme as a package: what it carries, what it never carries, and the way back in."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from accounts.models import Region
from assessments.models import Question, QuestionBank
from certificates.models import CertificateTemplate
from courses.models import CaseStudyPage, LessonPage, ProgramPage
from replication import package
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.models import Adoption, ImportedObject, PageOrigin, Release
from replication.portable import Refused
from tests import factories

from .conftest import FILE_TEXT, build_origin, publish_all, stored_files

pytestmark = pytest.mark.django_db


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def yugra():
    return Region.objects.get(code="86")


def test_a_package_carries_the_whole_programme(origin):
    data = package_bytes(release_of(origin.program))
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    content = json.loads(files["content.json"])

    assert manifest["schema"] == package.SCHEMA
    assert manifest["version"] == 1
    assert manifest["programme"]["uid"] == str(origin.program.translation_key)
    assert manifest["origin"]["region"] == "Тамбовская область (68)"
    assert {entry["type"] for entry in content["pages"]} == {
        "courses.programpage",
        "courses.modulepage",
        "courses.lessonpage",
        "courses.casestudypage",
        "assessments.quizpage",
    }
    program = content["pages"][0]["data"]
    assert (program["practice_target"], program["pass_mark"], program["quiz_weight"]) == (
        75,
        60,
        40,
    )
    case = next(e for e in content["pages"] if e["type"] == "courses.casestudypage")["data"]
    assert case["discussion_guide"] == "<p>Разбор для преподавателя.</p>"
    assert [task["title"] for task in case["tasks"]] == ["Составьте план"]
    assert [criterion["title"] for criterion in case["rubric_criteria"]] == ["План помощи"]
    assert case["attachments"][0]["caption"] == "Анкета"
    [bank] = content["banks"]
    assert bank["title"] == "Меры поддержки" and len(bank["questions"]) == 2
    assert [o["is_correct"] for o in bank["questions"][0]["options"]] == [True, False]
    [document] = content["documents"]
    assert document["collection"] == "Только для преподавателей"
    assert files[document["file"]] == FILE_TEXT
    assert len(content["images"]) == 1
    template = content["certificate_template"]
    assert template["body"] == "Прошёл(ла) обучение {program}"
    assert template["logo"]["uid"] == content["images"][0]["uid"]
    # Every member is listed with its digest.
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    assert all(package.digest(files[name]) == sha for name, sha in manifest["files"].items())


def test_references_are_uids_not_this_sites_ids(origin):
    content = release_of(origin.program).content
    lesson = next(e for e in content["pages"] if e["data"]["title"] == origin.lesson.title)
    case_uid = str(origin.case.translation_key)
    body = lesson["data"]["body"]
    assert f'id="uid:{case_uid}"' in body[0]["value"]
    assert body[1]["value"]["document"] == {
        "$ref": "wagtaildocs.document",
        "uid": content["documents"][0]["uid"],
    }
    assert not re.search(r'id="\d+"', json.dumps(content, ensure_ascii=False))


def test_no_personal_or_cohort_data_goes_into_a_package(origin):
    trainee = factories.user("Trainee", last_name="Засекреченная", email="secret@example.org")
    trainee.snils = "11223344595"
    trainee.save()
    cohort = factories.cohort(origin.program, name="Группа Тайная")
    factories.enrol(trainee, cohort)
    author = factories.user("Senior instructor", last_name="Авторова", username="author-login")
    page = LessonPage.objects.get(pk=origin.lesson.pk)
    page.owner = author
    page.save_revision(user=author).publish(user=author)
    template = CertificateTemplate.objects.get(program=origin.program)
    data = package_bytes(release_of(origin.program))

    text = b"".join(members(data).values()).decode("utf-8", errors="replace")
    for secret in [
        "Засекреченная",
        "secret@example.org",
        "11223344595",
        "112-233-445 95",
        "Группа Тайная",
        "Авторова",
        "author-login",
        template.organisation,
        template.licence,
        "И. И. Петрова",
        "Ректор",
    ]:
        assert secret not in text
    content = json.loads(members(data)["content.json"])
    keys = set(re.findall(r'"([a-z_]+)":', json.dumps(content)))
    assert not keys & {
        "owner",
        "locked_by",
        "latest_revision",
        "live_revision",
        "wagtail_admin_comments",
        "signatories",
        "organisation",
        "licence",
        "region",
        "closes_at",
        "cohort",
        "enrolment",
    }


def test_exporting_an_unchanged_programme_gives_the_same_version_and_bytes(origin):
    first = release_of(origin.program)
    again = release_of(origin.program)
    assert again.pk == first.pk and package_bytes(again) == package_bytes(first)
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.summary = "Новая редакция"
    lesson.save_revision().publish()
    assert release_of(origin.program).version == 2


def test_a_draft_change_is_not_exported_until_published(origin):
    first = release_of(origin.program)
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.summary = "Черновик"
    lesson.save_revision()
    assert release_of(origin.program).pk == first.pk


def test_a_link_outside_the_programme_refuses_the_export(origin):
    elsewhere = factories.program(title="Другая")
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.body = [("paragraph", f'<p><a linktype="page" id="{elsewhere.pk}">там</a></p>')]
    lesson.save_revision().publish()
    with pytest.raises(Refused, match="links to a page outside the programme"):
        release_of(origin.program)


def test_an_unpublished_programme_cannot_be_exported(db):
    program = factories.program(live=False)
    with pytest.raises(Refused, match="Only a published programme"):
        release_of(program)


def test_import_makes_a_draft_copy_for_the_region(origin):
    data = package_bytes(release_of(origin.program))
    outcome = import_package(data, region=yugra())

    copy = outcome.adoption.programme
    assert outcome.created and copy.region == yugra() and not copy.live
    assert copy.pk != origin.program.pk
    pages = copy.get_descendants(inclusive=True).specific()
    assert len(pages) == 5 and not any(page.live for page in pages)
    assert all(page.latest_revision_id for page in pages)
    assert copy.slug == f"{origin.program.slug}-86"  # its place beside the origin
    case = CaseStudyPage.objects.descendant_of(copy).get()
    assert [task.title for task in case.tasks.all()] == ["Составьте план"]
    assert case.discussion_guide == "<p>Разбор для преподавателя.</p>"
    document = case.attachments.get().document
    assert (
        document.pk != origin.document.pk
        and document.collection.name == "Только для преподавателей"
    )
    assert document.file.read() == FILE_TEXT
    # The copy's own bank, so that the origin's edits never reach the region's quiz unasked.
    bank = QuestionBank.objects.exclude(title="Меры поддержки").get()
    assert bank.title == "Меры поддержки (Ханты-Мансийский автономный округ — Югра)"
    assert bank.questions.count() == 2
    lesson = LessonPage.objects.descendant_of(copy).get()
    assert f'id="{case.pk}"' in lesson.body.raw_data[0]["value"]  # the link leads into the copy
    assert lesson.body.raw_data[1]["value"]["document"] == document.pk
    template = CertificateTemplate.objects.get(program=copy)
    assert template.organisation == "" and not template.signatories.exists()
    assert template.logo.pk != origin.image.pk
    assert PageOrigin.objects.filter(adoption=outcome.adoption).count() == 5


def test_importing_the_same_package_twice_creates_nothing_twice(origin):
    data = package_bytes(release_of(origin.program))
    first = import_package(data, region=yugra())
    counts = _counts()
    again = import_package(data, region=yugra())
    assert not again.created and again.adoption.pk == first.adoption.pk
    assert _counts() == counts
    other = import_package(data, region=Region.objects.get(code="77"))
    assert other.created and Adoption.objects.count() == 2


def test_the_regions_own_programme_is_not_adopted_again(origin):
    data = package_bytes(release_of(origin.program))
    with pytest.raises(Refused, match="already the region's own"):
        import_package(data, region=Region.objects.get(code="68"))


def _counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "documents": get_document_model().objects.count(),
        "images": get_image_model().objects.count(),
        "banks": QuestionBank.objects.count(),
        "questions": Question.objects.count(),
        "templates": CertificateTemplate.objects.count(),
        "releases": Release.objects.count(),
        "adoptions": Adoption.objects.count(),
        "imported": ImportedObject.objects.count(),
        "files": len(stored_files()),
    }


def _resigned(files: dict[str, bytes], content: dict) -> bytes:
    """A package whose content was edited and whose digests were recomputed to match, as a
    version this site has not seen."""
    manifest = json.loads(files["manifest.json"])
    manifest["version"] += 1
    data = package.write(
        {key: manifest[key] for key in ("programme", "version", "origin", "derived_from")},
        content,
        {name: body for name, body in files.items() if name.startswith("files/")},
    )
    return data


def _broken(kind: str, data: bytes) -> bytes:
    files = members(data)
    content = json.loads(files["content.json"])
    manifest = json.loads(files["manifest.json"])
    if kind == "truncated":
        return data[: len(data) // 2]
    if kind == "not a zip":
        return b"PK\x03\x04 not really an archive"
    if kind == "tampered content":
        files["content.json"] = files["content.json"].replace("Разбор".encode(), "Подлог".encode())
        return rezip(files)
    if kind == "tampered file":
        name = next(name for name in files if name.startswith("files/") and name.endswith(".pdf"))
        files[name] = files[name] + b" extra"
        return rezip(files)
    if kind == "unknown schema":
        manifest["schema"] = 2
        files["manifest.json"] = json.dumps(manifest).encode()
        return rezip(files)
    if kind == "extra member":
        files["files/extra.sh"] = b"echo"
        return rezip(files)
    if kind == "missing file":
        del files[next(name for name in files if name.startswith("files/"))]
        return rezip(files)
    if kind == "missing reference":
        content["documents"] = []  # the attachment and the document block point at nothing
        return _resigned(files, content)
    if kind == "unknown page type":
        content["pages"][-1]["type"] = "courses.secretpage"
        return _resigned(files, content)
    if kind == "unknown field":
        content["pages"][1]["data"]["owner"] = 1
        return _resigned(files, content)
    if kind == "local id":
        lesson = next(e for e in content["pages"] if e["type"] == "courses.lessonpage")
        lesson["data"]["body"][0]["value"] = '<p><a linktype="page" id="1">корень</a></p>'
        return _resigned(files, content)
    if kind == "not an image":
        name = next(name for name in files if name.endswith(".png"))
        files[name] = b"not a picture"
        return _resigned(files, content)
    if kind == "invalid value":
        case = next(e for e in content["pages"] if e["type"] == "courses.casestudypage")
        case["data"]["hours"] = "-3.0"
        return _resigned(files, content)
    raise AssertionError(kind)


BREAKS = {
    "truncated": "not a programme package, or it is cut short",
    "not a zip": "not a programme package, or it is cut short",
    "tampered content": "is damaged: content.json",
    "tampered file": "is damaged: files/",
    "unknown schema": "schema version 2; this site reads version 1",
    "extra member": "files are not those its manifest lists",
    "missing file": "files are not those its manifest lists",
    "missing reference": "refers to something the package does not hold",
    "unknown page type": "type this site does not know: courses.secretpage",
    "unknown field": "fields this site does not know: owner",
    "local id": "holds a link this site cannot read",
    "invalid value": "cannot be taken",
    "not an image": "The file «Герб» cannot be taken",
}


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_a_broken_package_is_refused_and_leaves_nothing_behind(origin, kind):
    data = _broken(kind, package_bytes(release_of(origin.program)))
    before = _counts()
    with pytest.raises(Refused, match=re.escape(BREAKS[kind])):
        import_package(data, region=yugra())
    assert _counts() == before


def test_the_same_version_with_other_content_is_refused(origin):
    data = package_bytes(release_of(origin.program))
    files = members(data)
    content = json.loads(files["content.json"])
    content["pages"][0]["data"]["summary"] = "Другое"
    forged = members(_resigned(files, content))
    manifest = json.loads(forged["manifest.json"])
    manifest["version"] = 1
    forged["manifest.json"] = json.dumps(manifest).encode()
    before = _counts()
    with pytest.raises(Refused, match="already known here with other content"):
        import_package(rezip(forged), region=yugra())
    assert _counts() == before


def _normalised(content: dict) -> str:
    """The content with every uid replaced by its order of first appearance."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    uids = dict.fromkeys(
        re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
    )
    for number, uid in enumerate(uids):
        text = text.replace(uid, f"#{number}")
    return text


def test_export_import_export_gives_the_same_content(
    db, tmp_path, django_capture_on_commit_callbacks
):
    origin = build_origin()
    first = tmp_path / "tambov.zip"
    call_command("export_programme", origin.program.slug, str(first))
    content = json.loads(members(first.read_bytes())["content.json"])
    # Another installation: nothing of the origin is there.
    slug = origin.program.slug
    with django_capture_on_commit_callbacks(execute=True):  # the files go too
        ProgramPage.objects.get(pk=origin.program.pk).delete()
        Question.objects.all().delete()
        QuestionBank.objects.all().delete()
        get_document_model().objects.all().delete()
        get_image_model().objects.all().delete()
        Release.objects.all().delete()

    call_command("import_programme", str(first), "--region", "86")
    copy = ProgramPage.objects.get()
    assert copy.slug == slug
    publish_all(copy)
    second = tmp_path / "yugra.zip"
    call_command("export_programme", slug, str(second))
    again = json.loads(members(second.read_bytes())["content.json"])
    assert _normalised(again) == _normalised(content)
    manifest = json.loads(members(second.read_bytes())["manifest.json"])
    assert manifest["derived_from"]["uid"] == str(origin.program.translation_key)
    assert manifest["origin"]["region"] == "Ханты-Мансийский автономный округ — Югра (86)"


def test_the_commands_say_what_is_wrong(origin, tmp_path):
    with pytest.raises(CommandError, match="No programme has the slug"):
        call_command("export_programme", "nothing-here", str(tmp_path / "x.zip"))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"garbage")
    with pytest.raises(CommandError, match="not a programme package"):
        call_command("import_programme", str(broken), "--region", "86")
    with pytest.raises(CommandError, match="No region has the code"):
        call_command("import_programme", str(broken), "--region", "999")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_programme", str(tmp_path / "absent.zip"), "--region", "86")


def test_a_copys_certificates_wait_for_the_regions_organisation(origin):
    from certificates.services import NoTemplate, template_of

    copy = import_package(package_bytes(release_of(origin.program)), region=yugra()).adoption
    with pytest.raises(NoTemplate, match="names no issuing organisation"):
        template_of(copy.programme)
    CertificateTemplate.objects.filter(program=copy.programme).update(
        organisation="АУ ДПО ХМАО — Югры «Институт развития образования»"
    )
    assert template_of(copy.programme).program_id == copy.programme.pk


def test_a_full_disk_refuses_the_import_with_nothing_left(origin, monkeypatch):
    import errno

    from django.core.files.storage import FileSystemStorage

    data = package_bytes(release_of(origin.program))
    saved = FileSystemStorage._save
    calls = []

    def fills_up(self, name, content):
        calls.append(name)
        if len(calls) > 1:  # the package is stored; the first document finds no room
            raise OSError(errno.ENOSPC, "No space left on device")
        return saved(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", fills_up)
    before = _counts()
    with pytest.raises(Refused, match="no room to store the file"):
        import_package(data, region=yugra())
    assert _counts() == before


def _manifest_edit(data: bytes, edit, *, content_edit=None) -> bytes:
    """The package with its manifest (and content) changed, every digest left as written."""
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    if content_edit is not None:
        content = json.loads(files["content.json"])
        content_edit(content)
        files["content.json"] = package.canonical(content).encode()
        manifest["files"]["content.json"] = package.digest(files["content.json"])
        manifest["pages"] = package.page_hashes(content)
    edit(manifest, files)
    files["manifest.json"] = json.dumps(manifest).encode()
    return rezip(files)


def _set(key, value):
    return lambda manifest, files: manifest.__setitem__(key, value)


def _with_duplicate(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members(data).items():
            archive.writestr(name, body)
        archive.writestr("content.json", b"{}")
    return buffer.getvalue()


def _name_outside(manifest, files):
    files["files/../notes.txt"] = b"x"
    manifest["files"]["files/../notes.txt"] = package.digest(b"x")


def _page_digest(manifest, files):
    uid = next(iter(manifest["pages"]))
    manifest["pages"][uid] = "0" * 64


def _first_page_elsewhere(content):
    content["pages"].append(content["pages"].pop(0))


def _document_without_file(content):
    content["documents"][0]["file"] = "files/" + "a" * 64 + ".pdf"


MANIFEST_BREAKS = {
    "another kind": (lambda d: _manifest_edit(d, _set("kind", "other")), "not a programme package"),
    "version 0": (lambda d: _manifest_edit(d, _set("version", 0)), "manifest is incomplete"),
    "no manifest pages": (lambda d: _manifest_edit(d, _set("pages", [])), "incomplete"),
    "duplicate member": (_with_duplicate, "it has no manifest"),
    "a name outside files/": (lambda d: _manifest_edit(d, _name_outside), "may not hold"),
    "page digest": (lambda d: _manifest_edit(d, _page_digest), "its pages are not those"),
    "programme not first": (
        lambda d: _manifest_edit(d, lambda m, f: None, content_edit=_first_page_elsewhere),
        "does not begin with its programme",
    ),
    "a document's file absent": (
        lambda d: _manifest_edit(d, lambda m, f: None, content_edit=_document_without_file),
        "names a file it does not hold",
    ),
}


@pytest.mark.parametrize("kind", sorted(MANIFEST_BREAKS))
def test_a_package_whose_manifest_lies_is_refused(origin, kind):
    make, message = MANIFEST_BREAKS[kind]
    data = make(package_bytes(release_of(origin.program)))
    before = _counts()
    with pytest.raises(Refused, match=re.escape(message)):
        import_package(data, region=yugra())
    assert _counts() == before


def test_the_size_limits_bind_packed_and_unpacked(origin, settings):
    data = package_bytes(release_of(origin.program))
    unpacked = sum(len(body) for body in members(data).values())
    settings.REPLICATION_PACKAGE_MAX_BYTES = len(data) - 1
    with pytest.raises(Refused, match="larger than this site accepts"):
        package.read(data)
    settings.REPLICATION_PACKAGE_MAX_BYTES = len(data)
    if unpacked > len(data):
        with pytest.raises(Refused, match="unpacks to more than this site accepts"):
            package.read(data)
    settings.REPLICATION_PACKAGE_MAX_BYTES = max(len(data), unpacked)
    assert package.read(data).version == 1


def test_a_page_that_cannot_stand_under_its_parent_is_refused(origin):
    data = package_bytes(release_of(origin.program))
    files = members(data)
    content = json.loads(files["content.json"])
    lesson = next(e for e in content["pages"] if e["type"] == "courses.lessonpage")
    lesson["parent"] = content["pages"][0]["uid"]  # a lesson straight under the programme
    before = _counts()
    with pytest.raises(Refused, match="cannot stand under"):
        import_package(_resigned(files, content), region=yugra())
    assert _counts() == before


def test_a_page_breaking_its_models_rules_is_refused(origin):
    data = package_bytes(release_of(origin.program))
    files = members(data)
    content = json.loads(files["content.json"])
    content["pages"][0]["data"]["quiz_weight"] = 50  # with 60 for case work: 110 %
    before = _counts()
    with pytest.raises(Refused, match="must add up to 100"):
        import_package(_resigned(files, content), region=yugra())
    assert _counts() == before


def test_pages_under_an_unpublished_module_stay_behind(origin):
    from courses.models import ModulePage

    extra = ModulePage(title="Черновой модуль", slug="draft-module")
    origin.program.add_child(instance=extra)
    lesson = factories.lesson(extra, "1", title="Урок в черновом модуле", kind="practice")
    extra.unpublish()
    content = release_of(origin.program).content
    titles = [entry["data"]["title"] for entry in content["pages"]]
    assert "Черновой модуль" not in titles and lesson.title not in titles
    assert origin.lesson.title in titles


def test_the_copy_keeps_the_origins_search_texts(origin):
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.search_description = "Роль координатора"
    lesson.seo_title = "Координатор"
    lesson.save_revision().publish()
    copy = import_package(package_bytes(release_of(origin.program)), region=yugra()).adoption
    copied = LessonPage.objects.descendant_of(copy.programme).get()
    assert (copied.search_description, copied.seo_title) == ("Роль координатора", "Координатор")


def test_a_rich_text_link_to_a_document_leads_to_the_copys_document(origin):
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    link = f'<p><a linktype="document" id="{origin.document.pk}">анкета</a></p>'
    lesson.body = [("paragraph", link)]
    lesson.save_revision().publish()
    content = release_of(origin.program).content
    entry = next(e for e in content["pages"] if e["type"] == "courses.lessonpage")
    assert f'id="uid:{content["documents"][0]["uid"]}"' in entry["data"]["body"][0]["value"]
    copy = import_package(package_bytes(release_of(origin.program)), region=yugra()).adoption
    copied = LessonPage.objects.descendant_of(copy.programme).get()
    document = CaseStudyPage.objects.descendant_of(copy.programme).get().attachments.get().document
    assert f'id="{document.pk}"' in copied.body.raw_data[0]["value"]
