"""Run the benchmarks against a fresh PostgreSQL database and print one table.

    .venv/bin/python -m tests.bench.run                 # every benchmark (what `make bench` runs)
    .venv/bin/python -m tests.bench.run seat_rush --threads 4 --checkouts 200 --profile
    .venv/bin/python -m tests.bench.run pages pdf --page-seconds 10

The database is the server of DATABASE_URL (default: the test suite's,
postgres://postgres@127.0.0.1:5432/portal) with `_bench` appended to its name (`portal_bench`):
dropped, created and migrated at the start, dropped at the end (`--keep-db` keeps it).

Settings are the test suite's (portal.settings_test) with one change, made before any task is
published: Celery is NOT eager and publishes to kombu's in-memory transport. With eager Celery
each checkout would render and "send" its invoice PDF inline (WeasyPrint, ~150 ms), which in
production a worker does after the checkout has committed. The outbox row and the rendered
e-mail bodies are still written inside the checkout's transaction, as in production; only the
after-commit publish goes to a queue nobody reads. See tests/bench/README.md.

Exit status: 0 when every benchmark ran and its checks held (whether or not the performance
goals were met; `--strict` makes a missed goal exit 1 too); 1 otherwise.
"""

import argparse
import importlib
import os
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal"
# kombu's in-process transport: a publish is a put on a queue of this process that nobody reads.
MEMORY_BROKER_URL = "memory://localhost/"
# In this order, whatever the order on the command line: the billing benchmarks share their
# invoice sets (tests/bench/fixtures_billing.py); the late-payment job must see them unpaid and
# unreminded, the statement import pays some of them.
BENCHMARKS = {
    "seat_rush": "tests.bench.bench_seat_rush",
    "late_payment": "tests.bench.bench_late_payment",
    "exports": "tests.bench.bench_exports",
    "statement_import": "tests.bench.bench_statement_import",
    # Last: they add editions, registrations and invoices the billing benchmarks must not see.
    "pages": "tests.bench.bench_pages",
    "pdf": "tests.bench.bench_pdf",
}


class BenchmarkFailed(AssertionError):
    """A benchmark's own checks did not hold (e.g. a gap in the invoice numbers); `rows` are
    what it measured before that, printed in the table all the same."""

    def __init__(self, message: str = "", rows: list | None = None):
        super().__init__(message)
        self.rows = rows or []


@dataclass(frozen=True)
class Row:
    benchmark: str
    measure: str
    value: str
    ratio: str = ""


@dataclass
class Outcome:
    rows: list[Row]
    goals_met: bool = True


# The database --------------------------------------------------------------------------------


def bench_database_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") or "portal"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def _maintenance_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def recreate_database(url: str) -> None:
    from psycopg import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    with _maintenance_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def drop_database(url: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    with _maintenance_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


# Django --------------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings_test"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.conf import settings

    from portal.celery import app

    # Not eager: the after-commit publish goes to an in-memory queue (see the module docstring).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = MEMORY_BROKER_URL
    app.conf.task_always_eager = False
    app.conf.broker_url = MEMORY_BROKER_URL
    if settings.DATABASES["default"]["NAME"] != urlsplit(database_url).path.lstrip("/"):
        raise RuntimeError(f"Refusing to run: settings point at {settings.DATABASES['default']}")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# The table -----------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    header = Row("benchmark", "measure", "value", "ratio")
    widths = [
        max(len(getattr(row, field)) for row in [header, *rows])
        for field in ("benchmark", "measure", "value", "ratio")
    ]

    def line(row: Row) -> str:
        cells = (row.benchmark, row.measure, row.value, row.ratio)
        padded = [
            cell.rjust(width) if index >= 2 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (width + 1) + ":" if index >= 2 else "-" * (width + 2)
            for index, width in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="BENCHMARK",
        help=f"any of {', '.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="concurrent workers, all processes (default 8)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="worker processes the seat rush's threads are spread over, as gunicorn's "
        "workers (default 4; 1 runs every thread in one Python process)",
    )
    parser.add_argument(
        "--checkouts",
        type=int,
        default=400,
        help="seats, participants and checkouts of the seat rush (default 400)",
    )
    parser.add_argument(
        "--invoices",
        type=int,
        nargs=2,
        default=[10_000, 100_000],
        metavar=("SMALL", "LARGE"),
        help="sizes of the two invoice sets of the billing benchmarks (default 10000 100000)",
    )
    parser.add_argument(
        "--statement-lines",
        type=int,
        default=10_000,
        help="lines of the imported camt.053 statement (default 10000)",
    )
    parser.add_argument(
        "--matching",
        type=int,
        default=1_000,
        help="statement lines that pay an invoice of the small set (default 1000)",
    )
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=5.0,
        help="load per page (and per bare-view run) in the pages benchmark (default 5)",
    )
    parser.add_argument(
        "--pdf-repeats",
        type=int,
        default=10,
        help="renders of each PDF in the pdf benchmark (default 10)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile with cProfile (checkouts, the late-payment job, the statement "
        "import) and print the top",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.benchmarks) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if args.threads < 1 or args.checkouts < args.threads:
        parser.error("--threads must be at least 1 and at most --checkouts")
    if not 1 <= args.processes <= args.threads:
        parser.error("--processes must be at least 1 and at most --threads")
    small, large = args.invoices
    if not 1 <= small < large <= 999_999:
        parser.error("--invoices SMALL LARGE: 1 <= SMALL < LARGE <= 999999 (one series a year)")
    if args.page_seconds <= 0 or args.pdf_repeats < 1:
        parser.error("--page-seconds must be positive and --pdf-repeats at least 1")
    if not 1 <= args.matching <= min(args.statement_lines, small):
        parser.error("--matching: at least 1, at most --statement-lines and the small set")
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = [name for name in BENCHMARKS if name in args.benchmarks] or list(BENCHMARKS)
    url = bench_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    started = time.perf_counter()
    database = urlsplit(url).path.lstrip("/")
    print(f"Benchmark database {database}: creating and migrating...", file=sys.stderr)
    recreate_database(url)
    setup_django(url)
    migrate()
    print(f"  ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    rows: list[Row] = []
    failures: list[str] = []
    goals_met = True
    try:
        for name in names:
            module = importlib.import_module(BENCHMARKS[name])
            print(f"Running {name}...", file=sys.stderr)
            try:
                outcome = module.run(args)
            except BenchmarkFailed as error:
                failures.append(f"{name}: {error}")
                rows.extend(error.rows)
                rows.append(Row(name, "FAILED", str(error)[:60]))
                continue
            rows.extend(outcome.rows)
            goals_met = goals_met and outcome.goals_met
    finally:
        if not args.keep_db:
            drop_database(url)
    print()
    print(table(rows))
    print()
    print(
        f"Whole run: {time.perf_counter() - started:.1f} s (database {database}"
        f"{', kept' if args.keep_db else ', dropped'})."
    )
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    if failures:
        return 1
    if args.strict and not goals_met:
        print("A goal was missed (--strict).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Through the imported module, not __main__: the benchmarks import BenchmarkFailed from it.
    from tests.bench import run as _module

    sys.exit(_module.main())
