from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A subject of the Russian Federation running a school; `code` is its official number."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.CharField(
        _("code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{2,3}$", _("A region code is two or three digits."))],
        help_text=_("The region's official code, such as 68 for the Tambov region."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        permissions = [
            ("view_regional_reports", _("Can follow the cohorts of their own region")),
            ("view_all_regions", _("Can follow and compare all regions")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SchoolUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` asks for a region id; scripts may omit it and get the first region.
        if "region" not in extra_fields and "region_id" not in extra_fields:
            extra_fields["region"] = Region.objects.order_by("pk").first()
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Everyone who signs in: trainees, instructors, officials and administrators.

    Every user belongs to a region; what they may see is scoped from it (and from their cohorts).
    """

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="users", verbose_name=_("region")
    )
    # Only what the school needs to reach and certify a coordinator; nothing more is collected.
    phone = models.CharField(
        _("phone"), max_length=16, blank=True, help_text=_("In the form +7XXXXXXXXXX.")
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    data_consent = models.BooleanField(_("consent to personal data processing"), default=False)
    data_consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    email_notifications = models.BooleanField(_("send notifications by e-mail"), default=True)
    # Set once the person has shown that the address is theirs: by following a link sent to it (an
    # invitation, a password link, or the link confirming a change). Imports match people only on
    # a confirmed address, so that nobody can take someone else's place in a cohort in advance.
    email_confirmed = models.BooleanField(_("e-mail confirmed"), default=False)
    # An address the person asked to move to; it replaces `email` only when the link sent to it is
    # followed (accounts.services), and until then the old address keeps receiving everything.
    pending_email = models.EmailField(_("new e-mail awaiting confirmation"), blank=True)
    # Optional, given by the person with consent, and used only for the report to the federal
    # register of education documents (ФИС ФРДО, certificates.frdo): shown nowhere else.
    snils = models.CharField(
        _("SNILS"),
        max_length=11,
        blank=True,
        help_text=_("11 digits; shown as 123-456-789 01."),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)

    objects = SchoolUserManager()
    REQUIRED_FIELDS = ["email", "region"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def full_name(self) -> str:
        parts = [self.last_name, self.first_name, self.patronymic]
        return " ".join(part for part in parts if part) or self.username

    def get_full_name(self) -> str:
        return self.full_name

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the role groups the user is in (one query, cached on the instance)."""
        return frozenset(self.groups.values_list("name", flat=True))
