"""System checks of the project's own settings (run by `check`, `migrate`, `runserver`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from .links import public_url_problem


@register()
def public_url_check(app_configs=None, **kwargs) -> list[Error]:
    """Production refuses to start without a real public address for the links it sends."""
    problem = public_url_problem(getattr(settings, "PUBLIC_URL", ""), debug=settings.DEBUG)
    if problem is None:
        return []
    return [Error(problem, hint="Set the PUBLIC_URL environment variable.", id="lms.E001")]
