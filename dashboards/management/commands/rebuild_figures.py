"""Recompute the dashboards' figures from the trainees' records."""

from django.core.management.base import BaseCommand, CommandError

from courses.models import Cohort
from dashboards.services import rebuild_figures


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' figures (rollups) from the completion service: every "
        "cohort, one (--cohort), or only those out of date (--stale; run it periodically)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=int, action="append", help="A cohort's id.")
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only cohorts with a change not yet caught up with, a session ended since "
            "their last refresh, or no figures yet.",
        )

    def handle(self, *args, cohort=None, stale=False, **options):
        if cohort:
            unknown = set(cohort) - set(
                Cohort.objects.filter(pk__in=cohort).values_list("pk", flat=True)
            )
            if unknown:
                raise CommandError(f"No cohort has the id {', '.join(map(str, sorted(unknown)))}.")
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and (done == total or done % 50 == 0):
                self.stdout.write(f"\r{done}/{total} cohorts", ending="")
                self.stdout.flush()

        refreshed = rebuild_figures(cohort_ids=cohort, progress=progress, only_stale=stale)
        if verbosity >= 1:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Figures refreshed for {refreshed} cohort(s)."))
