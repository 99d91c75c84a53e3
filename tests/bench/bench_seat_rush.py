"""Seat rush: N concurrent checkouts against PostgreSQL on one edition, and the same number of
bare "lock a row + insert" transactions on the same database, in the same run.

Run through the runner (it creates the database and sets Django up):

    .venv/bin/python -m tests.bench.run seat_rush
    .venv/bin/python -m tests.bench.bench_seat_rush        # the same

The rush: one edition with `--checkouts` seats (400), as many distinct participants, `--threads`
(8) worker threads spread over `--processes` (4) forked worker processes, as gunicorn runs the
portal (tests/bench/concurrent_rush.py), each thread with its own database connection, each
doing add_to_cart + checkout for its share of the participants, all released at once by a
barrier. Wall-clock time from the release to the last commit gives checkouts per minute; the
worker processes' CPU time and PostgreSQL's (from /proc) give the CPU per checkout.

The bare loop: the same threads and processes do the same number of transactions
`BEGIN; SELECT ... FROM bench_lock WHERE id = 1 FOR UPDATE; INSERT INTO bench_insert ...; COMMIT`
through the same Django connections: the floor of what any "one lock, one write" checkout can
reach here (round trips, the lock queue and the COMMIT's WAL flush, nothing else).

Then the checks, which fail the run loudly: exactly `--checkouts` registrations, seats_taken
equal to it, the invoice numbers 1..N of the organizer's series without gap or double, one
outbox row per invoice and one task published for it after commit, no failed publish, and
every bare transaction's row present.

Also measured: an uncontended pass of sequential checkouts, with how long each service keeps the
edition row locked (from `lock_editions` returning to the COMMIT), and the load average.
"""

import contextlib
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from tests.bench.concurrent_rush import rush
from tests.bench.run import BenchmarkFailed, Outcome, Row
from tests.bench.seat_rush_references import (
    SHAPE_ROWS,
    SHAPE_STATEMENTS,
    bare_transaction,
    bare_transaction_sql,
    checkout_shaped_sql,
    create_scratch_tables,
    truncate_bare,
    verify_bare,
)

NAME = "seat_rush"
GOAL_PER_MINUTE = 1_200
GOAL_RATIO = 0.25
PROFILE_CHECKOUTS = 100
SEQUENTIAL_CHECKOUTS = 50  # the uncontended pass, with the edition lock's hold time measured
BARE_REPEATS = 3  # the bare loop takes well under a second: its median of three is steadier


# The work of one participant (the reference loops: seat_rush_references.py) ---------------------


def checkout_once(person, edition_id: int) -> None:
    """What the cart and checkout pages' POSTs do for one person (without the HTTP layer)."""
    from registrations.models import Cart
    from registrations.services.cart import add_to_cart
    from registrations.services.checkout import BillingDetails, checkout

    add_to_cart(user=person, edition_id=edition_id)
    token = Cart.objects.filter(user=person).values_list("checkout_token", flat=True).get()
    checkout(user=person, token=token, billing=BillingDetails())


# Data ----------------------------------------------------------------------------------------


UNITS_PER_COURSE = 2


def make_edition(seats: int):
    """An open edition of its own organizer (so its invoice series starts at 1), of a course
    with two units (so every checkout enrols for their first chance, as for most courses)."""
    from django.utils import timezone

    from tests.factories import CourseUnitFactory, EditionFactory, OrganizerFactory

    edition = EditionFactory(
        seats=seats,
        start=timezone.localdate() + timedelta(days=60),
        course__organizer=OrganizerFactory(),
    )
    CourseUnitFactory.create_batch(UNITS_PER_COURSE, course=edition.course)
    return edition


def make_people(count: int, prefix: str):
    from portal.models import User

    people = [
        User(
            email=f"{prefix}{index}@bench.example.org",
            first_name="Bench",
            last_name=f"Participant {index}",
            preferred_language="nl",
            street="Kouter 1",
            postal_code="9000",
            city="Gent",
        )
        for index in range(count)
    ]
    for person in people:
        person.set_unusable_password()
    return User.objects.bulk_create(people)


