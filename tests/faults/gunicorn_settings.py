"""Production settings (portal.settings: DEBUG off, persistent connections with health checks)
for the gunicorn the PostgreSQL-restart test starts. One change: static files without the
manifest, so the test needs no collectstatic run; nothing about the database differs."""

import os

from portal.settings import *  # noqa: F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# The control in test_postgres_restart.py turns the health checks off to show they matter.
if os.environ.get("FAULTS_CONTROL_NO_HEALTH_CHECKS"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
