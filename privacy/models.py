from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """A person's data erased at their request: when, by whom, on which request, and what went.

    The account itself stays, emptied (`accounts.User.erased_at`), so that every figure that
    counted them still does; this row is the school's record that the request was carried out."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure",
        verbose_name=_("person"),
    )
    requested_on = models.DateField(_("request dated"))
    reference = models.CharField(
        _("request number"),
        max_length=100,
        blank=True,
        help_text=_("The registration number of the written request, if it has one."),
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    # How many of each kind of thing were removed or emptied, for the record.
    removed = models.JSONField(_("removed"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at"]
        permissions = [
            ("export_personal_data", _("Can export everything held about a person")),
            ("erase_personal_data", _("Can erase a person's data at their request")),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} {self.erased_at:%Y-%m-%d}"
