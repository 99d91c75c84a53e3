"""Settings for the test suite: the real deployment stack (PostgreSQL, Redis) over plain HTTP."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("PORTAL_SECURE", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DEBUG", "false")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Tasks run inline unless a test starts a real worker (tests about tasks do).
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = VAR_DIR / "test-private"  # noqa: F405
# Rate limits and other cached state must not leak from one test to the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns when it is missing)
# Nothing in the tests may reach the real VIES: tests that need it start a local fake
# (tests/billing/fake_vies.py) and point VIES_ENDPOINT at it; the rest get a closed port.
VIES_ENDPOINT = "http://127.0.0.1:9/checkVatService"
VIES_TIMEOUT_SECONDS = 2
