from django.core.management.base import BaseCommand

from exams.services.enrolment import enrol_first_chance
from registrations.models import Registration


class Command(BaseCommand):
    help = "Enrol every confirmed registration for the first chance of its course's units."

    def handle(self, *args, **options):
        created = 0
        registrations = Registration.objects.filter(
            status=Registration.Status.CONFIRMED
        ).select_related("edition__course")
        for registration in registrations.iterator():
            created += enrol_first_chance(registration)
        self.stdout.write(f"{created} enrolment(s) created.")
