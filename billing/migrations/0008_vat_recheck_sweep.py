"""The hourly sweep that asks VIES again about VAT numbers still unverified (rules.md §2)."""

from django.db import migrations

from portal.schedules import schedule_every, unschedule

JOB = "Billing: ask VIES again about unverified VAT numbers"


def schedule(apps, schema_editor):
    schedule_every(
        apps, name=JOB, task="billing.tasks.recheck_unverified_vat_numbers", minutes=60,
        # A run that waited in the queue past the next one is pointless: drop it.
        expire_seconds=3600,
        description="Company checkouts whose VAT number VIES could not confirm: asked again "
        "every hour for a month; the answers are kept beside the invoice.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_communication_numbers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule, lambda apps, schema_editor: unschedule(apps, JOB)),
    ]
