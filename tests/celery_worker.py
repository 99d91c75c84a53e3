"""A real Redis and a real Celery worker for tests about tasks.

Import the `*_fixture` functions you use into the test module; they register as `private_redis`,
`celery_worker` and `redis_restored` (imported under those names, ruff would see shadowing).

Why a private Redis (a redis-server on a free port, owned by the fixture) rather than the shared
one on 6379: the outage test stops it, which must not break other people's test runs on this
machine, and no other worker listening on the shared Redis can steal (or be handed) our tasks.

The worker is a subprocess with `tests.worker_settings`: pytest-django's test database, the
private Redis, eager mode off, and a file-based e-mail backend in a temporary directory, so the
test process can count what the worker really sent. Use it from
`@pytest.mark.django_db(transaction=True)` tests: the worker only sees committed rows.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


class PortTaken(AssertionError):
    """The server we started exited: most likely someone else had taken its port."""


class RedisServer:
    """A throw-away redis-server (no persistence) that a test may stop and start again."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        result = subprocess.run(
            [REDIS_CLI, "-p", str(self.port), "ping"], capture_output=True, text=True, timeout=5
        )
        return result.stdout.strip() == "PONG"

    def serving(self) -> bool:
        """Our redis-server answers on our port. A ping alone would also be answered by another
        process's server that had taken the port first (two pytest-xdist workers, or another
        session on this machine, both picking the same free port), while ours exits."""
        if self.process.poll() is not None:
            raise PortTaken(f"redis-server on port {self.port} exited ({self.process.returncode})")
        result = subprocess.run(
            [REDIS_CLI, "-p", str(self.port), "info", "server"],
            capture_output=True, text=True, timeout=5,
        )
        mine = re.compile(rf"^process_id:{self.process.pid}$", re.MULTILINE)
        return mine.search(result.stdout) is not None

    def start(self) -> None:
        first_start = self.process is None
        for attempt in range(3):
            try:
                self._start()
                return
            except PortTaken:
                # Only on the first start may we move: after a stop, clients hold the URL.
                if not first_start or attempt == 2:
                    raise
                self.port = free_port()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.serving, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Like the outage in production: the server goes away, its queued messages with it."""
        if self.process is None or self.process.poll() is not None:
            return
        subprocess.run(
            [REDIS_CLI, "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=5
        )
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()


class CeleryWorker:
    """`celery -A portal worker --pool=solo -Q celery` against the test database."""

    def __init__(self, workdir: Path, database_url: str, broker_url: str):
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir()
        self.log_path = workdir / "worker.log"
        self.database_url = database_url
        self.broker_url = broker_url
        self.process = None

    def start(self) -> None:
        # Not PYTEST_XDIST_*: portal.settings_test would move REDIS_URL (our private Redis) to
        # the xdist worker's database number, and the worker would listen where nobody publishes.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CELERY_", "PYTEST_XDIST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.worker_settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.broker_url,
            OUTBOX_TEST_MAIL_DIR=str(self.mail_dir),
            PYTHONPATH=str(ROOT),
        )
        command = [
            str(CELERY),
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "celery",
            "--loglevel=INFO",
            "-n",
            f"outbox-test-{os.getpid()}@%h",
            # Nothing to synchronise with: this worker is alone on its private Redis.
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(self._ready, timeout=30, what=f"the Celery worker (log: {self.log_path})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"The Celery worker exited:\n{self.log()}")
        return " ready." in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def sent_to(self, address: str) -> int:
        """How many messages the worker wrote for `address` (the file backend writes one file
        per connection, possibly with several messages: count the To: headers)."""
        pattern = re.compile(rf"^To: {re.escape(address)}$", re.MULTILINE)
        return sum(
            len(pattern.findall(path.read_text(errors="replace")))
            for path in self.mail_dir.glob("*.log")
        )


def _database_url(settings_dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def _drop_broker_connections(app) -> None:
    """Forget pooled broker connections so the next publish uses the current broker_url."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    # kombu keeps producer pools per connection in a process-wide registry too; a closed one
    # left there breaks every later apply_async, even an eager one ("Acquire on closed pool").
    from kombu import pools

    pools.reset()


@contextmanager
def publishing_to(broker_url: str):
    """Make this process's Celery app really publish (eager off) to `broker_url`."""
    from portal.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _drop_broker_connections(app)
    app.conf.broker_url, app.conf.task_always_eager = broker_url, False
    try:
        yield app
    finally:
        _drop_broker_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = saved


@pytest.fixture(scope="module", name="private_redis")
def private_redis_fixture(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", name="celery_worker")
def celery_worker_fixture(django_db_setup, private_redis, tmp_path_factory):
    """One real worker per test module; this process publishes to the same private Redis."""
    from django.db import connection

    worker = CeleryWorker(
        tmp_path_factory.mktemp("celery-worker"),
        database_url=_database_url(connection.settings_dict),
        broker_url=private_redis.url,
    )
    with publishing_to(private_redis.url):
        try:
            worker.start()
            yield worker
        finally:
            worker.stop()


@pytest.fixture(scope="module", name="publishing")
def publishing_fixture(django_db_setup, private_redis):
    """This process publishes to the private Redis (once per module: re-entering would find
    kombu's closed producer pool). For tests that start their own workers (``workers``)."""
    with publishing_to(private_redis.url):
        yield private_redis


@pytest.fixture(name="workers")
def workers_fixture(publishing, tmp_path_factory):
    """``start()`` starts one more worker on the private Redis (each with its own mail
    directory); all of them are stopped at the end of the test. For tests that kill one."""
    from django.db import connection

    started = []

    def start():
        worker = CeleryWorker(tmp_path_factory.mktemp("worker"),
                              database_url=_database_url(connection.settings_dict),
                              broker_url=publishing.url)
        worker.start()
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@pytest.fixture(name="redis_restored")
def redis_restored_fixture(private_redis):
    """For tests that stop Redis: it is running again afterwards, even if the test failed."""
    try:
        yield private_redis
    finally:
        private_redis.ensure_running()
