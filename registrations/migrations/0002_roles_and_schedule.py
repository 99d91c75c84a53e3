"""The roles' permissions for registrations and billing, and the waiting-list job in beat."""

from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE, grant
from portal.schedules import schedule_every, unschedule

JOB = "Registrations: release lapsed holds, offer free seats to the waiting list"


def view(app, *models):
    return [f"{app}.view_{model}" for model in models]


def grant_permissions(apps, schema_editor):
    grant(
        apps,
        {
            COURSE_ADMINISTRATOR: [
                *view("registrations", "registration", "checkout", "waitinglistentry",
                      "admissionapplication", "voucher", "registrationsettings"),
                # Late registrations by hand, admission decisions, vouchers, the settings.
                "registrations.change_registration",
                "registrations.change_admissionapplication",
                "registrations.change_waitinglistentry",
                "registrations.add_voucher",
                "registrations.change_voucher",
                "registrations.delete_voucher",
                "registrations.change_registrationsettings",
                *view("billing", "invoice"),
            ],
            FINANCE: [
                *view("registrations", "registration", "checkout", "voucher"),
                *view("billing", "invoice", "invoiceline", "creditnote", "numberseries",
                      "vatnumbercheck"),
                "billing.add_creditnote",
            ],
            EXAM_COMMITTEE: view("registrations", "registration"),
        },
    )


def schedule(apps, schema_editor):
    schedule_every(
        apps,
        name=JOB,
        task="registrations.tasks.process_waiting_lists",
        minutes=5,
        expire_seconds=300,
        description="Drops lapsed cart holds, expires lapsed offers, offers free seats in order.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("billing", "0002_immutable_documents"),
        ("portal", "0004_outbox_sweep_and_permissions"),
    ]

    operations = [
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(schedule, lambda apps, schema_editor: unschedule(apps, JOB)),
    ]
