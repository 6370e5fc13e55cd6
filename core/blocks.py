"""StreamField blocks shared by every page type of the school."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a body of text; level 2 or 3 keeps the outline of the page sound."""

    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"), choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        preview_value = {"text": "Ситуация семьи", "level": "h2"}
        description = _("A heading that splits a long text into sections")


class CalloutBlock(blocks.StructBlock):
    """A highlighted note: a key fact, a rule or a warning the reader must not miss."""

    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Note")), ("warning", _("Warning")), ("success", _("Good practice"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200, required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"
        label = _("Callout")
        preview_value = {"kind": "info", "title": "Важно", "text": "<p>Срок подачи — 30 дней.</p>"}
        description = _("A highlighted note")


class QuoteBlock(blocks.StructBlock):
    """Words of a person in the case: what the family member or specialist actually said."""

    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who says it"), max_length=200, required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")
        preview_value = {"text": "Мне просто не к кому было обратиться.", "attribution": "Мать"}
        description = _("Direct speech of a person in the case")


class DocumentLinkBlock(blocks.StructBlock):
    """A link to a document from the library, with a short note on why to read it."""

    document = DocumentChooserBlock(label=_("Document"))
    note = blocks.CharBlock(label=_("Note"), max_length=255, required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_link_block.html"
        label = _("Document")
        description = _("A link to a document")


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"]


class BodyBlock(blocks.StreamBlock):
    """The body of lessons, case scenarios and general pages."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="blocks/paragraph_block.html",
    )
    callout = CalloutBlock()
    quote = QuoteBlock()
    document = DocumentLinkBlock()


class PersonBlock(blocks.StructBlock):
    """A member of the family (or the person) in a case study."""

    role = blocks.CharBlock(label=_("Who"), max_length=100, help_text=_("For example: mother"))
    name = blocks.CharBlock(label=_("Name"), max_length=100, required=False)
    age = blocks.IntegerBlock(label=_("Age"), min_value=0, max_value=120, required=False)
    situation = blocks.TextBlock(label=_("Situation"), required=False)

    class Meta:
        icon = "user"
        template = "blocks/person_block.html"
        label = _("Person")
        preview_value = {"role": "Супруга", "name": "Ольга", "age": 34, "situation": "Не работает"}
        description = _("A member of the family in the case")
