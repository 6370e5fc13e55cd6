"""The school's roles, as Django groups, and the permissions each one carries.

`sync_role_groups` takes an app registry so that the data migration (historical models) and
`load_demo` (real models) build the very same groups.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAINEE = "Trainee", _("Trainee")
    INSTRUCTOR = "Instructor", _("Instructor")
    SENIOR_INSTRUCTOR = "Senior instructor", _("Senior instructor")
    REGIONAL_OFFICIAL = "Regional official", _("Regional official")
    FEDERAL_OFFICIAL = "Federal official", _("Federal official")
    ADMINISTRATOR = "Administrator", _("Administrator")


def role_label(name: str) -> str:
    """A group's name as people read it: a role's translated label («Слушатель»), or the name as
    an administrator typed it for a group of their own.

    The role groups keep their English names in the database, since code and migrations look
    them up by name; wherever the admin shows a group, it shows this."""
    return str(Role(name).label) if name in Role.values else name


# Model permissions as "app_label.codename".
_AUTHORING = [
    "wagtailadmin.access_admin",
    "assessments.add_questionbank",
    "assessments.change_questionbank",
    "assessments.view_questionbank",
    "assessments.add_question",
    "assessments.change_question",
    "assessments.view_question",
    "schedule.add_speaker",
    "schedule.change_speaker",
    "schedule.view_speaker",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
]
# Certificate templates say what the organisation issues in its name (its licence, the
# signatories): those who publish programmes (senior instructors) and administrators edit them;
# instructors, who author but do not publish, may look at them and their preview.
_CERTIFICATE_TEMPLATE_VIEW = ["certificates.view_certificatetemplate"]
_CERTIFICATE_TEMPLATE_EDIT = [
    *_CERTIFICATE_TEMPLATE_VIEW,
    "certificates.add_certificatetemplate",
    "certificates.change_certificatetemplate",
]
# Replication: those who publish a region's programme export it as a package, adopt another
# region's for their own, and take the origin's changes into it.
_REPLICATION = ["replication.export_programme", "replication.adopt_programme"]
MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.TRAINEE: [],
    Role.INSTRUCTOR: [*_AUTHORING, *_CERTIFICATE_TEMPLATE_VIEW],
    Role.SENIOR_INSTRUCTOR: [*_AUTHORING, *_CERTIFICATE_TEMPLATE_EDIT, *_REPLICATION],
    Role.REGIONAL_OFFICIAL: ["accounts.view_region", "accounts.view_regional_reports"],
    Role.FEDERAL_OFFICIAL: [
        "accounts.view_region",
        "accounts.view_regional_reports",
        "accounts.view_all_regions",
    ],
    Role.ADMINISTRATOR: [
        *_AUTHORING,
        *_CERTIFICATE_TEMPLATE_EDIT,
        "certificates.delete_certificatetemplate",
        "wagtaildocs.delete_document",
        "wagtailimages.delete_image",
        "assessments.delete_questionbank",
        "assessments.delete_question",
        "accounts.add_region",
        "accounts.change_region",
        "accounts.delete_region",
        "accounts.view_region",
        "accounts.view_regional_reports",
        "accounts.view_all_regions",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.delete_user",
        "accounts.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.view_group",
        # «Блокировки входа»: see who is locked out of signing in, and unlock them.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # «Журнал аудита»: browse and export who viewed or changed personal data.
        "auditlog.view_logentry",
        # «Персональные данные»: a person's archive and erasure; the consent texts' versions.
        "privacy.export_personal_data",
        "privacy.erase_personal_data",
        "accounts.add_consenttext",
        "accounts.change_consenttext",
        "accounts.view_consenttext",
        *_REPLICATION,
    ],
}

# Page permissions granted on the root of the page tree (so they cover every programme).
PAGE_PERMISSIONS: dict[str, list[str]] = {
    Role.INSTRUCTOR: ["add_page", "change_page", "lock_page"],
    Role.SENIOR_INSTRUCTOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    Role.ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "delete_page",
        "bulk_delete_page",
    ],
}
# Collection permissions (documents and images) on the root collection.
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    Role.INSTRUCTOR: ["add_document", "change_document", "choose_document"],
    Role.SENIOR_INSTRUCTOR: ["add_document", "change_document", "choose_document"],
    Role.ADMINISTRATOR: ["add_document", "change_document", "choose_document", "delete_document"],
}


def sync_role_groups(apps) -> None:
    """Create the role groups and (re)grant exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    def permission(app_label: str, codename: str):
        # A permission of an app not migrated yet is granted by that app's own migration,
        # which calls this function again.
        return Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        granted = [permission(*dotted.split(".", 1)) for dotted in MODEL_PERMISSIONS[role]]
        group.permissions.set([perm for perm in granted if perm is not None])
        if root_page is not None:
            for codename in PAGE_PERMISSIONS.get(role, []):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=permission("wagtailcore", codename)
                )
        if root_collection is not None:
            for codename in COLLECTION_PERMISSIONS.get(role, []):
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=permission("wagtaildocs", codename),
                )
