"""What the replication kit remembers: the versions of programmes it has seen (releases), the
copies regions have adopted, where each page of a copy came from, and what people chose to do
with each change of the origin."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import private_storage


class Release(models.Model):
    """One version of a programme as a package: exported here, taken when an adopted programme
    of this site is published, or imported from another installation.

    `content` is the package's content.json; `page_hashes` maps each page's uid to the digest of
    its content, so that what changed between two versions is a comparison of digests.
    """

    programme_uid = models.UUIDField(_("programme"), db_index=True)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    origin_region = models.CharField(_("region of origin"), max_length=200, blank=True)
    origin_page = models.ForeignKey(
        "courses.ProgramPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="releases",
        verbose_name=_("programme on this site"),
    )
    derived_from = models.JSONField(_("adapted from"), null=True, blank=True)
    sha256 = models.CharField(_("digest of the content"), max_length=64)
    content = models.JSONField(_("content"))
    page_hashes = models.JSONField(_("digests of the pages"))
    package = models.FileField(_("package"), upload_to="releases/", storage=private_storage)
    published_at = models.DateTimeField(_("published at"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["programme_uid", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_uid", "version"], name="replication_one_release_per_version"
            )
        ]
        permissions = [
            ("export_programme", _("Can export a programme as a package")),
            ("adopt_programme", _("Can adopt a programme for their region")),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def page(self, uid: str) -> dict | None:
        return next((entry for entry in self.content["pages"] if entry["uid"] == uid), None)


class Adoption(models.Model):
    """A region's copy of another programme, and the link to where it came from."""

    programme = models.OneToOneField(
        "courses.ProgramPage",
        on_delete=models.CASCADE,
        related_name="adoption",
        verbose_name=_("copy"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    origin_uid = models.UUIDField(_("origin"))
    origin_title = models.CharField(_("origin's title"), max_length=255)
    origin_region = models.CharField(_("origin's region"), max_length=200, blank=True)
    origin_page = models.ForeignKey(
        "courses.ProgramPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("origin on this site"),
    )
    adopted = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="+", verbose_name=_("version adopted")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopted by"),
    )
    created_at = models.DateTimeField(_("adopted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["origin_title", "region__name"]
        constraints = [
            # Importing the same programme again for the same region makes no second copy.
            models.UniqueConstraint(
                fields=["origin_uid", "region"], name="replication_one_copy_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin_title} → {self.region.name}"

    def releases(self):
        return Release.objects.filter(programme_uid=self.origin_uid)

    def latest(self) -> Release:
        return self.releases().order_by("-version").first() or self.adopted


class PageOrigin(models.Model):
    """A page of a copy and the origin page it came from.

    `release` is the origin's version this page is based on (the one adopted, or the one whose
    change was last applied here); `fingerprint` is the digest of the page as it was then
    written, so that a page whose latest draft has another digest has been changed here."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="pages")
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="replication_origin"
    )
    origin_uid = models.UUIDField()
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "origin_uid"], name="replication_one_page_per_origin_page"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_id} ← {self.origin_uid}"


class ImportedObject(models.Model):
    """Which object of this site stands for an object of the origin in one copy: a document, an
    image, a question bank, a question, a case task. Updates reuse it, so that a trainee's
    answer to a task keeps pointing at the same task."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="imported")
    uid = models.UUIDField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "uid"], name="replication_one_object_per_uid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.uid} → {self.content_type_id}:{self.object_id}"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Page added")
    CHANGED = "changed", _("Page changed")
    REMOVED = "removed", _("Page removed")


class Decision(models.Model):
    """What a person of the adopting region chose for one change of the origin.

    A change is one page's version at the origin (`page_hash`, empty for a removal): deciding
    on it takes it off the list until the origin changes that page again."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Sent for approval")
        APPLIED = "applied", _("Applied")
        DECLINED = "declined", _("Declined")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="decisions")
    origin_uid = models.UUIDField()
    page_hash = models.CharField(max_length=64, blank=True)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    action = models.CharField(_("decision"), max_length=16, choices=Action.choices)
    title = models.CharField(_("page"), max_length=255)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision on a change")
        verbose_name_plural = _("decisions on changes")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            # Two people clicking «apply» at once: one decision, the other is told.
            models.UniqueConstraint(
                fields=["adoption", "origin_uid", "page_hash"], name="replication_decided_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.get_action_display()}"
