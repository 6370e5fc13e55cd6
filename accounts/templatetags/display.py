"""Template filters for `accounts.display`: `{{ zone|zone_label }}`,
`{{ zone|zone_label:session.starts_at }}` and `«{{ title|inner_quotes }}»`."""

from django import template

from accounts import display

register = template.Library()


@register.filter
def zone_label(name: str, at=None) -> str:
    return display.zone_label(name, at)


@register.filter(is_safe=True)
def inner_quotes(value) -> str:
    return display.inner_quotes(value)
