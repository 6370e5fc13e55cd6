"""A package taken in: its version remembered, and a region's draft copy of the programme made.

All of it happens in one transaction, and the files it stores are removed if anything fails, so
that a refused package leaves nothing behind. The copy is a draft: its pages are drafts with a
revision each, published only through the copy's own approval (where the 75 % rule binds).
Importing the same programme again for the same region makes nothing twice: it only remembers
a newer version, which then appears among the copy's updates.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from assessments.models import Question, QuestionBank, QuestionOption
from certificates.models import CertificateTemplate
from core.uploads import UploadNotStored
from courses.models import CurriculumPage, ProgramIndexPage, ProgramPage

from . import package
from .models import Adoption, ImportedObject, PageOrigin, Release
from .portable import (
    BANK,
    PAGE,
    Incoming,
    Refused,
    carried_fields,
    child_relations,
    document_label,
    fingerprint,
    image_label,
)

ADOPT_ACTION = "replication.adopt"
logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    adoption: Adoption
    release: Release
    created: bool  # a new copy (False: the region had one already)
    new_version: bool  # a version of the origin not known here before


@dataclass
class Writer:
    """What an import (or an applied update) writes: files kept to remove on failure, and the
    uids it gives this site's objects."""

    adoption: Adoption | None = None
    # (model label, uid) → id here of every page and object the copy has for the origin's
    table: dict[tuple[str, str], int] = field(default_factory=dict)
    stored: list = field(default_factory=list)
    records: list[ImportedObject] = field(default_factory=list)

    @classmethod
    def for_adoption(cls, adoption: Adoption) -> Writer:
        """What a copy already has: its pages and the objects standing for the origin's."""
        writer = cls(adoption=adoption)
        for origin in adoption.pages.all():
            writer.table[(PAGE, str(origin.origin_uid))] = origin.page_id
        for record in adoption.imported.select_related("content_type"):
            model = record.content_type.model_class()
            if model is not None:
                writer.table[(model._meta.label_lower, str(record.uid))] = record.object_id
        return writer

    def remember(self, uid: str, obj) -> None:
        self.table[(obj._meta.label_lower, str(uid))] = obj.pk
        self.records.append(
            ImportedObject(
                uid=uid,
                content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=False),
                object_id=obj.pk,
            )
        )

    def store(self, obj) -> None:
        self.stored.append((obj.file.storage, obj.file.name))

    def discard_files(self) -> None:
        for storage, name in self.stored:
            storage.delete(name)

    def flush(self) -> None:
        for record in self.records:
            record.adoption = self.adoption
        ImportedObject.objects.bulk_create(self.records)
        self.records = []


def release_from(received: package.Package, data: bytes, writer: Writer) -> tuple[Release, bool]:
    """The version the package carries, remembered once (the same version twice must be the same
    content)."""
    existing = Release.objects.filter(programme_uid=received.uid, version=received.version).first()
    if existing is not None:
        if existing.sha256 != received.content_sha:
            raise Refused(
                _(
                    "Version %(version)s of this programme is already known here with other "
                    "content: the package is not the one its origin published."
                )
                % {"version": received.version}
            )
        return existing, False
    manifest = received.manifest
    try:
        published = dt.datetime.fromisoformat(manifest.get("exported_at", ""))
    except (TypeError, ValueError):
        published = timezone.now()
    release = Release(
        programme_uid=received.uid,
        version=received.version,
        title=str(manifest["programme"].get("title", ""))[:255],
        origin_region=str((manifest.get("origin") or {}).get("region", ""))[:200],
        origin_page=ProgramPage.objects.filter(translation_key=received.uid).first(),
        derived_from=manifest.get("derived_from"),
        sha256=received.content_sha,
        content=received.content,
        page_hashes=manifest["pages"],
        published_at=published if timezone.is_aware(published) else timezone.now(),
    )
    release.package.save(f"{received.uid}-v{received.version}.zip", ContentFile(data), save=False)
    writer.stored.append((release.package.storage, release.package.name))
    release.save()
    return release, True


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=name).first() if name else None
    return found or (root.add_child(name=name[:255]) if name else root)


def create_file_objects(content: dict, files: dict[str, bytes], writer: Writer, wanted=None):
    """Documents and images of the package (those in `wanted`, else all) that this copy lacks."""
    for key, model in (("documents", get_document_model()), ("images", get_image_model())):
        label = document_label() if key == "documents" else image_label()
        for entry in content.get(key, []):
            if (label, entry["uid"]) in writer.table or (wanted and entry["uid"] not in wanted):
                continue
            obj = model(collection=_collection(str(entry.get("collection", ""))))
            _write_file(obj, entry, files[entry["file"]], writer)
            writer.remember(entry["uid"], obj)


