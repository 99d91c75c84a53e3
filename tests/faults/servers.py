"""Throw-away servers for the fault tests, so that stopping one never touches the PostgreSQL
(5432) and Redis (6379) everybody else on this machine is testing against.

- `OwnPostgres`: a PostgreSQL cluster of our own (initdb into a temporary directory, trust
  authentication, a free port). initdb and the server refuse to run as root, so as root they
  run as the `postgres` system user (runuser). When none of that is possible the test fails
  with the reason: a fault test is never skipped.
- `Gunicorn`: the portal as it runs in production (gunicorn, DEBUG off) against that cluster.

(The private Redis and the real Celery worker are in tests/celery_worker.py.)
"""

import contextlib
import glob
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.celery_worker import ROOT, free_port, wait_for


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise AssertionError("No PostgreSQL server binaries (initdb, pg_ctl) on this machine: "
                         "install the Debian package postgresql to run the fault tests.")


class OwnPostgres:
    """A PostgreSQL cluster in a temporary directory that a test may stop and start again."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            if shutil.which("runuser") is None:
                raise AssertionError("Running as root without runuser: initdb refuses root.")
            try:
                shutil.chown(self.dir, user="postgres")
            except LookupError:
                raise AssertionError("Running as root and there is no `postgres` user to run "
                                     "initdb and the server as.") from None

    def _run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin / command[0]), *command[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                cwd=self.dir)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n"
                                 f"{result.stderr}\n{self.server_log()}")
        return result

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "portal")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                  "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as in a restart or a fail-over."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True).returncode == 0

    def copy_from(self, database_url_parts: dict) -> None:
        """The schema and rows of a database on another server (the test database pytest-django
        migrated): much faster than migrating again."""
        source = ["-h", database_url_parts["HOST"] or "127.0.0.1",
                  "-p", str(database_url_parts["PORT"] or 5432),
                  "-U", database_url_parts["USER"] or "postgres"]
        dump = subprocess.run([str(self.bin / "pg_dump"), *source, "--no-owner", "--no-acl",
                               database_url_parts["NAME"]],
                              capture_output=True, timeout=120,
                              env={**os.environ, "PGPASSWORD": database_url_parts["PASSWORD"]
                                   or ""})
        if dump.returncode != 0:
            raise AssertionError(f"pg_dump failed: {dump.stderr.decode(errors='replace')}")
        load = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "postgres", "-d", "portal", "-q", "-v", "ON_ERROR_STOP=1"],
                              input=dump.stdout, capture_output=True, timeout=120)
        if load.returncode != 0:
            raise AssertionError(f"psql failed: {load.stderr.decode(errors='replace')}")

    def psql(self, sql: str) -> str:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-d", "portal", "-At", "-c", sql).stdout

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            with contextlib.suppress(AssertionError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class Gunicorn:
    """`gunicorn portal.wsgi` with production settings (tests/faults/gunicorn_settings.py)."""

    def __init__(self, database_url: str, workdir: Path, **environment: str):
        self.environment = environment
        self.port = free_port()
        self.database_url = database_url
        self.workdir = workdir
        self.log_path = workdir / "gunicorn.log"
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.faults.gunicorn_settings",
            DATABASE_URL=self.database_url,
            SECRET_KEY="faults-test-secret-key-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            PORTAL_SECURE="false",
            PORTAL_VAR_DIR=str(self.workdir),
            PYTHONPATH=str(ROOT),
            **self.environment,
        )
        return env

    def session_of_a_participant(self) -> str:
        """A participant in the served database and the session cookie of their log-in,
        made by the same settings (and SECRET_KEY) as the server."""
        script = (
            "import django; django.setup()\n"
            "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, "
            "SESSION_KEY\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "from portal.models import User\n"
            "user, _ = User.objects.get_or_create(email='outage@example.org', "
            "defaults={'first_name': 'An', 'last_name': 'Peeters'})\n"
            "session = SessionStore()\n"
            "session[SESSION_KEY] = str(user.pk)\n"
            "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
            "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
            "session.create()\n"
            "print(session.session_key)\n"
        )
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=self.env(),
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"Could not make a session:\n{result.stderr}")
        return result.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        env = self.env()
        command = [str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "1",
                   "--timeout", "60", "--graceful-timeout", "5"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        wait_for(self._ready, timeout=60, what=f"gunicorn (log: {self.log_path})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log()}")
        # Ours, not another process's server that had the same free port first.
        if f"Listening at: {self.url} ({self.process.pid})" not in self.log_path.read_text(
                errors="replace"):
            return False
        try:
            self.get("/static/css/portal.css", timeout=2)  # any answer will do
        except OSError:
            return False
        return True

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def get(self, path: str, language: str = "en", timeout: float = 30,
            session: str = "") -> tuple[int, dict, str, float]:
        """(status, headers, body, seconds) of a GET as a browser with that language (and
        that session cookie: logged in)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        cookie = f"django_language={language}" + (f"; sessionid={session}" if session else "")
        started = time.monotonic()
        try:
            connection.request("GET", path, headers={
                "Cookie": cookie, "Accept-Language": language})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        return (response.status, dict(response.getheaders()),
                body.decode("utf-8", errors="replace"), time.monotonic() - started)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
