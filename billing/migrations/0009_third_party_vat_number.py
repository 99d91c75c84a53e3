"""The third party's VAT number on the invoice (seed 2 art. 4.5).

Adding the column rebuilds ``billing_invoice`` on SQLite, which drops its triggers: they are put
back as 0006 does (PostgreSQL keeps them across ALTER TABLE)."""

import importlib

from django.db import migrations, models

triggers = importlib.import_module("billing.migrations.0006_sqlite_document_triggers_again")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_vat_recheck_sweep"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="third_party_vat_number",
            field=models.CharField(
                blank=True, max_length=20, verbose_name="VAT number of the third party"
            ),
        ),
        migrations.RunPython(triggers.create_sqlite_triggers, migrations.RunPython.noop),
    ]
