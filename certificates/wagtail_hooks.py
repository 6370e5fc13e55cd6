"""Certificate templates in the Wagtail admin, under «Удостоверения»: one per programme, with
the texts (placeholders checked when saved), the signatories, the images, and a live preview
of the certificate as it prints, filled with a sample trainee."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CertificateTemplate
from .placeholders import help_text


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_name = "certificates"
    add_to_admin_menu = True
    # Instructors may only look: the inspect page shows them a template without editing it.
    inspect_view_enabled = True
    list_display = ["__str__", "organisation", "kind_rule", "updated_at"]
    list_filter = ["kind_rule"]
    ordering = ["program__title"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("program"),
                FieldPanel("kind_rule"),
                FieldPanel("validity_months"),
            ],
            heading=_("Programme and document"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organisation"),
                FieldPanel("licence"),
                FieldPanel("city"),
            ],
            heading=_("Issuing organisation"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("heading", help_text=help_text(_("Empty prints the kind of document."))),
                FieldPanel(
                    "body", help_text=help_text(_("The paragraph under the holder's name."))
                ),
                FieldPanel("footer", help_text=help_text(_("Small print at the foot."))),
            ],
            heading=_("Text"),
        ),
        FieldRowPanel([FieldPanel("logo"), FieldPanel("background")], heading=_("Images")),
        InlinePanel(
            "signatories",
            min_num=1,
            max_num=3,
            label=_("Signatory"),
            heading=_("Signatories"),
            panels=[FieldPanel("name"), FieldPanel("position")],
        ),
    ]


register_snippet(CertificateTemplateViewSet)
