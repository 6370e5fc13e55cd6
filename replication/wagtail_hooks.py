"""«Тиражирование» in the Wagtail admin: export a programme, adopt one, follow a copy's origin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .importing import ADOPT_ACTION
from .updates import APPLY_ACTION


@hooks.register("register_log_actions")
def replication_log_actions(actions):
    actions.register_action(ADOPT_ACTION, _("Adopt"), _("Adopted from another region's programme"))
    actions.register_action(APPLY_ACTION, _("Take a change"), _("Change of the origin taken"))
