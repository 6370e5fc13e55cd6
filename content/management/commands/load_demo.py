from django.core.management.base import BaseCommand

from content.demo.builder import build_demo


class Command(BaseCommand):
    help = "Build the demo school (Tambov and Yugra). Safe to run again; --reset rebuilds it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo school and build it afresh."
        )

    def handle(self, *args, reset: bool = False, **options):
        report = build_demo(reset=reset)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo school ready: {report.created_pages} pages and "
                f"{report.created_users} people created."
            )
        )
        self.stdout.write("Demo logins (username / password):")
        for role, username, password in report.logins:
            self.stdout.write(f"  {role:<18} {username:<18} {password}")
