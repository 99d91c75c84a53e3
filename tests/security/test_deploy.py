"""Production settings (issue 10): `check --deploy` is clean, secrets come only from the
environment, and the deployment refuses to start without SECRET_KEY.
(tests/portal/test_settings.py checks the same through manage.py and the embedded default.)"""

import subprocess
import sys
from pathlib import Path

from tests.security.prod_env import production_env

ROOT = Path(__file__).resolve().parents[2]

CHECK_DEPLOY = """
import django
django.setup()
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
from django.conf import settings
print("SECRET_KEY_FROM_ENV", settings.SECRET_KEY == __import__("os").environ["SECRET_KEY"])
print("DEBUG", settings.DEBUG)
print("MIDDLEWARE", ",".join(settings.MIDDLEWARE))
print("MEDIA_ROOT", settings.MEDIA_ROOT)
print("STATIC_ROOT", settings.STATIC_ROOT)
"""


def run(code: str, **env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          env=production_env(DEBUG="false", PORTAL_SECURE="true", **env),
                          capture_output=True, text=True, timeout=90)


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = run(CHECK_DEPLOY, PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["SECRET_KEY_FROM_ENV"] == "True"
    assert lines["DEBUG"] == "False"
    assert "portal.security.SecurityHeadersMiddleware" in lines["MIDDLEWARE"]
    assert "portal.middleware.StaffSecondFactorMiddleware" in lines["MIDDLEWARE"]
    assert not Path(lines["MEDIA_ROOT"]).is_relative_to(Path(lines["STATIC_ROOT"]))


def test_a_short_secret_key_fails_the_deploy_check(tmp_path):
    result = run(CHECK_DEPLOY, SECRET_KEY="too-short", PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(PORTAL_VAR_DIR=str(tmp_path))
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DATABASE_URL is set." in result.stderr


def test_a_deployment_without_its_public_address_fails_the_deploy_check(tmp_path):
    # PORTAL_BASE_URL goes into every certificate's QR code and the links of e-mails; left at
    # its embedded default they point at the server's own 127.0.0.1:8000.
    for address in [None, "http://127.0.0.1:8000", "https://localhost", "http://portal.example.org"]:
        env = production_env(DEBUG="false", PORTAL_SECURE="true", PORTAL_VAR_DIR=str(tmp_path),
                             PORTAL_BASE_URL=address or "")
        if address is None:
            del env["PORTAL_BASE_URL"]
        result = subprocess.run([sys.executable, "-c", CHECK_DEPLOY], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=90)
        assert result.returncode != 0, address
        assert "portal.W001" in result.stderr, address
