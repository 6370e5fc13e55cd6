"""The inbox: one row per message to one user, which is also the record of what was sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import freshness


class Notification(models.Model):
    """A message to one user, shown in their inbox on the site (and, if they wish, e-mailed)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # A message a scheduled job sends at most once: what it is about, e.g. kind "session_reminder"
    # and once_key "session:42", or "grading_digest" and "2026-03-05". Empty for other messages.
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    once_key = models.CharField(_("sent once for"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread_idx",
            )
        ]
        constraints = [
            # The database, not a look-up first, makes a job that runs twice (or in two
            # workers at once) send each message once.
            models.UniqueConstraint(
                fields=["recipient", "kind", "once_key"],
                condition=~models.Q(once_key=""),
                name="notifications_sent_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def freshness_scopes(self) -> list[str]:
        return [freshness.trainee(self.recipient_id)]
