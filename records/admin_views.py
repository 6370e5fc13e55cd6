"""Admin pages that show the impact of a change on trainees and take the author's confirmation.

A change is confirmed by a POST carrying `confirm-impact=1`; without it nothing goes live.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.admin import messages
from wagtail.models import Page, TaskState

from accounts.display import inner_quotes
from courses.curriculum import practice_balance_error

from .impact import ChangeImpact, change_impact

CONFIRM_FIELD = "confirm-impact"
COMMENT_LIMIT = 2000  # the approval comment carried through the confirmation


def impact_summary(impact: ChangeImpact) -> str:
    """One sentence for a message: how many active trainees of how many cohorts, and completion."""
    trainees = len(impact.trainees)
    text = ngettext(
        "Publishing this version lowers the figures of %(count)s active trainee",
        "Publishing this version lowers the figures of %(count)s active trainees",
        trainees,
    ) % {"count": trainees}
    text += " " + ngettext("in %(count)s cohort.", "in %(count)s cohorts.", len(impact.cohorts)) % {
        "count": len(impact.cohorts)
    }
    if impact.completion_lost:
        text += " " + ngettext(
            "%(count)s trainee who has met every requirement will no longer count as completed.",
            "%(count)s trainees who have met every requirement will no longer count as completed.",
            impact.completion_lost,
        ) % {"count": impact.completion_lost}
    return text


def _render(request, context: dict, *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, "records/admin/confirm_change.html", context, status=status)


def render_publish_confirmation(request, *, page: Page, impact: ChangeImpact, status: int = 200):
    """The draft is saved; this page says what publishing it does and asks to go on."""
    revision = page.get_latest_revision()
    return _render(
        request,
        {
            "page_title": _("Publish anyway?"),
            "header_icon": "warning",
            "impacts": [(page, impact)],
            "action_url": reverse("records_publish_confirm", args=(page.pk,)),
            "hidden": {"revision": revision.pk if revision else ""},
            "button": _("Publish anyway"),
            "back_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
            "draft_saved": True,
        },
        status=status,
    )


def render_repost_confirmation(request, *, pages_impacts, heading: str):
    """Confirm an unpublish, a delete or a bulk action: the same request again, with the flag."""
    hidden = {
        key: value
        for key, value in request.POST.items()
        if key not in {"csrfmiddlewaretoken", CONFIRM_FIELD}
    }
    parent = pages_impacts[0][0].get_parent()
    return _render(
        request,
        {
            "page_title": heading,
            "header_icon": "warning",
            "impacts": pages_impacts,
            "action_url": request.get_full_path(),
            "hidden": hidden,
            "button": heading.rstrip("?"),
            "back_url": reverse("wagtailadmin_explore", args=(parent.pk,)),
        },
    )


@require_http_methods(["GET", "POST"])
def publish_confirm(request: HttpRequest, page_id: int) -> HttpResponse:
    """Publish the page's latest revision once the author has seen what it does to trainees."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    revision = page.get_latest_revision()
    if revision is None:
        return redirect("wagtailadmin_pages:edit", page.pk)
    draft = revision.as_object()
    impact = change_impact(page=draft)
    if request.method == "GET":
        return render_publish_confirmation(request, page=page, impact=impact)
    if str(revision.pk) != request.POST.get("revision", ""):
        # Someone saved a newer version meanwhile: its impact has not been seen yet.
        messages.warning(request, _("A newer version has been saved: check its impact again."))
        return render_publish_confirmation(request, page=page, impact=impact, status=409)
    if request.POST.get(CONFIRM_FIELD) != "1":
        messages.error(request, _("Nothing was published: confirm with «Publish anyway»."))
        return render_publish_confirmation(request, page=page, impact=impact, status=400)
    error = practice_balance_error(draft)
    if error:
        messages.error(request, error)
        return redirect("wagtailadmin_pages:edit", page.pk)
    PublishPageRevisionAction(revision, user=request.user).execute()
    messages.success(
        request, _("«%(title)s» has been published.") % {"title": inner_quotes(draft.title)}
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@require_http_methods(["GET", "POST"])
def approve_confirm(request: HttpRequest, task_state_id: int) -> HttpResponse:
    """Approve a moderation task once the reviewer has seen what the change does to trainees."""
    task_state = get_object_or_404(TaskState, pk=task_state_id).specific
    page = task_state.workflow_state.content_object
    if not isinstance(page, Page):
        raise PermissionDenied
    page = page.specific
    task = task_state.task.specific
    current = page.current_workflow_task_state
    if current is None or current.pk != task_state.pk:
        messages.error(request, _("This version is no longer awaiting your approval."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    if "approve" not in {name for name, _label, _modal in task.get_actions(page, request.user)}:
        raise PermissionDenied
    impact = change_impact(page=task_state.revision.as_object())
    comment = (request.POST.get("comment") or request.GET.get("comment") or "")[:COMMENT_LIMIT]
    context = {
        "page_title": _("Approve anyway?"),
        "header_icon": "warning",
        "impacts": [(page, impact)],
        "action_url": reverse("records_approve_confirm", args=(task_state.pk,)),
        "hidden": {},
        "comment": comment,
        "with_comment": True,
        "button": _("Approve anyway"),
        "back_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
    }
    if request.method == "GET":
        return _render(request, context)
    if request.POST.get(CONFIRM_FIELD) != "1":
        messages.error(request, _("Nothing was approved: confirm with «Approve anyway»."))
        return _render(request, context, status=400)
    task.on_action(task_state, request.user, "approve", comment=comment)
    messages.success(
        request, _("«%(title)s» has been approved.") % {"title": inner_quotes(page.title)}
    )
    return redirect("wagtailadmin_home")
