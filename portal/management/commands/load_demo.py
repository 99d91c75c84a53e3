"""`manage.py load_demo`: the demo organizers, catalog and accounts (portal.demo), idempotently."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.demo import load_demo
from portal.demo_data import URL


class Command(BaseCommand):
    help = (
        "Load two demo organizers, about 20 courses with editions in the current and next "
        "academic year, staff users and participants. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="Date (YYYY-MM-DD) the demo dates are counted from; default: today in Brussels.",
        )

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        logins = load_demo(day)
        rows = [("Role", "E-mail", "Password"), *logins]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded (dates relative to {day})."))
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(f"Open {URL} (manage.py runserver) and log in with one of these.")
