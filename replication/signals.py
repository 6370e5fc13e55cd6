"""When an adopted programme of this site is published, its copies learn of the new version; when
a change a region applied is published in the copy, it is recorded as applied."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from courses.models import CurriculumPage

from .models import Adoption, Decision
from .updates import remember_published_children


def _program_of(page):
    page = page.specific
    return page.program if isinstance(page, CurriculumPage) else None


@receiver(page_published)
@receiver(page_unpublished)
def origin_changed(sender, instance, **kwargs):
    program = _program_of(instance)
    if program is None or not Adoption.objects.filter(origin_page=program).exists():
        return
    from .tasks import take_release

    transaction.on_commit(lambda: take_release.enqueue(program.pk))


@receiver(page_published)
def change_published(sender, instance, revision=None, **kwargs):
    if revision is None:
        return
    decisions = Decision.objects.filter(revision=revision, action=Decision.Action.SUBMITTED)
    for decision in decisions.select_related("adoption", "release"):
        remember_published_children(decision)
    decisions.update(action=Decision.Action.APPLIED)
