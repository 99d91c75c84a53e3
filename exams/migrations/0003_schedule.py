"""The daily exam jobs in django-celery-beat: `A` after 8 August (06:30) and the second-chance
reminders (08:00)."""

from django.db import migrations

from portal.schedules import schedule_daily, unschedule

ABSENT = "Exams: A for failed units without second-chance enrolment"
REMINDERS = "Exams: second-chance and digital-exam reminders"


def schedule(apps, schema_editor):
    schedule_daily(
        apps, name=ABSENT, task="exams.tasks.auto_absent_task", hour=6, minute=30,
        description="Seed 2 art. 8.5: after 8 August, A for the second chance of failed units "
        "without enrolment. Idempotent.",
    )
    schedule_daily(
        apps, name=REMINDERS, task="exams.tasks.second_chance_reminders_task", hour=8,
        description="Mail on 11 July and 3 days before 8 August to participants with failed "
        "units not yet enrolled for the second chance; a week before each exam period to "
        "participants with a digital exam (test the software).",
    )


def unschedule_all(apps, schema_editor):
    unschedule(apps, ABSENT)
    unschedule(apps, REMINDERS)


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule_all)]
