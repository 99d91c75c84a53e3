"""`make security`: audit the pinned dependencies (requirements.lock) with pip-audit.

Fails (exit 1) only on a known vulnerability. When the vulnerability service (PyPI's JSON API, or
OSV) cannot be reached, or answers for none of the packages, it says so loudly and does not fail
the build: an offline CI machine must not block a merge, and must not pretend it audited either.

    python .ci/dependency_audit.py requirements.lock [--service pypi|osv]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 240  # the whole run; pip-audit's own per-request timeout is --timeout


def run_pip_audit(lock: Path, service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report, or None and why there is none."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(pip_audit), "-r", str(lock), "--no-deps", "--disable-pip",
            "--progress-spinner", "off", "--vulnerability-service", service, "--timeout", "10",
            "--format", "json", "--output", str(report),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                                    timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None, f"no answer within {TIMEOUT_SECONDS} s"
        if not report.exists() or not report.read_text().strip():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return None, last[:300]
        return json.loads(report.read_text()), ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("lock", type=Path)
    parser.add_argument("--service", default="pypi", choices=["pypi", "osv"])
    args = parser.parse_args(argv)

    report, problem = run_pip_audit(args.lock, args.service)
    if report is None:
        print(f"pip-audit: NOT AUDITED - the vulnerability service ({args.service}) is "
              f"unreachable: {problem}")
        print("pip-audit: the build goes on; run `make security` where the service is reachable.")
        return 0

    code, lines = verdict(report, args.service)
    print("\n".join(lines))
    return code


def verdict(report: dict, service: str) -> tuple[int, list[str]]:
    """The exit code and the lines to print for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(f"pip-audit: {dependency['name']} {dependency['version']}: "
                         f"{vuln['id']} (fixed in {fixes})")
    if vulnerable:
        lines.append(f"pip-audit: FAILED - {len(vulnerable)} of {audited} audited packages have "
                     "known vulnerabilities; raise their pins in requirements.lock.")
        return 1, lines
    if audited == 0:
        reason = skipped[0]["skip_reason"] if skipped else "an empty report"
        return 0, [
            f"pip-audit: NOT AUDITED - the vulnerability service ({service}) answered for none "
            f"of the {len(dependencies)} packages (e.g. {reason}).",
            "pip-audit: the build goes on; run `make security` where the service is reachable.",
        ]
    unaudited = (f" ({len(skipped)} could not be audited: "
                 + ", ".join(d["name"] for d in skipped) + ")") if skipped else ""
    return 0, [f"pip-audit: no known vulnerabilities in {audited} packages{unaudited}."]

if __name__ == "__main__":
    sys.exit(main())
