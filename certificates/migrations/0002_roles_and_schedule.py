"""Certificate permissions for the roles, and the hourly sweep that issues what is due."""

from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, grant
from portal.schedules import schedule_every, unschedule

SWEEP = "Certificates: issue what is due"


def grant_permissions(apps, schema_editor):
    grant(
        apps,
        {
            # Course administrators issue by hand, revoke, and name the signatories.
            COURSE_ADMINISTRATOR: [
                "certificates.view_certificate",
                "certificates.add_certificate",
                "certificates.revoke_certificate",
                "certificates.view_signatory",
                "certificates.add_signatory",
                "certificates.change_signatory",
                "certificates.delete_signatory",
            ],
            # The exam committee sees what its results led to.
            EXAM_COMMITTEE: ["certificates.view_certificate"],
        },
    )


def schedule(apps, schema_editor):
    schedule_every(
        apps, name=SWEEP, task="certificates.tasks.issue_all_due_certificates_task",
        minutes=60, expire_seconds=3000,
        description="Rules.md §7: registration, participation, getuigschrift and credit "
        "certificates whose condition holds; revokes the registration certificates of "
        "cancelled registrations. Idempotent.",
    )


def unschedule_sweep(apps, schema_editor):
    unschedule(apps, SWEEP)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("portal", "0004_outbox_sweep_and_permissions"),
        ("exams", "0003_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule_sweep),
    ]