def update_file_objects(content: dict, files: dict[str, bytes], writer: Writer, uids: set[str]):
    """The copy's documents and images in `uids` given the package's title and file, where the
    origin has replaced them (the same document, so every page showing it shows the new one)."""
    for key, model in (("documents", get_document_model()), ("images", get_image_model())):
        label = document_label() if key == "documents" else image_label()
        for entry in content.get(key, []):
            if entry["uid"] not in uids:
                continue
            obj = model.objects.filter(pk=writer.table.get((label, entry["uid"]))).first()
            if obj is None:
                continue
            try:
                with obj.file.open("rb") as handle:
                    same = package.digest(handle.read()) == entry["file"][6:].split(".")[0]
            except OSError:
                same = False
            if not same:
                _write_file(obj, entry, files[entry["file"]], writer)
            elif obj.title != entry.get("title"):
                obj.title = str(entry.get("title", ""))[:255]
                obj.save(update_fields=["title"])


def _write_file(obj, entry: dict, data: bytes, writer: Writer) -> None:
    obj.title = str(entry.get("title", ""))[:255]
    name = get_valid_filename(str(entry.get("name") or "file")) or "file"
    documents = isinstance(obj, get_document_model())
    try:
        # An image's width and height are read from the file as it is assigned.
        obj.file = ContentFile(data, name=name) if documents else ImageFile(io.BytesIO(data), name)
        if documents:
            obj._set_document_file_metadata()
        else:
            obj._set_image_file_metadata()
        obj.full_clean(exclude=["file_hash", "file_size"])
        obj.save()
    except (ValidationError, OSError, ValueError) as error:
        if isinstance(error, OSError) and error.errno is not None:
            raise  # the storage, not the file: told as such by import_package
        raise Refused(
            _("The file «%(title)s» cannot be taken: %(error)s")
            % {"title": obj.title, "error": _error_text(error)}
        ) from None
    writer.store(obj)


def _free_bank_title(title: str, region) -> str:
    candidate, number = title, 1
    while QuestionBank.objects.filter(title=candidate).exists():
        number += 1
        suffix = f" ({region.name})" if number == 2 else f" ({region.name}, {number - 1})"
        candidate = f"{title[: 255 - len(suffix)]}{suffix}"
    return candidate


def create_banks(content: dict, writer: Writer, region, wanted=None) -> None:
    """Copies of the package's question banks that this copy lacks: a region edits its own."""
    incoming = Incoming(writer.table)
    for entry in content.get("banks", []):
        if (BANK, entry["uid"]) in writer.table or (wanted and entry["uid"] not in wanted):
            continue
        incoming.where = str(entry.get("title", ""))
        bank = QuestionBank(
            title=_free_bank_title(incoming.where[:255], region),
            description=str(entry.get("description", "")),
        )
        _validated(bank).save()
        writer.remember(entry["uid"], bank)
        for row in entry.get("questions", []):
            fields = incoming.fields(Question, row)
            fields.pop("bank", None)
            option_rows = row.get("options") or []
            question = Question(bank=bank, **fields)
            question.options = [
                QuestionOption(**incoming.fields(QuestionOption, option)) for option in option_rows
            ]
            _validated(question).save()
            writer.remember(row["uid"], question)
            saved = list(question.options.order_by("sort_order", "pk"))
            for option, data in zip(saved, option_rows, strict=False):
                writer.remember(data["uid"], option)


def update_banks(content: dict, writer: Writer, uids: set[str]) -> None:
    """The copy's banks in `uids` brought to the package's version. Questions and options are
    changed in place (an attempt names its questions and options by id) and new ones added; a
    question the origin removed stays in the copy's bank, for its authors to remove. Banks are
    not moderated: the change shows in the copy's quizzes at once, as an author's edit would."""
    incoming = Incoming(writer.table)
    question_label = Question._meta.label_lower
    option_label = QuestionOption._meta.label_lower
    for entry in content.get("banks", []):
        if entry["uid"] not in uids:
            continue
        bank = QuestionBank.objects.filter(pk=writer.table.get((BANK, entry["uid"]))).first()
        if bank is None:
            continue
        incoming.where = bank.title
        bank.description = str(entry.get("description", ""))
        _validated(bank).save(update_fields=["description"])
        for row in entry.get("questions", []):
            fields = incoming.fields(Question, row)
            fields.pop("bank", None)
            pk = writer.table.get((question_label, str(row["uid"])))
            question = Question.objects.filter(pk=pk, bank=bank).first() or Question(bank=bank)
            for name, value in fields.items():
                setattr(question, name, value)
            options = row.get("options") or []
            question.options = [
                QuestionOption(
                    pk=writer.table.get((option_label, str(option["uid"]))),
                    **incoming.fields(QuestionOption, option),
                )
                for option in options
            ]
            _validated(question).save()
            if (question_label, str(row["uid"])) not in writer.table:
                writer.remember(row["uid"], question)
            for option, data in zip(
                question.options.order_by("sort_order", "pk"), options, strict=False
            ):
                if (option_label, str(data["uid"])) not in writer.table:
                    writer.remember(data["uid"], option)


