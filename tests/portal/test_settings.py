"""The deployment settings pass Django's deploy checks; the embedded default needs nothing set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_",
                                                                     "REDIS_", "SECRET_",
                                                                     "PORTAL_", "DEBUG",
                                                                     "ALLOWED_"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = _run(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": "a-long-random-production-secret-key-" + "k3y" * 12,
            "ALLOWED_HOSTS": "portal.example.org",
            "PORTAL_BASE_URL": "https://portal.example.org",
        },
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_default_uses_sqlite_eager_celery_and_file_mail(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND,"
        " s.EMAIL_FILE_PATH, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = _run(
        {"PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"},
        "shell", "-c", code,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.split()
    assert out[-6:] == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
        "Europe/Brussels",
        "nl",
    ]
