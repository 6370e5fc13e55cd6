"""A programme's content without database ids: the form a package carries.

Every object a package carries has a uid that stays the same from one export to the next: a page
its `translation_key`; anything else (a case task, a question bank, a document) a uuid5 of its
owner's uid and its number here. A reference is written `{"$ref": label, "uid": …}` (a foreign
key, a chooser block) or `id="uid:…"` (a link in rich text), and turned back into this site's ids
on import. The same walk, with local ids kept, gives a page's fingerprint (`fingerprint`).

Only what describes the programme travels: titles, texts, hours, rubrics, rules, files. Never who
wrote or locked a page, its comments, its revisions, dates that belong to a region's cohorts
(`closes_at`) or who issues the region's certificates (`DROPPED`).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _
from modelcluster.fields import ParentalKey
from modelcluster.models import get_all_child_relations
from wagtail import blocks
from wagtail.blocks.stream_block import BaseStreamBlock
from wagtail.blocks.struct_block import BaseStructBlock
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page

PAGE = "wagtailcore.page"
BANK = "assessments.questionbank"


def document_label() -> str:
    return get_document_model()._meta.label_lower


def image_label() -> str:
    return get_image_model()._meta.label_lower


# Fields of Wagtail's Page that describe the page itself; the rest (tree, owner, locks, dates,
# revisions, locale) belong to the installation.
PAGE_FIELDS = ("title", "slug", "seo_title", "search_description")
# Fields of ours that belong to a region, not to the programme: whose programme it is, when a
# cohort's quiz closes, and who issues the certificates (organisation, licence, city).
DROPPED = frozenset({"region", "closes_at", "organisation", "licence", "city", "updated_at"})
# The apps whose child rows (case tasks, rubric criteria, quiz sections…) a page carries.
CONTENT_APPS = frozenset({"courses", "assessments"})


class Refused(Exception):
    """A package, or a programme being exported, that cannot be carried: the message says why."""


def canonical(value) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def uid_under(owner: str, label: str, pk) -> str:
    return str(uuid.uuid5(uuid.UUID(str(owner)), f"{label}:{pk}"))


def label_of(model) -> str:
    if isinstance(model, str):  # a chooser block may name its model
        model = apps.get_model(model)
    return PAGE if issubclass(model, Page) else model._meta.label_lower


def carried_fields(model) -> list[models.Field]:
    """The fields of a model that a package carries, in a stable order."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.primary_key or isinstance(field, ParentalKey) or field.name in DROPPED:
            continue
        if issubclass(model, Page) and field.model is Page:
            if field.name in PAGE_FIELDS:
                fields.append(field)
            continue
        if field.remote_field is not None and _reference_label(field) is None:
            continue  # a link to something a package does not carry (a page's owner, …)
        fields.append(field)
    return fields


def child_relations(model) -> list[tuple[str, type[models.Model]]]:
    return [
        (relation.get_accessor_name(), relation.related_model)
        for relation in get_all_child_relations(model)
        if relation.related_model._meta.app_label in CONTENT_APPS
    ]


def _reference_label(field) -> str | None:
    label = label_of(field.related_model)
    return label if label in {document_label(), image_label(), BANK} else None