@contextmanager
def _refusing(name: str):
    """A model's refusal of what the package holds, told as the package's: «name» cannot be
    taken, and why."""
    try:
        yield
    except ValidationError as error:
        raise Refused(
            _("«%(page)s» cannot be taken: %(error)s") % {"page": name, "error": _error_text(error)}
        ) from None


def _validated(obj):
    with _refusing(str(obj)):
        obj.full_clean()
    return obj


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return (
            "; ".join(
                f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                for name, messages in error.message_dict.items()
            )
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
    return str(error)


def page_model(entry: dict) -> type[CurriculumPage]:
    try:
        model = apps.get_model(entry["type"])
    except (LookupError, ValueError, TypeError):
        model = None
    if model is None or not issubclass(model, CurriculumPage):
        raise Refused(_("A page of a type this site does not know: %(type)s.") % entry)
    return model


def create_page(entry: dict, parent: Page, writer: Writer, *, user, root_attrs=None) -> Page:
    """One page of the package as a draft under `parent` (not yet with a revision)."""
    model = page_model(entry)
    incoming = Incoming(writer.table)
    incoming.where = str(entry["data"].get("title", "")) if isinstance(entry["data"], dict) else ""
    data = incoming.page_data(model, entry["data"])
    page = model.from_serializable_data({"pk": None, **data}, check_fks=False)
    page.live = False
    page.has_unpublished_changes = True
    page.owner = user
    for name, value in (root_attrs or {}).items():
        setattr(page, name, value)
    _check_fields(page)
    if not model.can_exist_under(parent.specific):
        raise Refused(
            _("«%(page)s» cannot stand under «%(parent)s».")
            % {"page": page.title, "parent": parent.title}
        )
    with _refusing(page.title):
        parent.add_child(instance=page)
        page.full_clean()  # what needs the page's place: its slug among its siblings, …
    writer.table[(PAGE, entry["uid"])] = page.pk
    remember_children(page, entry, writer)
    page._replication_pending = incoming.pending_pages
    return page


def _check_fields(page: Page) -> None:
    """Each field's own rules (hours within bounds, known choices, blocks complete), before the
    page is written; a draft is otherwise saved with its title and slug checked only."""
    with _refusing(page.title):
        page.clean_fields(exclude=[field.name for field in Page._meta.concrete_fields])
        for name, _model in child_relations(type(page)):
            for row in getattr(page, name).all():
                row.clean_fields(exclude=["page"])


def remember_children(page: Page, entry: dict, writer: Writer) -> None:
    """Which child row (case task, rubric criterion…) stands for which of the origin's: rows
    are matched in order with those of the package that this copy has no row for yet."""
    for name, model in child_relations(type(page)):
        label = model._meta.label_lower
        mapped = {pk for (known, _uid), pk in writer.table.items() if known == label}
        rows = [
            row for row in getattr(page, name).order_by("sort_order", "pk") if row.pk not in mapped
        ]
        new = [
            data
            for data in entry["data"].get(name, [])
            if (label, str(data.get("uid"))) not in writer.table
        ]
        for row, data in zip(rows, new, strict=False):
            writer.remember(str(data["uid"]), row)


def fix_page_links(page: Page, entry: dict, writer: Writer) -> Page:
    """The second pass for a page that links to a page created after it."""
    model = type(page)
    incoming = Incoming(writer.table)
    incoming.where = page.title
    data = incoming.page_data(model, entry["data"], child_pks=child_pks(page, entry, writer))
    fixed = page.with_content_json({**page.serializable_data(), **data})
    fixed.save()
    return fixed


def child_pks(page: Page, entry: dict, writer: Writer) -> dict[str, int]:
    """The ids of the copy's child rows standing for the entry's, by their uid."""
    found = {}
    for name, model in child_relations(type(page)):
        for row in entry["data"].get(name, []):
            pk = writer.table.get((model._meta.label_lower, str(row.get("uid"))))
            if pk is not None:
                found[str(row.get("uid"))] = pk
    return found


def _program_index() -> ProgramIndexPage:
    index = ProgramIndexPage.objects.order_by("path").first()
    if index is None:
        raise Refused(_("This site has no list of programmes to put the copy in."))
    return index


def import_package(data: bytes, *, region, user=None) -> Outcome:
    """Take a package in for `region`; `Refused` (with nothing written) when it cannot be.

    Two imports of one package at once (a double click, two authors): the second waits on the
    first's rows and, once that commits, finds its copy (or its version) and makes nothing."""
    received = package.read(data)
    for entry in received.content["pages"]:
        page_model(entry)
    for last_try in (False, True):
        writer = Writer()
        try:
            return _import_once(received, data, region=region, user=user, writer=writer)
        except IntegrityError:
            writer.discard_files()
            if last_try:
                raise Refused(
                    _("Someone is importing this programme at this moment: try again shortly.")
                ) from None
        except OSError as error:  # the storage cannot take the files (a full disk, a quota)
            writer.discard_files()
            logger.error("A programme package could not be stored: %s", error)
            raise Refused(str(UploadNotStored(error).message)) from None
        except BaseException:
            writer.discard_files()
            raise
    raise AssertionError("unreachable")


def _import_once(received, data: bytes, *, region, user, writer: Writer) -> Outcome:
    with transaction.atomic():
        release, new_version = release_from(received, data, writer)
        existing = Adoption.objects.filter(origin_uid=received.uid, region=region).first()
        if existing is not None:
            return Outcome(existing, release, created=False, new_version=new_version)
        adoption = _adopt(received, release, region=region, user=user, writer=writer)
        return Outcome(adoption, release, created=True, new_version=new_version)


def _adopt(received: package.Package, release: Release, *, region, user, writer: Writer):
    origin = ProgramPage.objects.filter(translation_key=received.uid).first()
    if origin is not None and origin.region_id == region.pk:
        raise Refused(_("This programme is already the region's own."))
    content, pages = received.content, received.content["pages"]
    index = _program_index()
    root = pages[0]
    slug = str(root["data"].get("slug", ""))
    title = str(root["data"].get("title", ""))
    attrs = {"region": region}
    if index.get_children().filter(slug=slug).exists():
        attrs |= {"slug": f"{slug}-{region.code}"[:255], "title": f"{title} — {region.name}"[:255]}

    create_file_objects(content, received.files, writer)
    create_banks(content, writer, region)
    copy = create_page(root, index, writer, user=user, root_attrs=attrs)
    writer.adoption = Adoption.objects.create(
        programme=copy,
        region=region,
        origin_uid=received.uid,
        origin_title=title[:255],
        origin_region=release.origin_region,
        origin_page=origin,
        adopted=release,
        created_by=user,
    )
    created = {root["uid"]: copy}
    for entry in pages[1:]:
        parent = created.get(entry["parent"])
        if parent is None:
            raise Refused(_("The package's pages are not in the order of their tree."))
        created[entry["uid"]] = create_page(entry, parent, writer, user=user)
    entries = {entry["uid"]: entry for entry in pages}
    origins = []
    for uid, page in created.items():
        if page._replication_pending:
            page = fix_page_links(page, entries[uid], writer)
        page.save_revision(user=user, log_action=ADOPT_ACTION, clean=False)
        origins.append(
            PageOrigin(
                adoption=writer.adoption,
                page=page,
                origin_uid=uid,
                release=release,
                fingerprint=fingerprint(page.get_latest_revision_as_object()),
            )
        )
    PageOrigin.objects.bulk_create(origins)
    _copy_template(content.get("certificate_template"), copy, writer)
    writer.flush()
    return writer.adoption


def _copy_template(data, copy: ProgramPage, writer: Writer) -> None:
    """The certificate's design and texts; who issues it (organisation, licence, signatories)
    is the region's to enter before its first certificate."""
    if not data:
        return
    incoming = Incoming(writer.table)
    incoming.where = str(_("certificate template"))
    fields = incoming.fields(CertificateTemplate, data)
    template = CertificateTemplate(
        program=copy,
        **{
            (field.attname if field.remote_field else field.name): fields[field.name]
            for field in carried_fields(CertificateTemplate)
            if field.name in fields
        },
    )
    try:
        template.full_clean(exclude=["organisation"])
    except ValidationError as error:
        raise Refused(
            _("The certificate template cannot be taken: %(error)s") % {"error": _error_text(error)}
        ) from None
    template.save()


def read_upload(upload) -> bytes:
    """An uploaded package's bytes, refused if larger than the site accepts."""
    if upload.size > package.max_bytes():
        raise Refused(_("The package is larger than this site accepts."))
    buffer = io.BytesIO()
    for chunk in upload.chunks():
        buffer.write(chunk)
    return buffer.getvalue()
