"""`manage.py send_reminders`: enqueue the daily jobs; a timer runs it once a day (README)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reminders.tasks import DAILY


class Command(BaseCommand):
    help = (
        "Enqueue the daily jobs (grading digest, session and cohort-end reminders) for the "
        "background workers. Safe to run more than once a day: nothing is sent twice."
    )

    def handle(self, *args, **options) -> None:
        for job in DAILY:
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.id}")
