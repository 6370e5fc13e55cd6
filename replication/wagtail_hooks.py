"""«Тиражирование программ» in the Wagtail admin: export a programme, adopt one, follow a copy."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .access import ADOPT, EXPORT
from .importing import ADOPT_ACTION
from .updates import APPLY_ACTION


@hooks.register("register_log_actions")
def replication_log_actions(actions):
    actions.register_action(ADOPT_ACTION, _("Adopt"), _("Adopted from another region's programme"))
    actions.register_action(APPLY_ACTION, _("Take a change"), _("Change of the origin taken"))


@hooks.register("register_admin_urls")
def replication_urls():
    return [
        path("replication/", admin_views.index, name="replication_index"),
        path("replication/export/<int:pk>/", admin_views.export, name="replication_export"),
        path("replication/copies/<int:pk>/", admin_views.copy, name="replication_copy"),
        path(
            "replication/copies/<int:pk>/changes/<uuid:uid>/<str:action>/",
            admin_views.decide,
            name="replication_decide",
        ),
    ]


class ReplicationMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(EXPORT) or request.user.has_perm(ADOPT)


@hooks.register("register_admin_menu_item")
def replication_menu_item():
    return ReplicationMenuItem(
        _("Programme replication"), reverse("replication_index"), icon_name="copy", order=250
    )


@hooks.register("insert_global_admin_css")
def replication_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/replication-admin.css"))
