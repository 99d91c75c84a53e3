"""Schedule the outbox sweep in django-celery-beat, so a deployment's beat runs it every minute,
and let the roles see the outbox (course administrators may also send a mail again).
"""

from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, FINANCE, grant
from portal.schedules import schedule_every, unschedule

SWEEP_NAME = "Outbox: send what is still pending"
SWEEP_TASK = "portal.tasks.sweep_outbox"


def schedule_sweep(apps, schema_editor):
    schedule_every(
        apps,
        name=SWEEP_NAME,
        task=SWEEP_TASK,
        minutes=1,
        # A sweep that waited in the queue past the next one is pointless: drop it.
        expire_seconds=60,
        description="Re-sends outgoing e-mails still pending (broker outage, SMTP errors).",
    )


def unschedule_sweep(apps, schema_editor):
    unschedule(apps, SWEEP_NAME)


def grant_outbox_permissions(apps, schema_editor):
    grant(
        apps,
        {
            # "change" is what the admin's "send now" action asks for; rows are never edited.
            COURSE_ADMINISTRATOR: ["portal.view_outgoingemail", "portal.change_outgoingemail"],
            FINANCE: ["portal.view_outgoingemail"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_outgoingemail"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(schedule_sweep, unschedule_sweep),
        migrations.RunPython(grant_outbox_permissions, migrations.RunPython.noop),
    ]
