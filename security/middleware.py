"""The Content-Security-Policy header: the site's strict policy, and the admin's own under it."""

from __future__ import annotations

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.urls import NoReverseMatch, reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, sending `ADMIN_CONTENT_SECURITY_POLICY` for the Wagtail admin.

    The admin needs what the site must not allow (see the settings); keeping two policies means
    the site's pages never inherit the admin's exceptions. A page rendered for the admin's preview
    keeps the site's policy (so a preview breaks where the live page would), except that the
    editor beside it may frame it. A view's own `@csp_*` decorator still wins over both.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if self._is_admin(request):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        elif getattr(request, "is_dummy", False):
            # Wagtail's preview: the page served through a simulated request, shown in a frame.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts

    @staticmethod
    def _is_admin(request) -> bool:
        try:
            admin_root = reverse("wagtailadmin_home")
        except NoReverseMatch:  # a URLconf without the admin (an error page, a test's own)
            return False
        return request.path_info.startswith(admin_root)
