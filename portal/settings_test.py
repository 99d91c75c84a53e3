"""Settings for the test suite: the real deployment stack (PostgreSQL, Redis) over plain HTTP."""

import os
import re
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_url_for_xdist_worker(url: str, worker: str) -> str:
    """Under pytest-xdist each worker process (PYTEST_XDIST_WORKER gw0, gw1, ...) gets a Redis
    database of its own: worker K uses the configured number + K, or the configured number - K
    when + K would pass 15 (the default 15 gives gw0 15, gw1 14; REDIS_URL .../9 gives 9, 10).
    Without xdist the URL is used as given."""
    match = re.fullmatch(r"gw(\d+)", worker)
    if not match:
        return url
    index = int(match.group(1))
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + index if base + index <= 15 else base - index
    if not 0 <= number <= 15:
        raise RuntimeError(f"No Redis database for xdist worker {worker} from {url}.")
    return urlunsplit(parts._replace(path=f"/{number}"))


os.environ["REDIS_URL"] = redis_url_for_xdist_worker(
    os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))
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
