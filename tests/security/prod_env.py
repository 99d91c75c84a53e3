"""The environment of a real deployment, for settings checked in a subprocess."""

import os


def production_env(**extra) -> dict:
    """This process's environment without the test settings, plus a deployment's variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECRET_", "PORTAL_", "DEBUG",
                                "ALLOWED_", "STAFF_"))}
    env.update({
        "DATABASE_URL": "postgres://portal:secret@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "production-" + "Zq8!vR2#mK5$wX9&" * 4,
        "ALLOWED_HOSTS": "portal.example.org",
        "PORTAL_BASE_URL": "https://portal.example.org",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    })
    env.update(extra)
    return env
