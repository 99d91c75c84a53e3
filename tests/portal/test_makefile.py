"""The README's first steps: `make run` and `make test` on a machine set up otherwise than ours.
The system tools `make` calls (pg_isready, psql, createdb, redis-cli) are stand-ins on PATH; the
Makefile itself runs as it is."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def _make(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PORT"}}
    environment.update(env, PATH=f"{tmp_path}:{os.environ['PATH']}")
    return subprocess.run([shutil.which("make"), "--no-print-directory", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=60)


def test_make_test_says_when_postgresql_wants_a_password(tmp_path):
    # Debian's own pg_hba.conf asks a password over TCP: every test then failed with
    # "fe_sendauth: no password supplied", ~1,900 times, after the whole run.
    _tool(tmp_path, "pg_isready", "exit 0")
    _tool(tmp_path, "psql", 'echo "fe_sendauth: no password supplied" >&2; exit 2')
    _tool(tmp_path, "createdb", "exit 1")
    _tool(tmp_path, "redis-cli", "echo PONG")
    result = _make(tmp_path, "services")
    assert result.returncode != 0
    assert "DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/portal" in result.stderr


def test_make_test_uses_the_database_url_it_is_given(tmp_path):
    _tool(tmp_path, "pg_isready", "exit 0")
    _tool(tmp_path, "psql", 'echo "$@" >> "$(dirname "$0")/psql.log"; exit 0')
    _tool(tmp_path, "createdb", "exit 0")
    _tool(tmp_path, "redis-cli", "echo PONG")
    url = "postgres://portal:secret@127.0.0.1:5432/portal"
    result = _make(tmp_path, "services", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert url in (tmp_path / "psql.log").read_text()


def test_make_run_serves_on_the_port_asked_for():
    result = subprocess.run([shutil.which("make"), "-n", "run", "PORT=8105"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [serve] = [line for line in result.stdout.splitlines() if "runserver" in line]
    assert "runserver 127.0.0.1:8105" in serve
    # The links in the demo's e-mails and certificates follow the port.
    assert "PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://127.0.0.1:8105}" in serve
