"""The administrators' «Журнал аудита» in the Wagtail admin's Settings menu."""

from auditlog.signals import accessed
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def trail_urls():
    return [
        path("audit/", views.trail_index, name="audit_trail"),
        path("audit/export.<str:fmt>", views.trail_export, name="audit_trail_export"),
    ]


class TrailMenuItem(MenuItem):
    def is_shown(self, request):
        return views.trail_policy.user_has_permission(request.user, "view")


@hooks.register("register_settings_menu_item")
def trail_menu_item():
    return TrailMenuItem(_("Audit trail"), reverse("audit_trail"), icon_name="history", order=620)


@hooks.register("before_edit_user")
def user_seen(request, user):
    """An administrator opening someone's account in the admin sees their personal data."""
    if request.method == "GET":
        accessed.send(type(user), instance=user)
