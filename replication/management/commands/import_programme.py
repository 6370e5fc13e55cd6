"""`python manage.py import_programme FILE --region CODE`: a region's draft copy of a programme."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Region
from replication.importing import import_package
from replication.portable import Refused


class Command(BaseCommand):
    help = "Take a programme package in as a draft copy for a region (or a newer version of it)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The package (.zip) to import.")
        parser.add_argument("--region", required=True, help="The adopting region's code, e.g. 86.")

    def handle(self, *args, file, region, **options):
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"No region has the code «{region}».")
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"The package cannot be read: {error.strerror}.") from None
        try:
            outcome = import_package(data, region=found)
        except Refused as refused:
            raise CommandError(str(refused)) from None
        copy = outcome.adoption.programme
        if outcome.created:
            self.stdout.write(f"Adopted: «{copy.title}» (a draft, /{copy.url_path.strip('/')}/).")
        elif outcome.new_version:
            self.stdout.write(
                f"«{copy.title}» already exists; version {outcome.release.version} of its origin "
                "is now among its updates."
            )
        else:
            self.stdout.write(f"«{copy.title}» already exists; nothing new in the package.")
