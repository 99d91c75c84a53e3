from django.db import migrations, models
from django.db.models import Exists, OuterRef


def end_entries_of_registered_people(apps, schema_editor):
    """Open entries of people already registered (before this release a registration left
    them waiting): they would hold a seat back and be offered one."""
    WaitingListEntry = apps.get_model("registrations", "WaitingListEntry")
    Registration = apps.get_model("registrations", "Registration")
    registered = Registration.objects.filter(
        user=OuterRef("user"), edition=OuterRef("edition"), status="confirmed"
    )
    WaitingListEntry.objects.filter(status__in=["waiting", "offered"]).filter(
        Exists(registered)
    ).update(status="registered")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_cancellation_roles")]

    operations = [
        migrations.AlterField(
            model_name="waitinglistentry",
            name="status",
            field=models.CharField(
                choices=[
                    ("waiting", "waiting"),
                    ("offered", "seat offered"),
                    ("accepted", "accepted"),
                    ("expired", "offer expired"),
                    ("withdrawn", "withdrawn"),
                    ("registered", "registered"),
                    ("closed", "list closed"),
                ],
                default="waiting",
                max_length=10,
            ),
        ),
        migrations.RunPython(end_entries_of_registered_people, migrations.RunPython.noop),
    ]
