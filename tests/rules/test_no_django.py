"""The rule modules are pure: importing them loads no Django (architecture.md, "Inside an app")."""

import os
import subprocess
import sys
from pathlib import Path

RULE_MODULES = [
    "billing.latefees",
    "billing.vat",
    "billing.structured_communication",
    "registrations.policies",
    "registrations.split",
    "registrations.organizer_changes",
    "exams.grading",
    "exams.windows",
    "exams.committees",
    "certificates.eligibility",
]


def test_rule_modules_import_without_django():
    project = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        f"import sys, {', '.join(RULE_MODULES)}; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
