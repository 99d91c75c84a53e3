"""Production settings (portal.settings: DEBUG off, persistent connections with health checks)
for the gunicorn the PostgreSQL-restart test starts. One change: static files without the
manifest, so the test needs no collectstatic run; nothing about the database differs."""

from portal.settings import *  # noqa: F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
