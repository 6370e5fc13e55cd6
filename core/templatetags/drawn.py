"""`{% drawn key %}…{% enddrawn %}`: the part between kept under `key` (`core.freshness`).

`key` comes from `core.freshness.drawing_key`; when it is empty the part is drawn afresh, as if
the tag were not there.
"""

from django import template

from core.freshness import drawings

register = template.Library()


class DrawnNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        kept = drawings().get(key)
        if kept is None:
            kept = self.nodelist.render(context)
            drawings().set(key, kept)
        return kept


@register.tag
def drawn(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% drawn %} takes one argument: the key")
    nodelist = parser.parse(("enddrawn",))
    parser.delete_first_token()
    return DrawnNode(nodelist, parser.compile_filter(bits[1]))
