"""`make security` reads pip-audit's report: it fails on a known vulnerability only, and says
clearly when nothing could be audited (.ci/dependency_audit.py)."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "dependency_audit.py"
spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
dependency_audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dependency_audit)
verdict = dependency_audit.verdict


def test_a_known_vulnerability_fails_the_build():
    code, lines = verdict({"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.5.0", "vulns": []},
    ]}, "pypi")
    assert code == 1
    assert "pip-audit: django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in lines
    assert lines[-1].startswith("pip-audit: FAILED - 1 of 2 audited packages")


def test_a_clean_audit_passes_and_names_what_it_could_not_audit():
    code, lines = verdict({"dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "private-pkg", "version": "1.0", "skip_reason": "not on PyPI"},
    ]}, "pypi")
    assert code == 0
    assert lines == ["pip-audit: no known vulnerabilities in 1 packages "
                     "(1 could not be audited: private-pkg)."]


def test_an_unreachable_service_is_reported_not_failed():
    code, lines = verdict({"dependencies": [
        {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI"},
    ]}, "pypi")
    assert code == 0
    assert lines[0].startswith("pip-audit: NOT AUDITED - the vulnerability service (pypi) "
                               "answered for none of the 1 packages")
