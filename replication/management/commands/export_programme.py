"""`python manage.py export_programme <slug> FILE`: the programme as published, as a package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import ProgramPage
from replication.exporting import package_bytes, release_of
from replication.portable import Refused


class Command(BaseCommand):
    help = "Write a published programme (its pages, banks, files, certificate design) as a package."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The programme's slug (its address in the site).")
        parser.add_argument("file", help="Where to write the package (a .zip file).")

    def handle(self, *args, slug, file, **options):
        programmes = ProgramPage.objects.filter(slug=slug)
        if not programmes.exists():
            raise CommandError(f"No programme has the slug «{slug}».")
        if programmes.count() > 1:
            raise CommandError(f"Several programmes have the slug «{slug}».")
        try:
            release = release_of(programmes.get())
        except Refused as refused:
            raise CommandError(str(refused)) from None
        Path(file).write_bytes(package_bytes(release))
        self.stdout.write(
            f"{release.title}: version {release.version}, {len(release.content['pages'])} pages "
            f"→ {file}"
        )
