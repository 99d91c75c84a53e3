"""The embedded default (SQLite, `make run`) refuses changes to issued documents like PostgreSQL.

SQLite loses a table's triggers whenever a migration rebuilds the table, so this migrates a
fresh SQLite database in a subprocess and reads back which triggers exist at the end.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPEND_ONLY_TABLES = [
    "billing_invoice",
    "billing_invoiceline",
    "billing_creditnote",
    "audit_auditentry",
]


def test_every_append_only_table_keeps_its_triggers_after_all_migrations(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PORTAL_", "SECRET_"))
    }
    env.update({"PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"})
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "portal.sqlite3") as database:
        triggers = database.execute(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
    for table in APPEND_ONLY_TABLES:
        events = {sql.split(" ON ")[0].rsplit(" ", 1)[-1] for name, sql in triggers
                  if name == table}
        assert {"UPDATE", "DELETE"} <= events, (table, events)
