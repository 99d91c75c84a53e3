"""Pages served by gunicorn as in production: requests per second as a ratio to a bare Django
view on the same server, and SQL queries per page with ten times more data.

    .venv/bin/python -m tests.bench.run pages
    .venv/bin/python -m tests.bench.run pages --page-seconds 10

Pages: the catalog (`/`), an edition page, the participant's dashboard, and the admin
changelists of invoices and of registrations (as a superuser).

1. Data at scale 1 (SCALE below): catalog editions of one organizer, the measured edition with
   its units and sessions, a participant with checkouts made through the real services
   (registrations, invoices, exam enrolments, outbox rows), and an invoice set for the admin
   lists (tests/bench/fixtures_billing.py, bulk-written).
2. Queries per page, in this process (django.test.Client, the suite's settings), counted like
   `assertNumQueries` (CaptureQueriesContext) on the second request (the first warms caches).
3. gunicorn (a subprocess: `gthread`, 2 workers x 4 threads, settings
   tests/bench/settings_pages.py: DEBUG off, HTTPS settings, whitenoise with the collected
   static files, the Redis cache, every middleware) against the benchmark database; a load
   generator in this process (CONNECTIONS threads, each with one keep-alive
   `http.client.HTTPConnection`, GETs back to back for `--page-seconds`) measures requests
   per second of the bare view (tests/bench/urls_pages.py: same server and middleware, no work)
   and of each page; the bare view is measured before and after the pages and the mean of
   the two is the reference. Every response must be 200.
4. Nine times as much data is added (scale 10), and 2 and 3 are measured again. A page whose
   query count grows with the data fails the benchmark (an N+1 query).
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from tests.bench.run import BenchmarkFailed, Outcome, Row

NAME = "pages"
CONNECTIONS = 4
WORKERS = 2
THREADS_PER_WORKER = 4
WARMUP_REQUESTS = 20
# Per unit of scale (scale 1, then 10).
SCALE = {"editions": 20, "units": 2, "sessions": 2, "checkouts": 3, "invoices": 100}
STARTUP_TIMEOUT_SECONDS = 90


# Data ----------------------------------------------------------------------------------------


class World:
    """The benchmark's data, grown from one scale to the next."""

    def __init__(self):
        from django.utils import timezone

        from tests.factories import (
            CourseUnitFactory,
            EditionFactory,
            OrganizerFactory,
            UserFactory,
        )

        self.scale = 0
        self.organizer = OrganizerFactory()
        self.start = timezone.localdate() + timedelta(days=60)
        self.edition = EditionFactory(course__organizer=self.organizer, start=self.start)
        self.editions = []
        self.participant = UserFactory()
        self.admin = UserFactory(is_staff=True, is_superuser=True)
        self.invoice_sets = []
        self._unit_factory = CourseUnitFactory
        self._edition_factory = EditionFactory
        from allauth.mfa.models import Authenticator

        # The staff second factor stays on under the production-like settings: the admin has
        # TOTP set up (its secret is never used: the bench logs in by session).
        Authenticator.objects.create(
            user=self.admin, type=Authenticator.Type.TOTP, data={"secret": "bench"}
        )

    def grow_to(self, scale: int) -> float:
        """Add what scale `scale` has more than the current one; returns the seconds it took."""
        from registrations.models import Cart
        from registrations.services.cart import add_to_cart
        from registrations.services.checkout import BillingDetails, checkout
        from tests.bench.fixtures_billing import issued_invoices
        from tests.factories import SessionFactory

        started = time.perf_counter()
        more = {key: value * (scale - self.scale) for key, value in SCALE.items()}
        offset = len(self.editions)
        for index in range(more["editions"]):
            self.editions.append(
                self._edition_factory(
                    course__organizer=self.organizer,
                    start=self.start + timedelta(days=(offset + index) % 90),
                    seats=50,
                )
            )
        self._unit_factory.create_batch(more["units"], course=self.edition.course)
        sessions = self.edition.sessions.count()
        for index in range(more["sessions"]):
            self._session(sessions + index, SessionFactory)
        done = self.scale * SCALE["checkouts"]
        for edition in self.editions[done : done + more["checkouts"]]:
            add_to_cart(user=self.participant, edition_id=edition.pk)
            token = Cart.objects.get(user=self.participant).checkout_token
            checkout(user=self.participant, token=token, billing=BillingDetails())
        self.invoice_sets.append(issued_invoices(more["invoices"]))
        self.scale = scale
        return time.perf_counter() - started

    def _session(self, index: int, factory) -> None:
        from datetime import datetime

        from django.utils import timezone

        starts = timezone.make_aware(datetime.combine(self.edition.start, datetime.min.time()))
        starts = starts.replace(hour=9) + timedelta(days=index)
        factory(edition=self.edition, starts_at=starts, ends_at=starts + timedelta(hours=3))

    def pages(self) -> list[tuple[str, str, object]]:
        """(label, path, user or None) of the measured pages."""
        return [
            ("catalog", "/", None),
            ("edition page", f"/editions/{self.edition.code}/", None),
            ("participant dashboard", "/dashboard/", self.participant),
            ("admin invoices changelist", "/admin/billing/invoice/", self.admin),
            ("admin registrations changelist", "/admin/registrations/registration/", self.admin),
        ]

    def sizes(self) -> str:
        from billing.models import Invoice
        from courses.models import Edition
        from registrations.models import Registration

        return (
            f"{Edition.objects.published().count():,} editions, "
            f"{Registration.objects.count():,} registrations, "
            f"{Invoice.objects.count():,} invoices; the participant's: "
            f"{Registration.objects.filter(user=self.participant).count()}"
        )


