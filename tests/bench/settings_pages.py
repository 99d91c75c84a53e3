"""Production-like settings for the pages benchmark (tests/bench/bench_pages.py): gunicorn serves
the portal with these, against the benchmark database.

As in a deployment: DEBUG off, HTTPS settings on (the load generator sends
`X-Forwarded-Proto: https` as the TLS-terminating proxy would), whitenoise serving the
collected, compressed and hashed static files, the Redis cache when REDIS_URL is set, every
middleware. The only differences: the URLconf adds one bench-only bare view
(tests/bench/urls_pages.py), STATIC_ROOT is a scratch directory of the benchmark, and the
bench's staff user has a TOTP authenticator row (the staff second-factor middleware stays on).

DATABASE_URL, SECRET_KEY (the bench process's, so its sessions are valid here), REDIS_URL and
BENCH_STATIC_ROOT come from the environment the benchmark gives gunicorn.
"""

import os
from pathlib import Path

os.environ.setdefault("PORTAL_SECURE", "true")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from portal.settings import *  # noqa: E402,F403

BENCH = True
ROOT_URLCONF = "tests.bench.urls_pages"
STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
