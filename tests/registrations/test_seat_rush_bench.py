"""`make bench`'s seat rush runs and its own checks hold when the checkouts come from several
worker processes at once (tests/bench/concurrent_rush.py): exactly as many registrations as
seats, invoice numbers 1..N without gap or double, one outbox row and one published task per
invoice. A small rush in a subprocess, on a database of its own (the runner creates and drops
it), so `make bench` keeps working and the forked checkouts keep the invariants."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CHECKOUTS = 24


@pytest.mark.django_db
def test_a_small_seat_rush_in_worker_processes_passes_its_checks():
    settings = connection.settings_dict
    # The runner appends "_bench": this worker's own name, so parallel runs never share it.
    name = f"{settings['NAME']}_rush"
    login = settings["USER"] or "postgres"
    if settings["PASSWORD"]:
        login += f":{quote(settings['PASSWORD'], safe='')}"
    url = urlunsplit(("postgres", f"{login}@{settings['HOST'] or '127.0.0.1'}:"
                                  f"{settings['PORT'] or 5432}", f"/{name}", "", ""))
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("PYTEST_XDIST_WORKER", None)
    finished = subprocess.run(
        [sys.executable, "-m", "tests.bench.run", "seat_rush", "--checkouts", str(CHECKOUTS),
         "--threads", "4", "--processes", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr[-3000:]
    table = finished.stdout
    assert "checkouts/min (24 checkouts, 4 threads in 2 processes)" in table
    assert f"{CHECKOUTS} ok" in table  # registrations, seats, invoices 1..N, outbox
    published = next(line for line in table.splitlines() if "e-mail tasks published" in line)
    assert published.split("|")[3].strip() == str(CHECKOUTS)  # the value column
    assert "CPU per checkout" in table
