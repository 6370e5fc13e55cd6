"""«Персональные данные» (Settings): find a person, export their data, erase it; and the
versions of the consent text."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.models import ConsentText

from . import admin_views


@hooks.register("register_admin_urls")
def privacy_urls():
    return [
        path("personal-data/", admin_views.index, name="privacy_index"),
        path("personal-data/<int:pk>/", admin_views.person, name="privacy_person"),
        path("personal-data/<int:pk>/archive.zip", admin_views.export, name="privacy_export"),
    ]


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.EXPORT)


@hooks.register("register_settings_menu_item")
def privacy_menu_item():
    return PrivacyMenuItem(
        _("Personal data"), reverse("privacy_index"), icon_name="user", order=610
    )


class ConsentTextViewSet(SnippetViewSet):
    """A version people have agreed to cannot be edited (`ConsentText.clean`), nor deleted."""

    model = ConsentText
    icon = "doc-full"
    menu_label = _("Consent texts")
    add_to_settings_menu = True
    list_display = ["version", "in_force_from", "purpose"]
    ordering = ["-in_force_from", "-pk"]
    panels = [
        FieldPanel("version"),
        FieldPanel("in_force_from"),
        FieldPanel("purpose"),
        FieldPanel("body"),
    ]


register_snippet(ConsentTextViewSet)
