"""Wagtail's `publish_scheduled`, with the practice rule refusing one revision, not the whole run.

Each revision that has come due is published in its own transaction, in the order scheduled; one
that would leave its programme under the practice target is taken off the schedule and its author
told (`courses.services.scheduled_revision_publish`). Wagtail's own run then does the rest
(expiries, and anything that came due meanwhile).
"""

from django.utils import timezone
from wagtail.management.commands.publish_scheduled import Command as WagtailCommand
from wagtail.models import Revision

from courses.services import scheduled_revision_publish


class Command(WagtailCommand):
    def handle(self, *args, **options):
        if not options["dryrun"]:
            due = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by(
                "approved_go_live_at"
            )
            for revision in due:
                refusal = scheduled_revision_publish(revision=revision)
                if refusal:
                    self.stderr.write(f"{revision.object_str}: {refusal}")
        super().handle(*args, **options)
