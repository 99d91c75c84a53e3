"""Verify the hash chains of invoices and credit notes; exit status 1 when one is broken."""

import sys

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify
from courses.models import Organizer


class Command(BaseCommand):
    help = "Recompute every organizer's audit hash chain from the current invoice rows."

    def add_arguments(self, parser):
        parser.add_argument("--organizer", help="the organizer's id or exact name")

    def handle(self, *args, organizer=None, **options):
        chosen = None
        if organizer:
            found = Organizer.objects.filter(
                pk=int(organizer)) if organizer.isdigit() else Organizer.objects.filter(
                name=organizer)
            chosen = found.first()
            if chosen is None:
                raise CommandError(f"no organizer {organizer!r}")
        broken = 0
        for report in verify(chosen):
            if report.ok:
                self.stdout.write(f"{report.organizer}: OK ({report.links} links)")
                continue
            broken += 1
            b = report.broken
            where = f"link {b.position}, entry {b.entry_id}, " if b.position else ""
            self.stdout.write(f"{report.organizer}: BROKEN at {where}document {b.number}: "
                              f"{b.problem}")
            for name, recorded, current in b.differences:
                self.stdout.write(f"    {name}: issued {recorded!r}, now {current!r}")
        if broken:
            sys.exit(1)
