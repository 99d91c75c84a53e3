"""The daily late-payment job (seed 2 art. 4.4 and 4.7) in django-celery-beat, at 06:00."""

from django.db import migrations

from portal.schedules import schedule_daily, unschedule

JOB = "Billing: reminders, late charges and unpaid flags"


def schedule(apps, schema_editor):
    schedule_daily(
        apps, name=JOB, task="billing.tasks.run_late_payment_job_task", hour=6,
        description="Written reminders the day after the due date; interest and flat fee "
        "after the reminder's term; unpaid flags.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_rates_and_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule, lambda apps, schema_editor: unschedule(apps, JOB)),
    ]
