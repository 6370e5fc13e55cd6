from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import BodyBlock


class HomePage(Page):
    """The school's front page: what the school is, and the way in for its people."""

    lead = RichTextField(_("lead"), features=["bold", "italic", "link"], blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.ProgramIndexPage", "content.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import programs_visible_to

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = programs_visible_to(request.user)
        return context

    def route(self, request, path_components):
        """The page at the end of the address, found by its `url_path` in one query, where
        Wagtail asks for each level's child in turn: an activity six levels down cost twelve
        queries before anything of it was read. The same answer, since no page of ours routes
        the rest of an address itself: the last page must be live, those above it need not."""
        if not path_components:
            return super().route(request, path_components)
        # By the last slug (indexed, unlike `url_path`), then the whole address under this root.
        page = Page.objects.filter(
            slug=path_components[-1],
            depth=self.depth + len(path_components),
            url_path=self.url_path + "/".join(path_components) + "/",
            path__startswith=self.path,
        ).first()
        if page is None:
            raise Http404
        return page.specific.route(request, [])


class StandardPage(Page):
    """A plain page of text: about the school, contacts, rules of study."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
