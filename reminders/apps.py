from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """The daily jobs: the instructors' grading digest, session and cohort-end reminders.

    A layer above courses, assessments and schedule (it reads all three) that sends through
    `notifications`; it keeps no tables of its own: the inbox records what was sent.
    """

    name = "reminders"
    label = "reminders"
    verbose_name = _("Reminders")
    default_auto_field = "django.db.models.BigAutoField"
