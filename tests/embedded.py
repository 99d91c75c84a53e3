"""Running manage.py on the embedded default (SQLite, `make run`) in a subprocess, on a fresh
database in a directory of the test's own: the test suite itself runs on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(var_dir: Path, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """`manage.py <arguments>` with the embedded settings and `var_dir` as PORTAL_VAR_DIR; the
    suite's own database, Redis and secrets are not passed on. Fails the test when it fails."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PORTAL_", "SECRET_"))
    }
    env.update({"PORTAL_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "portal.settings"})
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result