def verify(edition, people) -> None:
    """The rush's invariants; a BenchmarkFailed names the first that does not hold."""
    from django.utils import timezone

    from billing.models import Invoice
    from billing.references import invoice_number
    from portal.models import OutgoingEmail
    from registrations.models import CartItem, Registration

    count = len(people)
    registered = Registration.objects.filter(edition=edition).count()
    if registered != count:
        raise BenchmarkFailed(f"{registered} registrations for {count} checkouts")
    edition.refresh_from_db()
    if edition.seats_taken != count:
        raise BenchmarkFailed(f"seats_taken is {edition.seats_taken}, not {count}")
    year = timezone.localdate().year
    numbers = list(
        Invoice.objects.filter(organizer=edition.course.organizer)
        .order_by("sequence")
        .values_list("sequence", "number")
    )
    expected = [(n, invoice_number(year, n)) for n in range(1, count + 1)]
    if numbers != expected:
        missing = sorted({n for n, _ in expected} - {n for n, _ in numbers})[:10]
        raise BenchmarkFailed(
            f"invoice numbers are not 1..{count} without gap: {len(numbers)} invoices, "
            f"missing {missing}, last {numbers[-1:]}"
        )
    mails = OutgoingEmail.objects.filter(user__in=people).count()
    if mails != count:
        raise BenchmarkFailed(f"{mails} outbox e-mails for {count} invoices")
    if CartItem.objects.filter(edition=edition).exists():
        raise BenchmarkFailed("cart items left over after checkout")
    from exams.models import Enrolment

    enrolments = Enrolment.objects.filter(registration__edition=edition).count()
    if enrolments != count * UNITS_PER_COURSE:
        raise BenchmarkFailed(f"{enrolments} first-chance enrolments for {count} checkouts")


# The uncontended pass -------------------------------------------------------------------------


@contextlib.contextmanager
def timing_the_locks():
    """Measure, per call, how long the shared rows stay locked: from the statement that locks
    them returning to the COMMIT that releases them (an on_commit callback; bench only, the
    functions are wrapped where the services look them up):

    - add_to_cart: the edition row, from `lock_edition_row`;
    - checkout: the edition row, from the first `take_seat` (the conditional UPDATE);
    - checkout: the organizer's invoice number series, from `next_number` (in issue_invoice).
    """
    from django.db import transaction

    from billing import invoicing
    from registrations.services import cart, checkout

    held: dict[str, list[float]] = {"add_to_cart": [], "checkout": [], "series": []}

    def wrapped(original, key):
        def function(*args, **kwargs):
            result = original(*args, **kwargs)
            started = time.perf_counter()
            transaction.on_commit(lambda: held[key].append(time.perf_counter() - started))
            return result

        return function

    originals = cart.lock_edition_row, checkout.take_seat, invoicing.next_number
    cart.lock_edition_row = wrapped(originals[0], "add_to_cart")
    checkout.take_seat = wrapped(originals[1], "checkout")
    invoicing.next_number = wrapped(originals[2], "series")
    try:
        yield held
    finally:
        cart.lock_edition_row, checkout.take_seat, invoicing.next_number = originals


def sequential_pass(count: int) -> tuple[list[float], dict[str, list[float]]]:
    """`count` checkouts one after the other: latency without contention, and lock hold times."""
    edition = make_edition(count)
    people = make_people(count, "sequential")
    latencies = []
    with timing_the_locks() as held:
        for person in people:
            started = time.perf_counter()
            checkout_once(person, edition.pk)
            latencies.append(time.perf_counter() - started)
    return latencies, held


# Profile -------------------------------------------------------------------------------------


def profile_sequential(count: int) -> Path:
    """cProfile of `count` checkouts in one thread, without contention (the profiler slows the
    Python part ~4x: read the split, not the times); the top goes to stderr, the whole profile
    to var/bench/seat_rush.prof."""
    from django.conf import settings

    edition = make_edition(count)
    people = make_people(count, "profile")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for person in people:
        checkout_once(person, edition.pk)
    profiler.disable()
    elapsed = time.perf_counter() - started
    target = Path(settings.VAR_DIR) / "bench" / "seat_rush.prof"
    target.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(target)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    print(
        f"\n{count} sequential checkouts under cProfile: {elapsed:.2f} s "
        f"({elapsed / count * 1000:.1f} ms each, profiler overhead included)",
        file=out,
    )
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue(), file=sys.stderr)
    return target


# The benchmark -------------------------------------------------------------------------------


def _per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _load() -> str:
    return "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())


