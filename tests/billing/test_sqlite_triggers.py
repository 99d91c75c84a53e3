"""The embedded default (SQLite, `make run`) refuses changes to issued documents like PostgreSQL.

SQLite loses a table's triggers whenever a migration rebuilds the table, so this migrates a
fresh SQLite database in a subprocess (`embedded_var_dir`, tests/conftest.py) and reads back
which triggers exist at the end.
"""

import sqlite3

APPEND_ONLY_TABLES = [
    "billing_invoice",
    "billing_invoiceline",
    "billing_creditnote",
    "audit_auditentry",
]


def test_every_append_only_table_keeps_its_triggers_after_all_migrations(embedded_var_dir):
    with sqlite3.connect(embedded_var_dir / "portal.sqlite3") as database:
        triggers = database.execute(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
    for table in APPEND_ONLY_TABLES:
        events = {sql.split(" ON ")[0].rsplit(" ", 1)[-1] for name, sql in triggers
                  if name == table}
        assert {"UPDATE", "DELETE"} <= events, (table, events)
