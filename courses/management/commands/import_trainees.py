from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.imports import SpreadsheetError, import_preview, import_run, sheet_notes
from courses.models import Cohort, EnrolmentImport


class Command(BaseCommand):
    help = (
        "Enrol trainees from a CSV or XLSX file into a cohort: every row or none. "
        "Rows with problems are listed by their row number and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV or XLSX file.")
        parser.add_argument("--cohort", type=int, required=True, help="The cohort's id.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )

    def handle(self, *args, file: str, cohort: int, dry_run: bool = False, **options):
        target = Cohort.objects.select_related("program", "region").filter(pk=cohort).first()
        if target is None:
            raise CommandError(f"No cohort with the id {cohort}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            preview = import_preview(
                cohort=target, uploaded_by=None, file_name=path.name, data=path.read_bytes()
            )
        except SpreadsheetError as error:
            raise CommandError(str(error)) from error
        for note in sheet_notes(preview.summary):
            self.stderr.write(note)
        if self._report_problems(preview.rows):
            preview.status = EnrolmentImport.Status.FAILED
            preview.failure = EnrolmentImport.Failure.ROWS
            preview.save(update_fields=["status", "failure"])
            raise CommandError("Nothing was imported: fix the rows above.", returncode=1)
        if dry_run:
            preview.delete()
            self.stdout.write(self.style.SUCCESS(f"{len(preview.rows)} rows checked, no problems."))
            return

        try:
            result = import_run(import_id=preview.pk, progress=self._progress)
        except Exception as error:
            # import_run has marked the import failed and logged the cause.
            raise CommandError(f"Nothing was imported: {error}", returncode=1) from error
        self.stderr.write("")
        if result.status != EnrolmentImport.Status.APPLIED:
            self._report_problems(result.rows)
            raise CommandError("Nothing was imported: fix the rows above.", returncode=1)
        summary = result.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into «{target.name}»: {summary['created']} new accounts, "
                f"{summary['enrolled']} existing people enrolled, {summary['restored']} brought "
                f"back, {summary['skipped']} already there."
            )
        )

    def _report_problems(self, rows: list[dict]) -> bool:
        bad = [row for row in rows if row.get("errors")]
        for row in bad:
            self.stderr.write(f"Row {row['row']}: " + "; ".join(row["errors"]))
        return bool(bad)

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\rImporting [{bar}] {done}/{total}", ending="")
        self.stderr.flush()
