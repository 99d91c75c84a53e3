from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, grant


def _perms(actions, *models):
    return [f"exams.{action}_{model}" for model in models for action in actions]


def grant_permissions(apps, schema_editor):
    grant(
        apps,
        {
            EXAM_COMMITTEE: _perms(("view", "add"), "result", "publication", "programmedecision")
            + _perms(("view", "add", "change"), "attendance", "enrolment")
            + _perms(("view", "add", "change", "delete"), "committee", "committeemember")
            + _perms(("view",), "examperiod", "examrules")
            + ["registrations.view_registration"],
            COURSE_ADMINISTRATOR: _perms(("view", "add", "change", "delete"), "examperiod")
            + _perms(("view", "add", "change"), "attendance", "examrules")
            + _perms(("view",), "enrolment", "committee", "committeemember"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0001_initial"),
        ("portal", "0004_outbox_sweep_and_permissions"),
        ("registrations", "0004_cancellation_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
