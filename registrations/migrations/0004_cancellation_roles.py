from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, FINANCE, grant


def grant_permissions(apps, schema_editor):
    grant(
        apps,
        {
            COURSE_ADMINISTRATOR: [
                "registrations.view_cancellationrequest",
                "registrations.add_cancellationrequest",
                "registrations.change_cancellationrequest",
                "registrations.view_editionchangenotice",
                "registrations.view_changeresponse",
                "registrations.view_bulkjob",
            ],
            FINANCE: [
                "registrations.view_cancellationrequest",
                "registrations.view_bulkjob",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("registrations", "0003_cancellations")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
