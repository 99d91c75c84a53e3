"""Issued invoices stay unchangeable on SQLite too (rules.md §2).

On SQLite, Django alters a table by rebuilding it (create a copy, move the rows, drop the old
one), which drops its triggers: 0003 altered ``billing_invoice`` and so removed the triggers
0002 had put on it under ``make run``. PostgreSQL keeps triggers across ALTER TABLE. This puts
them back (IF NOT EXISTS: the lines' and credit notes' triggers survived). A later migration that
alters one of these tables on SQLite must do the same; tests/billing/test_sqlite_triggers.py
fails when it does not.
"""

from django.db import migrations

TABLES = ["billing_invoice", "billing_invoiceline", "billing_creditnote"]


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event.lower()} BEFORE {event} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, 'issued documents are never changed or "
                f"deleted'); END;"
            )


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_daily_late_payment_job")]

    operations = [migrations.RunPython(create_sqlite_triggers, migrations.RunPython.noop)]
