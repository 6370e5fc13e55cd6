from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.models import Page

from core import freshness
from core.http import safe_return_url

from .curriculum import practice_balance_error


@hooks.register("before_publish_page")
def refuse_publish_below_practice_target(request, page):
    """The draft is already saved as a revision; only going live is refused."""
    error = practice_balance_error(page)
    if not error:
        return None
    if page.live and page.live_revision_id is None:
        # Wagtail's create view adds a page to publish as live before this hook runs:
        # keep it a draft.
        Page.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
        freshness.bump(freshness.SCHOOL)  # an update sends no post_save
    messages.error(request, error)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_unpublish_page")
def refuse_unpublish_below_practice_target(request, page):
    error = practice_balance_error(page, unpublishing=True)
    if error:
        messages.error(request, error)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_publish_below_practice_target(request, action_type, objects, action_class_instance):
    if action_type not in {"publish", "unpublish"}:
        return None
    for page in objects:
        if action_type == "publish":
            # Drafts published together are judged one after another as each goes live
            # (CurriculumPage.publish), so the second of two that break the rule is refused.
            error = practice_balance_error(page.get_latest_revision_as_object())
        else:
            # Unpublishing has no such model check: the selected pages are judged together.
            error = practice_balance_error(page, unpublishing=True, unpublished_with=objects)
        if error:
            messages.error(request, error)
            return redirect(safe_return_url(request, fallback="wagtailadmin_explore_root"))
    return None


@hooks.register("before_delete_page")
def refuse_delete_below_practice_target(request, page):
    """Deleting live practice is unpublishing it for good: the same rule applies."""
    if not page.live:
        return None
    error = practice_balance_error(page, unpublishing=True)
    if error:
        messages.error(request, error)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
