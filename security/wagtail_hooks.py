"""The administrators' «Блокировки входа» page in the Wagtail admin's Settings menu."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def lockout_urls():
    return [
        path("sign-in-lockouts/", views.lockout_index, name="security_lockouts"),
        path(
            "sign-in-lockouts/<int:attempt_id>/unlock/",
            views.lockout_release_view,
            name="security_lockout_release",
        ),
    ]


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return views.lockout_policy.user_has_permission(request.user, "view")


@hooks.register("register_settings_menu_item")
def lockouts_menu_item():
    return LockoutsMenuItem(
        _("Sign-in lockouts"), reverse("security_lockouts"), icon_name="lock", order=610
    )
