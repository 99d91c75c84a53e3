"""Schedule the outbox sweep in django-celery-beat, so a deployment's beat runs it every minute,
and let the roles see the outbox (course administrators may also send a mail again).

Historical models fire no signals, so PeriodicTasks (beat's change marker) is touched by hand:
a running beat then reloads its schedule instead of waiting for a restart.
"""

from django.db import migrations
from django.utils import timezone

from portal.roles import COURSE_ADMINISTRATOR, FINANCE, grant

SWEEP_NAME = "Outbox: send what is still pending"
SWEEP_TASK = "portal.tasks.sweep_outbox"


def _mark_schedule_changed(apps):
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedule_sweep(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "task": SWEEP_TASK,
            "interval": every_minute,
            "enabled": True,
            # A sweep that waited in the queue past the next one is pointless: drop it.
            "expire_seconds": 60,
            "description": "Re-sends outgoing e-mails still pending (broker outage, SMTP errors).",
        },
    )
    _mark_schedule_changed(apps)


def unschedule_sweep(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SWEEP_NAME).delete()
    _mark_schedule_changed(apps)


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
