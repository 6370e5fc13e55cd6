from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplicationConfig(AppConfig):
    """A programme carried from one region to another: packages, adoptions, and the origin's
    improvements that an adopting region chooses to take.

    Above certificates (a package carries the certificate template) and below the site."""

    name = "replication"
    label = "replication"
    verbose_name = _("Replication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (an origin's new release when it publishes)