# Queries per page ------------------------------------------------------------------------------


def count_queries(path: str, user) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user)
    first = client.get(path)
    if first.status_code != 200:
        raise BenchmarkFailed(f"{path}: HTTP {first.status_code} in process")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchmarkFailed(f"{path}: HTTP {response.status_code} in process")
    return len(queries.captured_queries)


def profile_pages(world: "World", requests: int = 20) -> None:
    """`--profile`: cProfile of `requests` in-process GETs of each page; the top to stderr."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    for label, path, user in world.pages():
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(path)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        print(f"\n{label}: {(time.perf_counter() - started) / requests * 1000:.1f} ms a "
              "request in process, under cProfile", file=out)
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)


def session_cookie(user) -> str:
    """A session of `user` in the database, as a log-in would leave it (valid for gunicorn: the
    same database and SECRET_KEY)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# gunicorn ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the portal with tests/bench/settings_pages.py on a free local port."""

    def __init__(self, database_url: str):
        from django.conf import settings

        self.port = _free_port()
        self.static_root = Path(settings.VAR_DIR) / "bench" / "pages-static"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings_pages",
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "BENCH_STATIC_ROOT": str(self.static_root),
            "LOG_LEVEL": "ERROR",
        }
        self.process = None
        self.log = Path(settings.VAR_DIR) / "bench" / "pages-gunicorn.log"

    def collectstatic(self) -> float:
        started = time.perf_counter()
        if self.static_root.exists():
            shutil.rmtree(self.static_root)
        self.static_root.mkdir(parents=True)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=_base_dir(), env=self.env, check=True,
        )
        return time.perf_counter() - started

    def __enter__(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        log = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(WORKERS),
                "--worker-class", "gthread",
                "--threads", str(THREADS_PER_WORKER),
                "--keep-alive", "5",
                "--log-level", "warning",
            ],
            cwd=_base_dir(), env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkFailed(f"gunicorn exited; see {self.log}")
            try:
                status, _ = request_once(self.port, "/bench/bare/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchmarkFailed(f"gunicorn did not answer in {STARTUP_TIMEOUT_SECONDS} s")

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _base_dir() -> str:
    from django.conf import settings

    return str(settings.BASE_DIR)


# The load generator ----------------------------------------------------------------------------


def _headers(cookie: str | None) -> dict:
    headers = {
        "Host": "127.0.0.1",
        # As the TLS-terminating proxy in front of gunicorn would (SECURE_PROXY_SSL_HEADER).
        "X-Forwarded-Proto": "https",
        "Accept-Encoding": "identity",
        "User-Agent": "portal-bench",
    }
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    return headers


def request_once(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=_headers(cookie))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, path: str, cookie: str | None, seconds: float) -> tuple[float, int, float]:
    """GETs on CONNECTIONS keep-alive connections for `seconds`: (requests/s, requests, p50 ms).
    Any answer but 200 fails the benchmark."""
    headers = _headers(cookie)
    barrier = threading.Barrier(CONNECTIONS + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    stop = [0.0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            barrier.wait(timeout=30)
            while time.perf_counter() < stop[0]:
                started = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    raise BenchmarkFailed(f"{path}: HTTP {response.status} from gunicorn")
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        except Exception as error:  # noqa: BLE001 - reported below
            with lock:
                failures.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    stop[0] = time.perf_counter() + 3600
    started = time.perf_counter()
    stop[0] = started + seconds
    barrier.wait(timeout=30)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise BenchmarkFailed(failures[0])
    return len(latencies) / elapsed, len(latencies), statistics.median(latencies) * 1000


def warm_up(port: int, path: str, cookie: str | None) -> None:
    """Both workers' first requests (imports, templates, database connections)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(WARMUP_REQUESTS):
            conn.request("GET", path, headers=_headers(cookie))
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise BenchmarkFailed(f"{path}: HTTP {response.status} from gunicorn (warm-up)")
    finally:
        conn.close()


def throughput(port: int, world: World, cookies: dict, seconds: float) -> dict:
    """Requests/s of the bare view (before and after) and of every page."""
    results = {}
    for _label, path, user in [("bare", "/bench/bare/", None), *world.pages()]:
        warm_up(port, path, cookies.get(user))
    results["bare before"] = load(port, "/bench/bare/", None, seconds)
    for label, path, user in world.pages():
        results[label] = load(port, path, cookies.get(user), seconds)
    results["bare after"] = load(port, "/bench/bare/", None, seconds)
    return results


# The benchmark -------------------------------------------------------------------------------


def _load_average() -> str:
    return "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())


def run(args) -> Outcome:
    from django.conf import settings
    from django.db import connection

    seconds = args.page_seconds
    database_url = os.environ["DATABASE_URL"]
    world = World()
    rows: list[Row] = []
    queries: dict[int, dict[str, int]] = {}
    server = Server(database_url)
    rows.append(Row(NAME, "collectstatic for the server (whitenoise)",
                    f"{server.collectstatic():.1f} s"))
    for scale in (1, 10):
        grown = world.grow_to(scale)
        rows.append(Row(NAME, f"scale {scale}: data ({grown:.1f} s to write)", world.sizes()))
        queries[scale] = {label: count_queries(path, user) for label, path, user in world.pages()}
        if args.profile and scale == 10:
            profile_pages(world)
        cookies = {user: session_cookie(user) for _l, _p, user in world.pages() if user}
        connection.close()  # gunicorn's workers connect on their own
        load_before = _load_average()
        with server:
            results = throughput(server.port, world, cookies, seconds)
        bare = statistics.mean([results["bare before"][0], results["bare after"][0]])
        rows.append(Row(
            NAME,
            f"scale {scale}: bare view req/s, before / after the pages (mean = 1.000)",
            f"{results['bare before'][0]:,.0f} / {results['bare after'][0]:,.0f}",
            "1.000",
        ))
        for label, _path, _user in world.pages():
            rate, _count, p50 = results[label]
            rows.append(Row(
                NAME,
                f"scale {scale}: {label} req/s (p50 {p50:.0f} ms), "
                f"{queries[scale][label]} queries",
                f"{rate:,.0f}",
                f"{rate / bare:.3f}",
            ))
        rows.append(Row(NAME, f"scale {scale}: load average 1/5/15 min, before / after",
                        f"{load_before} -> {_load_average()}"))
    grown = [label for label, _p, _u in world.pages() if queries[10][label] > queries[1][label]]
    for label, _path, _user in world.pages():
        rows.append(Row(NAME, f"queries, scale 1 -> 10: {label}",
                        f"{queries[1][label]} -> {queries[10][label]}",
                        "grows" if label in grown else "same"))
    rows.append(Row(
        NAME,
        f"server: gunicorn gthread {WORKERS} workers x {THREADS_PER_WORKER} threads; "
        f"load: {CONNECTIONS} keep-alive connections x {seconds:g} s per page",
        "DEBUG off" if not settings.DEBUG else "DEBUG on",
    ))
    if grown:
        raise BenchmarkFailed(f"queries grow with the data: {', '.join(grown)}", rows=rows)
    return Outcome(rows=rows)


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
