from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Sign-in lockouts, password-reset limits and the Content-Security-Policy."""

    name = "security"
    label = "security"
    verbose_name = _("Sign-in security")
    default_auto_field = "django.db.models.BigAutoField"
