"""Settings for a real Celery worker started by tests (tests/celery_worker.py).

The test suite's settings plus what the worker needs to be observable from the test process:
tasks really go through the broker, and e-mails are written as files the test can count.
DATABASE_URL and REDIS_URL come from the environment the fixture sets (pytest-django's test
database, the fixture's private Redis).
"""

import os

from portal.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["OUTBOX_TEST_MAIL_DIR"]