def count_statements(person, edition_id: int) -> tuple[int, int, int]:
    """SQL statements of add_to_cart, of reading the token (the checkout page's GET) and of
    checkout, for one person (COMMITs are not statements Django captures)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registrations.models import Cart
    from registrations.services.cart import add_to_cart
    from registrations.services.checkout import BillingDetails, checkout

    with CaptureQueriesContext(connection) as adding:
        add_to_cart(user=person, edition_id=edition_id)
    with CaptureQueriesContext(connection) as reading:
        token = Cart.objects.filter(user=person).values_list("checkout_token", flat=True).get()
    with CaptureQueriesContext(connection) as confirming:
        checkout(user=person, token=token, billing=BillingDetails())
    if os.environ.get("BENCH_SHOW_SQL"):
        for query in [*adding.captured_queries, *confirming.captured_queries]:
            print(query["sql"][:160], file=sys.stderr)
    return (
        len(adding.captured_queries),
        len(reading.captured_queries),
        len(confirming.captured_queries),
    )


def bare_loops(count: int, threads: int, processes: int) -> dict[str, list]:
    """BARE_REPEATS runs of each bare loop, interleaved (ORM, SQL, ORM, ...) so a change in the
    machine's load hits both alike. Per loop, its runs (txn/min, RushResult), slowest first."""
    from django.db import connection

    runs: dict[str, list] = {"orm": [], "sql": [], "shape": []}
    loops = (("orm", bare_transaction, 1), ("sql", bare_transaction_sql, 1),
             ("shape", checkout_shaped_sql, SHAPE_ROWS))
    for _repeat in range(BARE_REPEATS):
        for kind, work, rows_each in loops:
            truncate_bare()
            connection.close()
            result = rush(list(range(1, count + 1)), work, threads=threads, processes=processes)
            verify_bare(count, rows_each)
            runs[kind].append((_per_minute(count, result.seconds), result))
    for kind in runs:
        runs[kind].sort(key=lambda run: run[0])
    return runs


def _cpu_per_call(result, count: int) -> str:
    """Python and PostgreSQL CPU per call of a rush, in ms."""
    postgres = "?" if result.postgres_cpu is None else f"{result.postgres_cpu / count * 1000:.2f}"
    return f"{result.python_cpu / count * 1000:.2f} + {postgres} ms"


def _cpu_ceiling(result, count: int) -> str:
    """Calls per minute if the machine's cores did nothing but this CPU work."""
    if result.postgres_cpu is None:
        return "?"
    per_call = (result.python_cpu + result.postgres_cpu) / count
    return f"{(os.cpu_count() or 1) * 60 / per_call:,.0f}/min"


