from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's rights over their data (152-ФЗ): seeing everything held about them, an
    archive of it, erasure at their request; and the removal of copies kept past their time.

    The top layer: it reads every app's data about a person, and the audit trail."""

    name = "privacy"
    label = "privacy"
    verbose_name = _("Personal data")
    default_auto_field = "django.db.models.BigAutoField"
