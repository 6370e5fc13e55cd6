from django.core.management.base import BaseCommand

from content.services import home_page_install


class Command(BaseCommand):
    help = (
        "Make the school's home page the default site's root (a new one on a fresh database, in "
        "place of Wagtail's starter page). Safe to run again."
    )

    def handle(self, *args, **options):
        home = home_page_install()
        self.stdout.write(f"The site's home page: «{home.title}» ({home.url_path}).")
