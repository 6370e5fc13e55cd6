from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    # Two configs live in this module: without `default`, Django would use a bare AppConfig for
    # «accounts», named "Accounts" in every language.
    default = True
    name = "accounts"
    label = "accounts"
    verbose_name = _("Regions and people")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.models import Group

        from .roles import role_label

        # Every place the admin names a group (the roles on a user's form, the users' filter,
        # «Назначить роль», a group's own pages) calls str(group): make it the role's label.
        Group.__str__ = lambda group: role_label(group.name)


class SchoolWagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the region and patronymic every user of the school has, and
    the roles named in the interface's language."""

    user_viewset = "accounts.viewsets.SchoolUserViewSet"
    group_viewset = "accounts.viewsets.SchoolGroupViewSet"
