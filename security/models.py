"""What the sign-in security features keep: recent password-reset requests, for their limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import freshness


class PasswordResetRequest(freshness.NotShown, models.Model):
    """One accepted request for a password-reset link, kept only as long as its limit window.

    The e-mail is stored as a keyed digest: the limit needs to recognise the address, not read it,
    and unknown addresses typed by strangers are nobody's business.
    """

    email_digest = models.CharField(_("e-mail digest"), max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), db_index=True)

    class Meta:
        verbose_name = _("password-reset request")
        verbose_name_plural = _("password-reset requests")

    def __str__(self) -> str:
        return f"{self.ip_address} {self.requested_at:%Y-%m-%d %H:%M}"
