from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = _("Regions and people")
    default_auto_field = "django.db.models.BigAutoField"


class SchoolWagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the region and patronymic every user of the school has."""

    user_viewset = "accounts.viewsets.SchoolUserViewSet"
