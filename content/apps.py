from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _moved(**kwargs):
    from core import freshness

    freshness.bump(freshness.SCHOOL)


class ContentConfig(AppConfig):
    name = "content"
    label = "content"
    verbose_name = _("Site content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import post_page_move

        from core import freshness

        # Every write to our models, Wagtail's pages and files, and the roles, is heard once all
        # apps are loaded (`core.freshness`); a move rewrites the tree without `save()`.
        freshness.connect()
        post_page_move.connect(_moved, dispatch_uid="content:page-moved")
