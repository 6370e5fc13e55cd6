from django import template

from courses import progress
from courses.curriculum import format_hours

register = template.Library()


@register.filter
def hours(value) -> str:
    """Academic hours as people write them: 12, 4,5."""
    if value in (None, ""):
        return ""
    return format_hours(value)


@register.simple_tag
def activity_neighbours(page):
    """The previous and next activities of `page`, for `includes/activity_nav.html`."""
    return progress.activity_neighbours(activity=page)
