"""Issue a cohort's certificates from a terminal: the same batch the cohort page starts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from certificates.batches import STARTED, batch_start, batch_work
from certificates.models import BatchItem
from certificates.selectors import batch_progress
from courses.models import Cohort


class ProgressBar:
    """`[#####-----]  12/40` redrawn in place with `\\r` on a terminal; a line per tenth when the
    output is a file or a pipe, so that logs stay readable."""

    WIDTH = 30

    def __init__(self, stream, *, total: int):
        self.stream, self.total = stream, total
        self.tty = getattr(stream, "isatty", lambda: False)()
        self._last_tenth = -1

    def show(self, done: int) -> None:
        share = done / self.total if self.total else 1
        filled = round(self.WIDTH * share)
        bar = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{self.total}"
        if self.tty:
            self.stream.write(f"\r{bar}", ending="")
            self.stream.flush()
        elif int(share * 10) != self._last_tenth:
            self._last_tenth = int(share * 10)
            self.stream.write(bar)

    def close(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Issue the certificates of a cohort's trainees who have completed (start the cohort's "
        "batch, or resume the unfinished one), with a progress bar; then list who was issued, "
        "who is not yet eligible and why, and any failure. Exits with 1 if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=int, required=True, help="The cohort's id.")
        parser.add_argument(
            "--by", metavar="USERNAME", help="Who issues (recorded on each certificate)."
        )

    def handle(self, *args, cohort: int, by: str | None = None, **options):
        found = Cohort.objects.filter(pk=cohort).select_related("region").first()
        if found is None:
            raise CommandError(f"No cohort with the id {cohort}.")
        issuer = None
        if by:
            issuer = get_user_model().objects.filter(username=by).first()
            if issuer is None:
                raise CommandError(f"No user with the username {by!r}.")

        batch, outcome = batch_start(cohort=found, started_by=issuer, enqueue=False)
        verb = "Started" if outcome == STARTED else "Resuming"
        self.stdout.write(f"{verb} batch {batch.pk} for «{found.name}» ({found.region.name}).")
        items = BatchItem.objects.filter(batch=batch)
        bar = ProgressBar(self.stdout, total=items.count())

        def step() -> None:
            bar.show(items.filter(state__in=BatchItem.FINISHED).count())

        step()
        batch_work(batch_id=batch.pk, on_step=step)
        step()
        bar.close()

        batch.refresh_from_db()
        self._summary(batch_progress(batch))

    def _summary(self, progress) -> None:
        out = self.stdout
        out.write(f"Issued: {len(progress.issued)}")
        for item in progress.issued:
            out.write(f"  {item.certificate.serial}  {item.enrolment.trainee.full_name}")
        if progress.already:
            out.write(f"Issued before: {len(progress.already)}")
            for item in progress.already:
                out.write(f"  {item.certificate.serial}  {item.enrolment.trainee.full_name}")
        out.write(f"Not yet eligible: {len(progress.not_eligible)}")
        for item in progress.not_eligible:
            out.write(f"  {item.enrolment.trainee.full_name}")
            for line in item.detail.splitlines():
                out.write(f"    - {line}")
        if progress.waiting:
            # Another worker holds these right now; it finishes them.
            out.write(f"Still being worked on by another worker: {progress.waiting}")
        if progress.failed:
            out.write(self.style.ERROR(f"Failed: {len(progress.failed)}"))
            for item in progress.failed:
                out.write(f"  {item.enrolment.trainee.full_name}: {item.detail}")
            raise CommandError(f"{len(progress.failed)} failed (listed above).", returncode=1)
        out.write(self.style.SUCCESS("Done." if progress.batch.finished_at else "Drained."))
