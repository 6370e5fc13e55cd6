"""Notice when a change to a running programme goes live, however it was published.

Wagtail publishes from the edit view, workflow approval, bulk actions and the scheduler
(`publish_scheduled`), not all through `Page.publish`; every one of them saves the page with its
new live revision. Just before that save the database still holds what trainees had, so the
impact is worked out then, and the trainees are told after the transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from wagtail.models import Page

from courses.models import ActivityPage, ModulePage

from .impact import change_impact
from .tasks import notify_programme_change


def _is_publication(page: Page) -> bool:
    """This save makes a new revision live (not a draft save, not a move)."""
    if not page.live or page.pk is None or page.live_revision_id is None:
        return False
    previous = Page.objects.filter(pk=page.pk).values("live", "live_revision_id").first()
    return previous is None or not (
        previous["live"] and previous["live_revision_id"] == page.live_revision_id
    )


@receiver(pre_save, dispatch_uid="records_notify_published_change")
def notify_published_change(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or not isinstance(instance, ActivityPage | ModulePage):
        return
    if not _is_publication(instance):
        return
    impact = change_impact(page=instance)
    if not impact:
        return
    page_id = instance.pk
    trainees = [trainee.as_primitive() for trainee in impact.trainees]
    transaction.on_commit(lambda: notify_programme_change.enqueue(page_id, trainees))
