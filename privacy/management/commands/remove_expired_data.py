"""`manage.py remove_expired_data`: enqueue the daily removal of expired copies (README)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from privacy.tasks import remove_expired_copies


class Command(BaseCommand):
    help = (
        "Enqueue the removal of personal data kept past its period (import rows, sign-in "
        "records, expired sessions) for the background workers. Safe to run any number of times."
    )

    def handle(self, *args, **options) -> None:
        result = remove_expired_copies.enqueue()
        self.stdout.write(f"{remove_expired_copies.name}: {result.id}")
