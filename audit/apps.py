from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who viewed or changed a trainee's personal data, grades, attendance, enrolment or
    certificates, when and from where (django-auditlog's entries, kept append-only)."""

    name = "audit"
    label = "audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import registration

        registration.register()
