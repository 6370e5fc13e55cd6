"""What a copy's region sees of its origin: the pages it changed itself, the origin's changes it
has not decided on yet, and the taking of one change at a time.

A change is one page of the origin's latest version compared with the version the copy's page is
based on (`PageOrigin.release`): *added* (a page the copy never had), *changed* (another digest),
*removed* (gone from the origin while the copy still shows it). Applying a change writes a new
draft revision of the copy's page and sends it to the page's approval workflow; nothing is
published by the kit, and a change nobody chooses never reaches the copy.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.compare import diff_text
from wagtail.models import Page, Revision

from assessments.models import Question

from .importing import (
    Writer,
    child_pks,
    create_banks,
    create_file_objects,
    create_page,
    page_model,
    remember_children,
    update_banks,
    update_file_objects,
)
from .models import Adoption, ChangeKind, Decision, PageOrigin, Release
from .package import read as read_package
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
    references,
)

APPLY_ACTION = "replication.apply"


@dataclass
class Change:
    kind: str
    uid: str
    title: str
    release: Release
    page_hash: str
    page: Page | None = None  # the copy's page (changed, removed)
    origin: PageOrigin | None = None
    changed_here: bool = False

    @property
    def label(self) -> str:
        return ChangeKind(self.kind).label


def latest_versions(pages) -> dict[int, Page]:
    """The latest draft of each page, as an object, in a few queries whatever their number
    (built from the revision alone: nothing of the tree is looked up)."""
    pages = list(pages)
    models = {page.pk: page.specific_class for page in pages}
    revisions = Revision.objects.filter(pk__in=[page.latest_revision_id for page in pages])
    versions = {}
    for revision in revisions.only("object_id", "content"):
        model = models.get(int(revision.object_id))
        if model is not None:
            versions[int(revision.object_id)] = model.from_serializable_data(
                revision.content, check_fks=False
            )
    missing = [page.pk for page in pages if page.pk not in versions]
    versions |= {page.pk: page for page in Page.objects.filter(pk__in=missing).specific()}
    return versions


def adapted(adoption: Adoption) -> dict[int, bool]:
    """For each page of the copy that came from the origin: has the region changed it since it
    was adopted (or since it last took the origin's change)?"""
    return adapted_pages(list(adoption.pages.select_related("page")))


def adapted_pages(origins: list[PageOrigin]) -> dict[int, bool]:
    if not origins:
        return {}
    versions = latest_versions(origin.page for origin in origins)
    return {
        origin.page_id: fingerprint(versions[origin.page_id]) != origin.fingerprint
        for origin in origins
    }


def waiting(
    latest: dict[str, str], origins: list[PageOrigin], based_on: dict[int, dict], decided, adopted
) -> list[tuple[str, str, str, PageOrigin | None]]:
    """(kind, page uid, digest, the copy's page) of each change not decided on: `latest` maps the
    origin's pages to their digests now, `based_on` a release's id to its digests, `decided`
    holds (uid, digest) pairs already decided, `adopted` the uids of the version adopted."""
    by_uid = {str(origin.origin_uid): origin for origin in origins}
    found = []
    for uid, digest in latest.items():
        if (uid, digest) in decided:
            continue
        origin = by_uid.get(uid)
        if origin is None:
            if uid not in adopted:  # a page the region removed from its copy stays removed
                found.append((ChangeKind.ADDED, uid, digest, None))
        elif based_on[origin.release_id].get(uid) != digest:
            found.append((ChangeKind.CHANGED, uid, digest, origin))
    for uid, origin in by_uid.items():
        # Gone from the origin while the copy still has it: live, or a draft never published
        # (a page the region has unpublished has followed the origin already).
        shown = origin.page.live or origin.page.first_published_at is None
        if uid not in latest and shown and (uid, "") not in decided:
            found.append((ChangeKind.REMOVED, uid, "", origin))
    return found


def changes(adoption: Adoption, *, here: dict[int, bool] | None = None) -> list[Change]:
    """The origin's changes this copy has not decided on, in the order of the origin's tree."""
    latest = adoption.latest()
    origins = list(adoption.pages.select_related("page", "release"))
    decided = {
        (str(uid), digest)
        for uid, digest in adoption.decisions.values_list("origin_uid", "page_hash")
    }
    based_on = {origin.release_id: origin.release.page_hashes for origin in origins}
    order = {entry["uid"]: number for number, entry in enumerate(latest.content["pages"])}
    found = []
    for kind, uid, digest, origin in waiting(
        latest.page_hashes, origins, based_on, decided, set(adoption.adopted.page_hashes)
    ):
        entry = latest.page(uid)
        title = entry["data"].get("title", "") if entry else origin.page.title
        found.append(
            Change(
                kind,
                uid,
                title,
                latest,
                digest,
                page=origin.page if origin else None,
                origin=origin,
                changed_here=bool(origin and here and here.get(origin.page_id)),
            )
        )
    return sorted(found, key=lambda change: order.get(change.uid, len(order)))


def change_of(adoption: Adoption, uid: str) -> Change:
    for change in changes(adoption):
        if change.uid == uid:
            return change
    raise Refused(
        _(
            "This change is no longer waiting: someone has decided on it, or the origin has "
            "changed again."
        )
    )


# Readable text of a page, for the diff.


def _names(release: Release) -> dict[str, str]:
    names = {entry["uid"]: entry["data"].get("title", "") for entry in release.content["pages"]}
    for key in ("banks", "documents", "images"):
        names |= {entry["uid"]: entry.get("title", "") for entry in release.content.get(key, [])}
    return names


def _plain(value) -> str:
    """Rich text as words: paragraphs and items apart, tags gone."""
    return html.unescape(strip_tags(re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", " ", str(value)))).strip()


def _text(field, value, names: dict[str, str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict) and "$ref" in value:
        return names.get(str(value.get("uid")), "…")
    if isinstance(value, list | dict):
        parts = []

        def collect(item, key=None):
            if isinstance(item, dict):
                if "$ref" in item:
                    parts.append(names.get(str(item.get("uid")), "…"))
                    return
                for name, inner in item.items():
                    if name not in ("id", "type"):
                        collect(inner, name)
            elif isinstance(item, list):
                for inner in item:
                    collect(inner)
            elif item not in (None, ""):
                parts.append(_plain(item))

        collect(value)
        return " · ".join(part for part in parts if part.strip())
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _plain(value)


def readable(entry: dict, names: dict[str, str], used: dict | None = None) -> list[tuple[str, str]]:
    """A page of a package as (label, text) rows: its fields, its child rows, the questions of
    the banks it draws on and the files it shows (`used`: the package's banks, documents and
    images by uid)."""
    model = apps.get_model(entry["type"])
    data = entry["data"]
    rows = [
        (capfirst(str(field.verbose_name)), _text(field, data.get(field.name), names))
        for field in carried_fields(model)
    ]
    for name, child_model in child_relations(model):
        fields = [field for field in carried_fields(child_model) if field.name != "sort_order"]
        for number, row in enumerate(data.get(name, []), start=1):
            text = " — ".join(
                part for field in fields if (part := _text(field, row.get(field.name), names))
            )
            rows.append((f"{capfirst(str(child_model._meta.verbose_name))} {number}", text))
    fields = [field for field in carried_fields(Question) if field.name != "bank"]
    for uid in sorted(uid for label, uid in references(data) if label == BANK):
        bank = (used or {}).get(uid) or {}
        for number, question in enumerate(bank.get("questions", []), start=1):
            parts = [_text(field, question.get(field.name), names) for field in fields]
            parts += [
                ("✓ " if option.get("is_correct") else "")
                + str(option.get("text", ""))
                + (f" → {option['match_text']}" if option.get("match_text") else "")
                for option in question.get("options", [])
            ]
            label = (
                f"{bank.get('title', '')}: {capfirst(str(Question._meta.verbose_name))} {number}"
            )
            rows.append((label, " — ".join(part for part in parts if part)))
    for label, uid in sorted(references(data)):
        found = (used or {}).get(uid) or {}
        if label in (document_label(), image_label()) and found:
            # A replaced file shows as another name or digest.
            digest = str(found.get("file", ""))[6:18]
            rows.append((f"«{found.get('title', '')}»", f"{found.get('name', '')} · {digest}"))
    return rows


def _used_of(release: Release) -> dict[str, dict]:
    """The banks, documents and images of a release, by uid."""
    content = release.content
    return {
        entry["uid"]: entry
        for key in ("banks", "documents", "images")
        for entry in content.get(key, [])
    }


@dataclass
class FieldDiff:
    label: str
    html: str


def diff(
    before: dict | None, after: dict, names: dict[str, str], used_before=None, used_after=None
) -> list[FieldDiff]:
    """What differs between two versions of a page, field by field, as Wagtail's compare view
    shows it (escaped, additions and deletions marked)."""
    old = dict(readable(before, names, used_before)) if before else {}
    new = readable(after, names, used_after)
    labels = [label for label, _text in new] + [label for label in old if label not in dict(new)]
    new = dict(new)
    return [
        FieldDiff(label, diff_text(old.get(label, ""), new.get(label, "")).to_html())
        for label in labels
        if old.get(label, "") != new.get(label, "")
    ]


def change_diff(change: Change) -> list[FieldDiff]:
    """The origin's change: its page as the copy's page is based on, against its latest."""
    entry = change.release.page(change.uid)
    if change.kind == ChangeKind.REMOVED or entry is None:
        return []
    names = _names(change.release)
    before = change.origin.release.page(change.uid) if change.origin else None
    if before is not None:
        names = _names(change.origin.release) | names
        return diff(before, entry, names, _used_of(change.origin.release), _used_of(change.release))
    return diff(None, entry, names, None, _used_of(change.release))


# Deciding.


def _decide(change: Change, adoption: Adoption, action: str, *, user, page=None, revision=None):
    try:
        with transaction.atomic():
            return Decision.objects.create(
                adoption=adoption,
                origin_uid=change.uid,
                page_hash=change.page_hash,
                release=change.release,
                kind=change.kind,
                action=action,
                title=change.title[:255],
                page=page,
                revision=revision,
                decided_by=user,
            )
    except IntegrityError:
        raise Refused(_("Someone has just decided on this change.")) from None


def decline(adoption: Adoption, uid: str, *, user) -> Decision:
    change = change_of(adoption, uid)
    return _decide(change, adoption, Decision.Action.DECLINED, user=user, page=change.page)


def apply(adoption: Adoption, uid: str, *, user) -> Decision:
    """Take one change of the origin into the copy as a draft sent for approval.

    A removal is not applied here: the region unpublishes the page in Wagtail (where its own
    checks run) or declines the change."""
    writer = Writer()
    try:
        with transaction.atomic():
            # One change at a time per copy: two people taking changes wait for each other.
            adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
            change = change_of(adoption, uid)
            if change.kind == ChangeKind.REMOVED:
                raise Refused(
                    _("A page removed at the origin is unpublished in the copy's page editor.")
                )
            writer = Writer.for_adoption(adoption)
            entry = change.release.page(uid)
            wanted = {(label, ref) for label, ref in references(entry) if label != PAGE}
            # What the copy has already (banks, documents, images) is brought to the origin's
            # version; what it lacks is made.
            present = {ref for label, ref in wanted if (label, ref) in writer.table}
            content = change.release.content
            files = {}
            if any(label in (document_label(), image_label()) for label, _ref in wanted):
                with change.release.package.open("rb") as handle:
                    files = read_package(handle.read()).files  # only a file needs the archive
            uids = {ref for _label, ref in wanted}
            create_file_objects(content, files, writer, uids)
            update_file_objects(content, files, writer, present)
            create_banks(content, writer, adoption.region, uids)
            update_banks(content, writer, present)
            if change.kind == ChangeKind.ADDED:
                page, revision = _add(change, entry, adoption, writer, user=user)
            else:
                page, revision = _change(change, entry, adoption, writer, user=user)
            writer.flush()
            decision = _decide(
                change, adoption, Decision.Action.SUBMITTED, user=user, page=page, revision=revision
            )
            _send_for_approval(page, user)
            return decision
    except BaseException:
        writer.discard_files()
        raise


def _change(change: Change, entry: dict, adoption: Adoption, writer: Writer, *, user):
    page = change.page.specific
    if page.workflow_in_progress:
        raise Refused(
            _("«%(page)s» is being approved: finish or cancel that first.") % {"page": page.title}
        )
    model = page_model(entry)
    if type(page) is not model:
        raise Refused(_("The page has become of another type at the origin; add it anew."))
    current = page.get_latest_revision_as_object()
    incoming = Incoming(writer.table)
    incoming.where = page.title
    data = incoming.page_data(model, entry["data"], child_pks=child_pks(page, entry, writer))
    if incoming.pending_pages:
        raise Refused(
            _("The page links to a page your copy does not have yet: take that one first.")
        )
    data.pop("slug", None)  # the copy's address stays
    version = page.with_content_json({**current.serializable_data(), **data})
    try:
        revision = version.save_revision(user=user, log_action=APPLY_ACTION)
    except ValidationError as error:
        raise Refused(
            _("The change cannot be taken: %(error)s") % {"error": "; ".join(error.messages)}
        ) from None
    change.origin.release = change.release
    change.origin.fingerprint = fingerprint(version)
    change.origin.save(update_fields=["release", "fingerprint"])
    return page, revision


def _add(change: Change, entry: dict, adoption: Adoption, writer: Writer, *, user):
    parent_id = writer.table.get((PAGE, str(entry["parent"])))
    parent = Page.objects.filter(pk=parent_id).first() if parent_id else None
    if parent is None:
        raise Refused(_("The page's place (its module) is not in your copy: take that one first."))
    page = create_page(entry, parent, writer, user=user)
    if page._replication_pending:
        raise Refused(
            _("The page links to a page your copy does not have yet: take that one first.")
        )
    revision = page.save_revision(user=user, log_action=APPLY_ACTION, clean=False)
    PageOrigin.objects.create(
        adoption=adoption,
        page=page,
        origin_uid=change.uid,
        release=change.release,
        fingerprint=fingerprint(page.get_latest_revision_as_object()),
    )
    return page, revision


def _send_for_approval(page: Page, user) -> None:
    """Into the page's own approval workflow, as «Submit for moderation» does in the editor."""
    workflow = page.get_workflow()
    if workflow is not None and not page.workflow_in_progress:
        workflow.start(page, user)


def remember_published_children(decision: Decision) -> None:
    """Child rows created when an applied change is published get their origin's uid, so that
    the next change of the same page updates them rather than replacing them."""
    if decision.page_id is None:
        return
    page = decision.page.specific
    entry = decision.release.page(str(decision.origin_uid))
    if entry is None:
        return
    writer = Writer.for_adoption(decision.adoption)
    remember_children(page, entry, writer)
    writer.flush()
