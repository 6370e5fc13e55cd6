"""Approvals from the dashboard and the workflow modal wait for the reviewer's confirmation.

Wagtail runs no hook before a workflow action (`wagtailadmin_pages:workflow_action`), and the
approval publishes deep inside the task. When approving would lower active trainees' figures, the
reviewer is sent to the confirmation page first (`records_approve_confirm`), which approves only
with «Утвердить всё равно». The edit view's own «Утвердить» is caught by a hook instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from wagtail.models import TaskState

from .admin_views import COMMENT_LIMIT
from .impact import change_impact


class ApprovalImpactMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method != "POST"
            or match is None
            or match.view_name != "wagtailadmin_pages:workflow_action"
            or view_kwargs.get("action_name") != "approve"
            or not request.user.has_perm("wagtailadmin.access_admin")
        ):
            return None
        task_state = (
            TaskState.objects.filter(pk=view_kwargs.get("task_state_id"))
            .select_related("revision")
            .first()
        )
        if task_state is None or task_state.status != TaskState.STATUS_IN_PROGRESS:
            return None  # Wagtail's own view says what is wrong
        if not change_impact(page=task_state.revision.as_object()):
            return None
        url = reverse("records_approve_confirm", args=(task_state.pk,))
        comment = request.POST.get("comment", "")[:COMMENT_LIMIT]
        if comment:
            url += "?" + urlencode({"comment": comment})
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # The workflow modal follows a redirect it is given as its last step.
            return JsonResponse({"step": "success", "redirect": url})
        return redirect(url)
