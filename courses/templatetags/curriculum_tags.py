from django import template

from courses.curriculum import format_hours

register = template.Library()


@register.filter
def hours(value) -> str:
    """Academic hours as people write them: 12, 4,5."""
    if value in (None, ""):
        return ""
    return format_hours(value)
