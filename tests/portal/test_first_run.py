"""`make run` on a fresh checkout: `load_demo` on the embedded default (SQLite, eager Celery)
loads the demo quietly and prints the logins the README lists."""

import re
from pathlib import Path

from tests.embedded import manage

ROOT = Path(__file__).resolve().parents[2]


def _readme_demo_logins() -> set[tuple[str, str]]:
    """(role, e-mail) of the README's *Demo logins* table."""
    section = (ROOT / "README.md").read_text().split("## Demo logins")[1].split("\n## ")[0]
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+@[^`]+)` \|$", section, flags=re.MULTILINE)
    return {(re.sub(r" \(.*\)", "", role), email) for role, email in rows}


def test_the_demo_loads_quietly_on_the_embedded_default_with_the_readmes_logins(
        embedded_var_dir):
    result = manage(embedded_var_dir, "load_demo")
    # Nothing but the table for the person who typed `make run` (the eager Celery's in-memory
    # broker used to log "No hostname was supplied. Reverting to default 'localhost'").
    assert result.stderr == ""
    printed = set(re.findall(r"^(.+?)\s{2,}(\S+@\S+)\s+demo-portal-2026$", result.stdout,
                             flags=re.MULTILINE))
    assert printed == _readme_demo_logins()
    assert "demo-portal-2026" in (ROOT / "README.md").read_text()
