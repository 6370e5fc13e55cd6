"""`python manage.py make_synthetic`: a national data set for the dashboards, in minutes."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from dashboards.synthetic import (
    PASSWORD,
    USERNAME_PREFIX,
    SyntheticSetExists,
    build_synthetic,
    reset_synthetic,
    synthetic_cohorts,
)

BAR = 30


class ProgressBar:
    """One line on the terminal, redrawn in place with `\\r`."""

    def __init__(self, stream, *, started: float):
        self.stream = stream
        self.started = started
        self.width = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        line = (
            f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {step}"
            f"  {time.monotonic() - self.started:5.0f} s"
        )
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def end(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
        self.width = 0


class Command(BaseCommand):
    help = (
        "Build a synthetic national data set: one programme, N regions × cohorts × trainees with "
        "progress, quiz attempts, graded case work, attendance, withdrawals and certificates. "
        f"Its people's usernames start with «{USERNAME_PREFIX}»; --reset removes them first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, default=85, help="Regions, the first by code.")
        parser.add_argument("--cohorts-per-region", type=int, default=20)
        parser.add_argument("--trainees-per-cohort", type=int, default=18)
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same set.")
        parser.add_argument(
            "--reset", action="store_true", help="Remove the previous synthetic set first."
        )

    def handle(self, *args, regions, cohorts_per_region, trainees_per_cohort, seed, reset, **kw):
        for name, value, low, high in (
            ("--regions", regions, 1, 89),
            ("--cohorts-per-region", cohorts_per_region, 1, 99),
            ("--trainees-per-cohort", trainees_per_cohort, 1, 99),
        ):
            if not low <= value <= high:
                raise CommandError(f"{name} must be between {low} and {high}.")
        started = time.monotonic()
        bar = ProgressBar(self.stdout, started=started)
        if reset:
            removed = reset_synthetic(progress=bar)
            bar.end()
            self.stdout.write(f"Removed the previous synthetic set ({removed} trainees).")
        try:
            report = build_synthetic(
                regions=regions,
                cohorts_per_region=cohorts_per_region,
                trainees_per_cohort=trainees_per_cohort,
                seed=seed,
                progress=bar,
            )
        except SyntheticSetExists:
            raise CommandError(
                "A synthetic set is already in the database. Run with --reset to replace it."
            ) from None
        bar.end()
        built = time.monotonic() - started
        self._rebuild_figures(bar)
        states = ", ".join(
            f"{count} {state}" for state, count in sorted(report.cohorts_by_state.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {report.regions} regions, {report.cohorts} cohorts ({states}), "
                f"{report.trainees} trainees ({report.withdrawn} withdrawn), "
                f"{report.completions} completed activities, {report.attempts} quiz attempts, "
                f"{report.submissions} pieces of case work ({report.grades} graded), "
                f"{report.sessions} sessions with {report.attendance} attendance marks, "
                f"{report.certificates} certificates in {built:.0f} s "
                f"({time.monotonic() - started:.0f} s with the dashboards' figures)."
            )
        )
        self.stdout.write(
            f"Sign in as {USERNAME_PREFIX}federal, {USERNAME_PREFIX}<region code>-official, "
            f"-instructor1… or a trainee such as {USERNAME_PREFIX}68-01-01; password «{PASSWORD}»."
        )

    def _rebuild_figures(self, bar: ProgressBar) -> None:
        """The dashboards' rollups, when the dashboards keep them: bulk inserts bypass the
        updates that keep them current, so they are recomputed once at the end."""
        try:
            from dashboards.services import rebuild_figures
        except ImportError:
            return
        rebuild_figures(
            cohort_ids=list(synthetic_cohorts().values_list("pk", flat=True)),
            progress=lambda done, total: bar("figures", done, total),
        )
        bar.end()
