"""Changes to a running programme are confirmed in the admin before they reach trainees.

Every way of making a change live asks first when it would lower active trainees' progress,
grade or completion (`records.impact.change_impact`): publishing from the edit and create views,
approving in the moderation workflow (from the edit view here; from the dashboard and the
workflow modal in `records.middleware`, since Wagtail has no hook there), bulk publishing, and
unpublishing or deleting, one page or in bulk. The author sees the impact per cohort and goes on
only with an explicit «Опубликовать всё равно» (the `confirm-impact` POST flag). Scheduled
publishing is confirmed when it is scheduled; trainees are told when it actually goes live
(`records.signals`).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from core import freshness

from . import admin_views as views
from .impact import change_impact

CONFIRM_FIELD = views.CONFIRM_FIELD


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


@hooks.register("register_admin_urls")
def change_impact_urls():
    return [
        path(
            "records/pages/<int:page_id>/publish/",
            views.publish_confirm,
            name="records_publish_confirm",
        ),
        path(
            "records/tasks/<int:task_state_id>/approve/",
            views.approve_confirm,
            name="records_approve_confirm",
        ),
    ]


@hooks.register("before_publish_page")
def confirm_publish_affecting_trainees(request, page):
    """Registered after the practice rule (courses comes first), so a refused change stops there."""
    match = request.resolver_match
    if match and match.url_name == "add" and page.live and page.live_revision_id is None:
        # Wagtail's create view saves a page to publish as live before this hook runs; until
        # it is really published, it is a draft (so that what trainees have is what is live).
        Page.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
        freshness.bump(freshness.SCHOOL)  # an update sends no post_save
    if _confirmed(request):
        return None
    impact = change_impact(page=page)
    if not impact:
        return None
    return views.render_publish_confirmation(request, page=page, impact=impact)


@hooks.register("before_edit_page")
def confirm_approval_or_warn(request, page):
    """An approval from the edit view is confirmed like a publication; an edit page whose draft
    would lower trainees' figures says so before anyone presses «Опубликовать»."""
    page = page.specific
    if request.method == "POST":
        if (
            request.POST.get("action-workflow-action")
            and request.POST.get("workflow-action-name") == "approve"
            and not _confirmed(request)
            and page.current_workflow_task_state is not None
        ):
            task_state = page.current_workflow_task_state
            impact = change_impact(page=task_state.revision.as_object())
            if impact:
                return redirect(reverse("records_approve_confirm", args=(task_state.pk,)))
        return None
    if page.has_unpublished_changes:
        impact = change_impact(page=page.get_latest_revision_as_object())
        if impact:
            messages.warning(request, views.impact_summary(impact))
    return None


def _repost_confirmation(request, pages_impacts, *, heading: str):
    if not pages_impacts:
        return None
    return views.render_repost_confirmation(request, pages_impacts=pages_impacts, heading=heading)


@hooks.register("before_unpublish_page")
def confirm_unpublish_affecting_trainees(request, page):
    if request.method != "POST" or _confirmed(request):
        return None
    impact = change_impact(page=page, unpublishing=True)
    return _repost_confirmation(
        request, [(page, impact)] if impact else [], heading=_("Unpublish anyway?")
    )


@hooks.register("before_delete_page")
def confirm_delete_affecting_trainees(request, page):
    if request.method != "POST" or _confirmed(request) or not page.live:
        return None
    impact = change_impact(page=page, unpublishing=True)
    return _repost_confirmation(
        request, [(page, impact)] if impact else [], heading=_("Delete anyway?")
    )


@hooks.register("before_bulk_action")
def confirm_bulk_change_affecting_trainees(request, action_type, objects, action_class_instance):
    if action_type not in {"publish", "unpublish", "delete"} or _confirmed(request):
        return None
    pages = [page for page in objects if isinstance(page, Page)]
    impacts = []
    if action_type == "publish":
        drafts = list(pages)
        if request.POST.get("include_descendants"):
            for page in pages:
                drafts += list(page.get_descendants().not_live())
        for page in drafts:
            impact = change_impact(page=page.specific.get_latest_revision_as_object())
            if impact:
                impacts.append((page, impact))
        heading = _("Publish anyway?")
    else:
        live = [page for page in pages if page.live]
        for page in live:
            others = [other for other in live if other.pk != page.pk]
            impact = change_impact(page=page, unpublishing=True, unpublished_with=others)
            if impact:
                impacts.append((page, impact))
                break  # pages going down together are judged together: one impact says it all
        heading = _("Unpublish anyway?") if action_type == "unpublish" else _("Delete anyway?")
    return _repost_confirmation(request, impacts, heading=heading)
