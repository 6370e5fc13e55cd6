import json

from django.core.management.base import BaseCommand, CommandError

from courses.curriculum import curriculum_breakdown, format_hours
from courses.models import ProgramPage


class Command(BaseCommand):
    help = "Report a programme's published academic hours: total, practice, theory, by module."

    def add_arguments(self, parser):
        parser.add_argument("program_slug", help="The slug of the programme page.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, program_slug: str, json: bool = False, **options):
        program = ProgramPage.objects.filter(slug=program_slug).first()
        if program is None:
            known = ", ".join(ProgramPage.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No programme with the slug {program_slug!r} (known: {known}).")
        breakdown = curriculum_breakdown(program)
        if json:
            self.stdout.write(_dumps(breakdown.as_dict()))
            return
        self.stdout.write(program.title)
        for module in breakdown.modules:
            self.stdout.write(
                f"  {module.title}: {format_hours(module.total_hours)} h "
                f"(practice {format_hours(module.practice_hours)}, "
                f"theory {format_hours(module.theory_hours)})"
            )
        self.stdout.write(
            f"Total {format_hours(breakdown.total_hours)} h: practice "
            f"{format_hours(breakdown.practice_hours)}, theory "
            f"{format_hours(breakdown.theory_hours)}, practice share "
            f"{format_hours(breakdown.practice_share)} % (target {breakdown.practice_target} %)"
        )


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
