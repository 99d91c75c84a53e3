"""Structured communications from a counter of their own (rules.md §2: unique per invoice).

Before, the base was made of the year's last digit, the organizer's id modulo 100 and the
sequence: it repeated after ten years and for organizers a hundred ids apart, and the unique
constraint then refused the checkout. Now each base is the id of a new CommunicationNumber row.
Issued invoices never change, so the counter starts above the highest base already issued (on an
invoice, a late charge or an instalment): a new communication can never equal an old one.
"""

from django.core.management.color import no_style
from django.db import migrations, models


def start_above_issued(apps, schema_editor):
    CommunicationNumber = apps.get_model("billing", "CommunicationNumber")
    highest = 0
    for name in ("Invoice", "Instalment"):
        # "+++ddd/dddd/ddddd+++" has a fixed width: the greatest text holds the greatest base.
        communication = (apps.get_model("billing", name).objects
                         .aggregate(models.Max("structured_communication"))
                         ["structured_communication__max"])
        if communication:
            highest = max(highest, int("".join(filter(str.isdigit, communication))[:10]))
    if not highest or CommunicationNumber.objects.filter(pk__gte=highest).exists():
        return
    # The row holds the highest base: SQLite's AUTOINCREMENT continues above it, and on
    # PostgreSQL the sequence is moved to it (what loaddata does after explicit ids).
    CommunicationNumber.objects.create(pk=highest)
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [CommunicationNumber]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_sqlite_document_triggers_again")]

    operations = [
        migrations.CreateModel(
            name="CommunicationNumber",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
            options={
                "verbose_name": "structured communication number",
                "verbose_name_plural": "structured communication numbers",
            },
        ),
        migrations.RunPython(start_above_issued, migrations.RunPython.noop),
    ]