# Links in rich text: <a linktype="page" id="17">, <a linktype="document" id="3">,
# <embed embedtype="image" id="5"/>.
_TAG = re.compile(r"<(?:a|embed)\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(linktype|embedtype|id)="([^"]*)"')


def map_rich_text(html: str, convert: Callable[[str, str], str]) -> str:
    kinds = {"page": PAGE, "document": document_label(), "image": image_label()}

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        attributes = dict(_ATTRIBUTE.findall(tag))
        kind = attributes.get("linktype") or attributes.get("embedtype")
        if kind not in kinds or "id" not in attributes:
            return tag
        new = convert(kinds[kind], attributes["id"])
        return re.sub(r'\bid="[^"]*"', f'id="{new}"', tag, count=1)

    return _TAG.sub(replace, html or "")


def _walk_block(block, value, convert_ref, convert_text):
    """A StreamField value (as JSON) with its references converted, block by block."""
    if isinstance(block, BaseStreamBlock):
        items = []
        for item in value or []:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is None:
                raise Refused(_("A block of an unknown type: %(type)s.") % {"type": item})
            items.append(
                {**item, "value": _walk_block(child, item.get("value"), convert_ref, convert_text)}
            )
        return items
    if isinstance(block, blocks.ListBlock):
        items = []
        for item in value or []:
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                converted = _walk_block(block.child_block, item["value"], convert_ref, convert_text)
                items.append({**item, "value": converted})
            else:
                items.append(_walk_block(block.child_block, item, convert_ref, convert_text))
        return items
    if isinstance(block, BaseStructBlock):
        value = value or {}
        return {
            name: _walk_block(child, value[name], convert_ref, convert_text)
            for name, child in block.child_blocks.items()
            if name in value
        }
    if isinstance(block, blocks.ChooserBlock):
        return None if value in (None, "") else convert_ref(label_of(block.target_model), value)
    if isinstance(block, blocks.RichTextBlock):
        return convert_text(value)
    return value


def _decimal(field: models.DecimalField, value) -> str | None:
    if value in (None, ""):
        return None
    return format(Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places)), "f")


class Outgoing:
    """References met while writing a programme's content: each becomes a uid, and the objects
    behind them are what the package must carry. A link to a page outside the programme is
    refused (`problems`), never dropped."""

    def __init__(self, scope: str, pages: dict[int, str], *, local: bool = False):
        self.scope = scope
        self.pages = pages
        self.local = local  # a fingerprint: ids stay as they are here
        self.objects: dict[str, dict[int, str]] = {}
        self.problems: list[str] = []
        self.where = ""

    def ref(self, label: str, pk) -> dict | None:
        if pk in (None, ""):
            return None
        pk = int(pk)
        if self.local:
            return {"$ref": label, "pk": pk}
        if label == PAGE:
            uid = self.pages.get(pk)
            if uid is None:
                self.problems.append(
                    _("«%(page)s» links to a page outside the programme (page %(id)s).")
                    % {"page": self.where, "id": pk}
                )
            return {"$ref": PAGE, "uid": uid}
        uid = uid_under(self.scope, label, pk)
        self.objects.setdefault(label, {})[pk] = uid
        return {"$ref": label, "uid": uid}

    def rich_text(self, html: str) -> str:
        def convert(label, pk):
            if not str(pk).isdigit():
                return pk
            reference = self.ref(label, pk)
            return f"{label}:{reference['pk']}" if self.local else f"uid:{reference['uid']}"

        return map_rich_text(html, convert)

    def value(self, field, value):
        if isinstance(field, StreamField):
            raw = json.loads(value) if isinstance(value, str) else (value or [])
            return _walk_block(field.stream_block, raw, self.ref, self.rich_text)
        if isinstance(field, RichTextField):
            return self.rich_text(value)
        if field.remote_field is not None:
            return self.ref(_reference_label(field), value)
        if isinstance(field, models.DecimalField):
            return _decimal(field, value)
        return value

    def fields(self, model, data: dict) -> dict:
        return {
            field.name: self.value(field, data.get(field.name)) for field in carried_fields(model)
        }

    def page_data(self, page: Page, uid: str) -> dict:
        """A page's carried fields and child rows, from its `serializable_data()`."""
        self.where = page.title
        model = type(page)
        serialised = page.serializable_data()
        data = self.fields(model, serialised)
        for name, child_model in child_relations(model):
            rows = []
            for child in serialised.get(name, []):
                row = self.fields(child_model, child)
                if not self.local:
                    row["uid"] = uid_under(uid, child_model._meta.label_lower, child["pk"])
                rows.append(row)
            data[name] = rows
        return data


class Incoming:
    """The other way: uids of a package turned into this site's ids through `table`, which
    maps (label, uid) to a primary key. A uid it does not know is refused with the page named."""

    def __init__(self, table: dict[tuple[str, str], int]):
        self.table = table
        self.where = ""
        self.pending_pages = False  # a link to a page not created yet (a second pass fixes it)

    def pk(self, label: str, reference) -> int | None:
        if reference is None:
            return None
        if not isinstance(reference, dict) or reference.get("$ref") != label:
            raise Refused(
                _("«%(page)s» holds a reference this site cannot read.") % {"page": self.where}
            )
        found = self.table.get((label, str(reference.get("uid"))))
        if found is None:
            if label == PAGE and reference.get("uid"):
                self.pending_pages = True
                return None
            raise Refused(
                _("«%(page)s» refers to something the package does not hold.")
                % {"page": self.where}
            )
        return found

    def rich_text(self, html: str) -> str:
        def convert(label, token):
            if not token.startswith("uid:"):
                raise Refused(
                    _("«%(page)s» holds a link this site cannot read.") % {"page": self.where}
                )
            pk = self.pk(label, {"$ref": label, "uid": token[4:]})
            return "" if pk is None else str(pk)

        return map_rich_text(html, convert)

    def value(self, field, value):
        if isinstance(field, StreamField):
            if not isinstance(value, list):
                raise Refused(_("«%(page)s» holds a malformed field.") % {"page": self.where})
            return json.dumps(_walk_block(field.stream_block, value, self.pk, self.rich_text))
        if isinstance(field, RichTextField):
            return self.rich_text(value if isinstance(value, str) else "")
        if field.remote_field is not None:
            return self.pk(_reference_label(field), value)
        return value

    def fields(self, model, data: dict) -> dict:
        if not isinstance(data, dict):
            raise Refused(_("«%(page)s» holds a malformed entry.") % {"page": self.where})
        known = {field.name for field in carried_fields(model)}
        known |= {name for name, _model in child_relations(model)} | {"uid"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise Refused(
                _("«%(page)s» has fields this site does not know: %(fields)s.")
                % {"page": self.where, "fields": ", ".join(unknown)}
            )
        return {
            field.name: self.value(field, data[field.name])
            for field in carried_fields(model)
            if field.name in data
        }

    def page_data(self, model, data: dict, *, child_pks: dict[str, int] | None = None) -> dict:
        """A page's fields and child rows as `from_serializable_data()` takes them; a child row
        whose uid this copy already has keeps its id (a trainee's answer names its task)."""
        result = self.fields(model, data)
        for name, child_model in child_relations(model):
            rows = []
            for row in data.get(name, []):
                pk = (child_pks or {}).get(str(row.get("uid"))) if isinstance(row, dict) else None
                rows.append({"pk": pk, **self.fields(child_model, row)})
            result[name] = rows
        return result


def fingerprint(page: Page) -> str:
    """The digest of a page's content as written here (its latest draft): two versions with the
    same digest show readers the same page."""
    data = Outgoing("", {}, local=True).page_data(page, "")
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def references(value) -> set[tuple[str, str]]:
    """(label, uid) of everything a piece of a package's content refers to."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, dict):
        if "$ref" in value:
            found.add((value["$ref"], str(value.get("uid"))))
        for inner in value.values():
            found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    elif isinstance(value, str) and "uid:" in value:

        def collect(label: str, token: str) -> str:
            found.add((label, token.removeprefix("uid:")))
            return token

        map_rich_text(value, collect)
    return found
