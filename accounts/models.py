from django.contrib.auth.models import AbstractUser, Group, Permission, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import CharField, Value
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import freshness


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
    # Set when the person's data was erased at their request (privacy.erasure): the account
    # stays, without anything that says who they were, so that every figure still counts them.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    objects = SchoolUserManager()
    REQUIRED_FIELDS = ["email", "region"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return gettext("Erased at their request (#%(number)s)") % {"number": self.pk}
        parts = [self.last_name, self.first_name, self.patronymic]
        return " ".join(part for part in parts if part) or self.username

    def get_full_name(self) -> str:
        return self.full_name

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the role groups the user is in (cached on the instance), read in one query
        with the user's permissions (`_load_access`)."""
        self._load_access()
        return self.__dict__["role_names"]

    def _load_access(self) -> None:
        """The role names and every permission in one query, kept on this instance.

        Every page asks both: the menu's permission checks (Django's ModelBackend would run two
        queries, the user's own permissions and the groups') and the role rules of
        `courses.selectors`. The permissions go where ModelBackend keeps what it loaded
        (`_user_perm_cache`, `_group_perm_cache`, `_perm_cache`), so that it asks no more. A
        superuser's permissions are all there are: ModelBackend reads those itself. Like
        ModelBackend's own, this lives as long as the instance, one request."""
        if "role_names" in self.__dict__:
            return
        # Remembered until their roles or the roles' permissions change (core.freshness): a
        # change of their groups is a write about them, one of a group's permissions the school's.
        roles, group_perms, user_perms = freshness.remembered(
            ("access", self.pk), [freshness.trainee(self.pk)], self._read_access
        )
        self.__dict__["role_names"] = frozenset(roles)
        if not self.is_superuser:
            self._user_perm_cache = user_perms
            self._group_perm_cache = group_perms
            self._perm_cache = user_perms | group_perms

    def _read_access(self) -> tuple[set[str], set[str], set[str]]:
        groups = Group.objects.filter(user=self).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        own = (
            Permission.objects.filter(user=self)
            .annotate(role=Value(None, output_field=CharField()))
            .values_list("role", "content_type__app_label", "codename")
        )
        roles, group_perms, user_perms = set(), set(), set()
        for role, app_label, codename in groups.order_by().union(own.order_by(), all=True):
            if role is not None:
                roles.add(role)
            if codename is not None:
                (group_perms if role is not None else user_perms).add(f"{app_label}.{codename}")
        return roles, group_perms, user_perms

    # Django's permission checks, with the permissions read by `_load_access` (an active
    # superuser's checks are answered before any is read; an inactive user has none).
    def _reads_own_permissions(self, obj=None) -> bool:
        return obj is None and self.is_active and not self.is_superuser

    def has_perm(self, perm, obj=None) -> bool:
        if self._reads_own_permissions(obj):
            self._load_access()
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self._reads_own_permissions():
            self._load_access()
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj=None) -> set[str]:
        if self._reads_own_permissions(obj):
            self._load_access()
        return super().get_all_permissions(obj)

    def freshness_scopes(self) -> list[str]:
        """Their own pages, and the pages of the cohorts they study in or teach, which show
        their name (core.freshness). The relations are the courses app's, read by name."""
        cohorts = {
            *self.enrolments.values_list("cohort_id", flat=True),
            *self.taught_cohorts.values_list("pk", flat=True),
        }
        return [freshness.trainee(self.pk), *(freshness.cohort(pk) for pk in sorted(cohorts))]


class ConsentText(models.Model):
    """A version of the text a person agrees to when they consent to the processing of their
    personal data: what for (`purpose`) and on what terms (`body`).

    A version someone has agreed to is never edited (`clean`): a change is a new version, and
    the profile asks each person who agreed to an older one to read and confirm the new one.
    The current version is the latest in force."""

    version = models.CharField(
        _("version"),
        max_length=20,
        unique=True,
        help_text=_("As printed on the text, for example 2.0."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=500,
        help_text=_("What the data is processed for, in one sentence."),
    )
    body = models.TextField(_("text"))
    in_force_from = models.DateField(_("in force from"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["-in_force_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.version} ({self.in_force_from:%d.%m.%Y})"

    @classmethod
    def current(cls, day=None) -> "ConsentText | None":
        return cls.objects.filter(in_force_from__lte=day or timezone.localdate()).first()

    def clean(self) -> None:
        if self.pk is None or not self.consents.exists():
            return
        stored = ConsentText.objects.get(pk=self.pk)
        if (stored.version, stored.purpose, stored.body) != (self.version, self.purpose, self.body):
            raise ValidationError(
                _(
                    "People have agreed to this version as it stands, so it cannot change: add "
                    "a new version instead."
                )
            )


class Consent(models.Model):
    """One person's consent to one version of the text: when it was given, and withdrawn.

    Never rewritten but for `withdrawn_at`: a person's history of consents is these rows (the
    profile lists them). At most one is in force per person, a database rule."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("consent text"),
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="accounts_one_consent_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text_id} {self.given_at:%Y-%m-%d}"
