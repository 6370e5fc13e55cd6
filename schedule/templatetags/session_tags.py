"""Sessions where a lower app's page lists them: the coming sessions on "Моё обучение".

Courses may not import the schedule; its home page template asks here instead.
"""

from django import template
from django.utils import timezone

from ..selectors import trainee_sessions

register = template.Library()

UPCOMING = 5


@register.simple_tag
def coming_sessions(user) -> list:
    """`{% coming_sessions user as upcoming %}`: the trainee's next sessions, soonest first."""
    return list(
        trainee_sessions(user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:UPCOMING]
    )
