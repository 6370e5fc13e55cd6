"""Who may open a document of the library, and what of MEDIA_ROOT is public.

`document_visible_to` is the one rule: the `before_serve_document` hook asks it for every
download. Documents are served only through Wagtail's view (WAGTAILDOCS_SERVE_METHOD =
"serve_view"), never as files under MEDIA_URL: `public_media_urlpatterns` serves only images.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.urls import URLPattern, re_path
from django.views.static import serve
from wagtail.documents import get_document_model
from wagtail.models import BaseViewRestriction, Page, ReferenceIndex
from wagtail.permissions import policy_registry

from courses.models import CaseStudyAttachment, ProgramPage
from courses.selectors import programs_visible_to
from schedule.selectors import sessions_visible_to

# The collection a data migration creates, restricted to the instructors' and administrators'
# groups: discussion material that trainees and officials never receive.
INSTRUCTOR_ONLY_COLLECTION = "Только для преподавателей"

# Fields of a page that are never shown to trainees: a link from there hands out nothing.
HIDDEN_FIELDS = ("discussion_guide",)


def _restricted_from(user, document) -> bool:
    """A collection restricted to groups (the instructors' one): only their members."""
    for restriction in document.collection.get_view_restrictions().prefetch_related("groups"):
        if restriction.restriction_type != BaseViewRestriction.GROUPS or user.is_superuser:
            continue
        if not set(restriction.groups.all()) & set(user.groups.all()):
            return True
    return False


def _is_author(user, document) -> bool:
    """Those who may choose or change it in the admin (instructors, administrators)."""
    policy = policy_registry.get_by_type(get_document_model())
    return policy.user_has_any_permission_for_instance(user, ["change", "choose"], document)


def _pages_handing_out(document):
    """Live pages that show the document to their readers.

    Case-study attachments are read from their own table (current as soon as the page is
    published); document blocks in a page's body from Wagtail's reference index (the admin's
    «Использование»), which records what each page holds as published.
    """
    references = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", "model_path")
    )
    in_blocks = [
        int(object_id)
        for object_id, model_path in references
        if not model_path.startswith(HIDDEN_FIELDS)
    ]
    attached = CaseStudyAttachment.objects.filter(document=document).values("page_id")
    return Page.objects.live().filter(Q(pk__in=attached) | Q(pk__in=in_blocks))


def _opens_a_page_handing_out(user, document) -> bool:
    pages = list(_pages_handing_out(document).values_list("path", flat=True))
    if not pages:
        return False
    programs = set(ProgramPage.objects.values_list("path", flat=True))
    visible = set(programs_visible_to(user).values_list("path", flat=True))
    for path in pages:
        owner = next((program for program in programs if path.startswith(program)), None)
        # A page outside every programme (the home page, a general page) is open to all.
        if owner is None or owner in visible:
            return True
    return False


def document_visible_to(user, document) -> bool:
    """Whether `user` may open `document` from the library.

    - Nobody signed out.
    - A document in a collection restricted to groups («Только для преподавателей»): only
      members of those groups (instructors, administrators), wherever it is linked.
    - Authors who may choose or change it in the admin: yes (they attach it to pages).
    - Anyone else only through a place that hands it out and that they may open: a live page of
      a programme they may open (a case study's attachment, a document block in a lesson, a case
      or a programme's description) or a live general page; or the materials of a session of a
      cohort they study in (not withdrawn) or follow (its instructors, the region's officials,
      federal officials, administrators).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if _restricted_from(user, document):
        return False
    if _is_author(user, document):
        return True
    if _opens_a_page_handing_out(user, document):
        return True
    return sessions_visible_to(user).filter(materials=document).exists()


# Folders of MEDIA_ROOT that may be published as plain files: Wagtail's images and renditions.
# Documents (documents/) never are; a production web server should publish these two only.
PUBLIC_MEDIA_FOLDERS = frozenset({"original_images", "images"})


def public_media(request, path: str):
    """A file of a public folder of MEDIA_ROOT, for the development server."""
    # Normalised before the check, so that images/../documents/… is refused too.
    normal = posixpath.normpath(path).lstrip("/")
    if normal.split("/", 1)[0] not in PUBLIC_MEDIA_FOLDERS:
        raise Http404
    return serve(request, normal, document_root=settings.MEDIA_ROOT)


def public_media_urlpatterns() -> list[URLPattern]:
    """What `make run` (DEBUG) serves under MEDIA_URL: images, and nothing of the documents."""
    prefix = settings.MEDIA_URL.strip("/")
    return [re_path(rf"^{prefix}/(?P<path>.+)$", public_media)]