def run(args) -> Outcome:
    from django.db import connection

    threads, processes, count = args.threads, args.processes, args.checkouts

    # Set up: the scratch tables, one warm-up of each kind of work on an organizer of its own
    # (templates compiled, code paths imported; its statements counted), the edition, people.
    create_scratch_tables()
    warm_edition = make_edition(5)
    warm_people = make_people(2, "warmup")
    checkout_once(warm_people[0], warm_edition.pk)
    adding, reading, confirming = count_statements(warm_people[1], warm_edition.pk)
    bare_transaction(0)
    bare_transaction_sql(0)
    sequential, held = sequential_pass(min(SEQUENTIAL_CHECKOUTS, count))
    edition = make_edition(count)
    people = make_people(count, "rush")
    connection.close()  # the main thread holds no connection (nor lock) during the rush

    load_before = _load()
    edition_id = edition.pk
    rushed = rush(people, lambda person: checkout_once(person, edition_id),
                  threads=threads, processes=processes)
    rush_seconds, latencies = rushed.seconds, rushed.latencies
    if rushed.warnings:
        raise BenchmarkFailed(f"after-commit publishes failed: {rushed.warnings[0]}")
    verify(edition, people)
    published = rushed.published
    if published != count:
        raise BenchmarkFailed(f"{published} e-mail tasks published for {count} checkouts")

    bare = bare_loops(count, threads, processes)
    load_after = _load()
    middle = len(bare["orm"]) // 2
    bare_rate, bare_run = bare["orm"][middle]
    bare_seconds, bare_latencies = bare_run.seconds, bare_run.latencies
    sql_rate, sql_run = bare["sql"][middle]
    sql_latencies = sql_run.latencies
    shape_rate, shape_run = bare["shape"][middle]

    held_add = statistics.median(held["add_to_cart"])
    held_checkout = statistics.median(held["checkout"])
    held_series = statistics.median(held["series"])
    rate = _per_minute(count, rush_seconds)
    ratio = rate / bare_rate
    goals = (rate >= GOAL_PER_MINUTE, ratio >= GOAL_RATIO)
    rows = [
        Row(
            NAME,
            f"checkouts/min ({count} checkouts, {threads} threads in {processes} processes)",
            f"{rate:,.0f}",
            f"{ratio:.3f}",
        ),
        Row(
            NAME,
            f"bare lock+insert txn/min, ORM ({count} txns, the same threads and processes, "
            f"median of {BARE_REPEATS})",
            f"{bare_rate:,.0f}",
            "1.000",
        ),
        Row(
            NAME,
            "  bare lock+insert txn/min, ORM, slowest and fastest run",
            f"{bare['orm'][0][0]:,.0f} - {bare['orm'][-1][0]:,.0f}",
        ),
        Row(
            NAME,
            f"bare lock+insert txn/min, raw SQL (same threads, median of {BARE_REPEATS})",
            f"{sql_rate:,.0f}",
            f"{sql_rate / bare_rate:.3f}",
        ),
        Row(
            NAME,
            "  checkouts/min as a ratio of the raw-SQL bare rate",
            "",
            f"{rate / sql_rate:.3f}",
        ),
        Row(
            NAME,
            "  bare lock+insert txn/min, raw SQL, slowest and fastest run",
            f"{bare['sql'][0][0]:,.0f} - {bare['sql'][-1][0]:,.0f}",
        ),
        Row(
            NAME,
            f"checkout-shaped raw SQL/min ({SHAPE_STATEMENTS} trivial statements, the same "
            f"transactions and locks; median of {BARE_REPEATS})",
            f"{shape_rate:,.0f}",
            f"{shape_rate / bare_rate:.3f}",
        ),
        Row(NAME, "  checkouts/min as a ratio of the checkout-shaped rate", "",
            f"{rate / shape_rate:.3f}"),
        Row(NAME, "CPU per checkout: Python (worker processes) + PostgreSQL",
            _cpu_per_call(rushed, count)),
        Row(NAME, f"  ceiling from CPU alone ({os.cpu_count()} cores / CPU per checkout)",
            _cpu_ceiling(rushed, count)),
        Row(NAME, "CPU per bare ORM transaction: Python + PostgreSQL (median run)",
            _cpu_per_call(bare_run, count)),
        Row(NAME, "CPU per checkout-shaped transaction pair: Python + PostgreSQL (median run)",
            _cpu_per_call(shape_run, count)),
        Row(NAME, "checkout wall clock", f"{rush_seconds:.2f} s"),
        Row(NAME, "bare loop wall clock, ORM (median run)", f"{bare_seconds:.2f} s"),
        Row(NAME, "add_to_cart+checkout latency p50", _ms(statistics.median(latencies))),
        Row(NAME, "add_to_cart+checkout latency p95", _ms(_percentile(latencies, 0.95))),
        Row(NAME, "add_to_cart+checkout latency max", _ms(max(latencies))),
        Row(NAME, "bare txn latency p50, ORM / raw SQL (median run)",
            f"{_ms(statistics.median(bare_latencies))} / {_ms(statistics.median(sql_latencies))}"),
        Row(
            NAME,
            "SQL statements: add_to_cart + token read + checkout",
            f"{adding} + {reading} + {confirming} = {adding + reading + confirming}",
        ),
        Row(
            NAME,
            f"sequential add_to_cart+checkout latency p50 (1 thread, {len(sequential)})",
            _ms(statistics.median(sequential)),
        ),
        Row(NAME, "  edition row locked in add_to_cart, p50", _ms(held_add)),
        Row(NAME, "  edition row locked in checkout (take_seat to COMMIT), p50",
            _ms(held_checkout)),
        Row(NAME, "  number series locked in checkout (to COMMIT), p50", _ms(held_series)),
        Row(
            NAME,
            "  ceiling from the edition lock alone (60 s / both holds)",
            f"{60 / (held_add + held_checkout):,.0f}/min",
        ),
        Row(NAME, "checks: registrations, seats, invoices 1..N, outbox", f"{count} ok"),
        Row(NAME, "e-mail tasks published after commit (memory broker)", f"{published}"),
        Row(NAME, "load average 1/5/15 min, before the rush", load_before),
        Row(NAME, "load average 1/5/15 min, after the bare loops", load_after),
        Row(NAME, f"goal >= {GOAL_PER_MINUTE:,} checkouts/min", "met" if goals[0] else "MISSED"),
        Row(
            NAME,
            f"goal >= {GOAL_RATIO:.0%} of the bare (ORM) rate",
            "met" if goals[1] else "MISSED",
            f"{ratio:.3f}",
        ),
    ]
    if args.profile:
        path = profile_sequential(min(PROFILE_CHECKOUTS, count))
        rows.append(Row(NAME, "cProfile of sequential checkouts", str(path)))
    return Outcome(rows=rows, goals_met=all(goals))


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
