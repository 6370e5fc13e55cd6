"""Views of the sign-in security features: the throttled password-reset request and the
administrators' list of sign-in lockouts (in the Wagtail admin)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.views import PasswordResetView
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import PermissionPolicyChecker
from wagtail.permission_policies import ModelPermissionPolicy

from .client import client_ip
from .forms import DeferredPasswordResetForm
from .lockouts import current_lockouts, lockout_release
from .throttle import password_reset_allowed

lockout_policy = ModelPermissionPolicy(AccessAttempt)
permission_checker = PermissionPolicyChecker(lockout_policy)


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password-reset request, limited per e-mail and per address (429 beyond)."""

    form_class = DeferredPasswordResetForm

    def form_valid(self, form):
        allowed = password_reset_allowed(
            email=form.cleaned_data["email"], ip_address=client_ip(self.request)
        )
        if not allowed:
            form.add_error(
                None,
                _("Too many requests for a new password. Please try again in an hour."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


@permission_checker.require("view")
def lockout_index(request):
    """Every login and address that may not sign in now, with «Разблокировать» for each."""
    return TemplateResponse(
        request,
        "security/admin/lockout_index.html",
        {
            "lockouts": current_lockouts(),
            "page_title": gettext_lazy("Sign-in lockouts"),
            "header_icon": "lock",
            "can_release": lockout_policy.user_has_permission(request.user, "delete"),
        },
    )


@require_POST
@permission_checker.require("delete")
def lockout_release_view(request, attempt_id: int):
    if lockout_release(attempt_id=attempt_id, released_by=request.user):
        messages.success(request, _("Sign-in is unlocked."))
    else:
        messages.warning(request, _("That lockout had already ended."))
    return redirect("security_lockouts")
