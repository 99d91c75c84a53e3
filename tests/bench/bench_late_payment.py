"""The daily late-payment job (billing.latepayment.run_late_payment_job) on 10,000 and 100,000
overdue invoices.

    .venv/bin/python -m tests.bench.run late_payment
    .venv/bin/python -m tests.bench.run late_payment --invoices 2000 20000 --profile

Each set is written by tests/bench/fixtures_billing.py (one organizer per set, every invoice
unpaid and 15 to 44 days past its due date), so the job's first run today takes one step per
invoice: the free written reminder (a LatePaymentStep, an unpaid flag per registration, an
outbox e-mail rendered in the participant's language; no charge before the reminder's term).

1. the small set: the job once (reminders for all), timed, its SQL statements counted with a
   `connection.execute_wrapper` counter (no query text kept);
2. the job again the same day: it must take no step (0 e-mails, 0 charges, 0 flags added);
3. the large set (the small one is still there, reminded: the job's candidate query leaves it
   out), the job once more: time, statements; the time ratio large/small (ideal: the size
   ratio, 10) and the statements per invoice, which must not grow with the number of invoices;
   where the time went (SQL statements, COMMITs, the rest: Python);
4. the job again the same day on both sets: no step either.

The job reminds in chunks (`billing.latepayment.CHUNK_SIZE` invoices per transaction, one lock
statement and one insert per table each); see tests/bench/README.md for the figures and
`--invoices 10000 20000` for a quicker run.

E-mails are not sent: Celery is not eager and the after-commit publish goes to kombu's
in-memory queue (see tests/bench/run.py), emptied after each run.
"""

import contextlib
import cProfile
import io
import pstats
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tests.bench.fixtures_billing import issued_invoices, verify
from tests.bench.run import BenchmarkFailed, Outcome, Row

NAME = "late_payment"
PROFILE_INVOICES = 2_000


class QueryCounter:
    """`connection.execute_wrapper` that counts statements and the time spent in them (the
    round trip and, for client-side cursors, receiving the rows), per kind of statement; it
    keeps no query text. With `commits=True` the COMMITs are timed too (they do not go through
    execute wrappers)."""

    FROM = re.compile(r'\bFROM\s+"(\w+)"')

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.commits = 0
        self.commit_seconds = 0.0
        self.kinds: dict[str, list] = defaultdict(lambda: [0, 0.0])

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            kind = self.kind_of(sql)
            self.kinds[kind][0] += 1
            self.kinds[kind][1] += elapsed

    @classmethod
    def kind_of(cls, sql: str) -> str:
        """"SELECT billing_invoice", "INSERT portal_outgoingemail", "SAVEPOINT"...: the verb
        and the table (for a SELECT, the one of its outer FROM, not of a subquery)."""
        words = sql.split(None, 3)
        if not words:
            return "?"
        verb = words[0].upper()
        if verb in ("INSERT", "DELETE") and len(words) > 2:
            return f"{verb} {words[2].strip(chr(34))}"
        if verb == "UPDATE" and len(words) > 1:
            return f"{verb} {words[1].strip(chr(34))}"
        if verb == "SELECT":
            for match in cls.FROM.finditer(sql):
                if sql.count("(", 0, match.start()) == sql.count(")", 0, match.start()):
                    return f"SELECT {match.group(1)}"
        return verb

    def top(self, n: int = 3) -> list[tuple[str, int, float]]:
        ranked = sorted(self.kinds.items(), key=lambda item: -item[1][1])
        return [(kind, count, seconds) for kind, (count, seconds) in ranked[:n]]


@contextlib.contextmanager
def counting_queries(commits: bool = False):
    from django.db import connection, connections

    counter = QueryCounter()
    wrapper = connections[connection.alias]
    if commits:
        original = wrapper._commit

        def timed_commit():
            started = time.perf_counter()
            try:
                return original()
            finally:
                counter.commits += 1
                counter.commit_seconds += time.perf_counter() - started

        wrapper._commit = timed_commit
    try:
        with connection.execute_wrapper(counter):
            yield counter
    finally:
        if commits:
            del wrapper._commit


@dataclass
class JobRun:
    seconds: float
    sql: QueryCounter
    report: object  # billing.latepayment.JobReport
    emails: int  # outbox rows added
    flags: int  # unpaid flags added
    steps: int  # LatePaymentStep rows added
    charges: int  # late-charge invoices added
    published: int  # send tasks published after commit (in-memory broker)

    @property
    def queries(self) -> int:
        return self.sql.count

    def per_invoice(self, count: int) -> float:
        return self.queries / count


def _totals() -> tuple[int, int, int, int]:
    from billing.models import Invoice, LatePaymentStep, UnpaidFlag
    from portal.models import OutgoingEmail

    return (OutgoingEmail.objects.count(), UnpaidFlag.objects.count(),
            LatePaymentStep.objects.count(),
            Invoice.objects.filter(kind=Invoice.Kind.LATE_CHARGE).count())


def queued_messages() -> int:
    """Send tasks waiting in the in-memory broker's queue (0 before the first publish, when
    the queue does not exist yet)."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        try:
            _name, count, _consumers = conn.default_channel.queue_declare(
                app.conf.task_default_queue, passive=True
            )
        except conn.channel_errors:
            return 0
    return count


def purge_queue() -> None:
    """Drop the unread send tasks of the in-memory broker (100,000 of them hold memory)."""
    from portal.celery import app

    with app.connection_for_write() as conn, contextlib.suppress(*conn.channel_errors):
        conn.default_channel.queue_purge(app.conf.task_default_queue)


def run_job(today) -> JobRun:
    from billing.latepayment import run_late_payment_job

    before, queued = _totals(), queued_messages()
    with counting_queries(commits=True) as counter:
        started = time.perf_counter()
        report = run_late_payment_job(today)
        seconds = time.perf_counter() - started
    after = _totals()
    published = queued_messages() - queued
    purge_queue()
    emails, flags, steps, charges = (b - a for a, b in zip(before, after, strict=True))
    return JobRun(seconds, counter, report, emails, flags, steps, charges, published)


def check_first_run(job: JobRun, count: int) -> None:
    report = job.report
    expected = {"examined": count, "reminders": count, "charges": 0, "failed": 0, "skipped": 0}
    actual = {name: getattr(report, name) for name in expected}
    if actual != expected:
        raise BenchmarkFailed(f"first run on {count:,}: {actual}, expected {expected} "
                              f"(errors: {report.errors[:3]})")
    added = {"emails": job.emails, "flags": job.flags, "steps": job.steps,
             "charges": job.charges, "published": job.published}
    if added != {"emails": count, "flags": count, "steps": count, "charges": 0,
                 "published": count}:
        raise BenchmarkFailed(f"first run on {count:,} added {added}")


def check_second_run(job: JobRun) -> None:
    report = job.report
    taken = (report.reminders, report.charges, report.failed, job.emails, job.flags, job.steps,
             job.charges, job.published)
    if any(taken):
        raise BenchmarkFailed(f"second run the same day took steps: reminders, charges, failed, "
                              f"e-mails, flags, steps, charge invoices, publishes = {taken}")


def profile_job(today) -> Path:
    """cProfile of the job's first run on PROFILE_INVOICES fresh overdue invoices (the profiler
    slows Python down: read the split, not the seconds); the top goes to stderr, the whole
    profile to var/bench/late_payment.prof."""
    from django.conf import settings

    invoice_set = issued_invoices(PROFILE_INVOICES, today)
    profiler = cProfile.Profile()
    from billing.latepayment import run_late_payment_job

    profiler.enable()
    report = run_late_payment_job(today)
    profiler.disable()
    purge_queue()
    if report.reminders != invoice_set.count:
        raise BenchmarkFailed(f"profiled run: {report.reminders} reminders")
    target = Path(settings.VAR_DIR) / "bench" / "late_payment.prof"
    target.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(target)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    print(f"\nlate-payment job, first run on {invoice_set.count:,} invoices, under cProfile",
          file=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue(), file=sys.stderr)
    return target


def split_rows(job: JobRun, count: int) -> list[Row]:
    """Where the time of a run went: SQL statements (round trip included), COMMITs, and the
    rest (Python: the ORM building statements, templates, the publish)."""
    sql, commits = job.sql.seconds, job.sql.commit_seconds
    python = job.seconds - sql - commits
    rows = [
        Row(NAME, f"  {count:,}: time in SQL statements / COMMITs / Python",
            f"{sql:.0f} / {commits:.0f} / {python:.0f} s",
            f"{sql / job.seconds:.2f}/{commits / job.seconds:.2f}/{python / job.seconds:.2f}"),
        Row(NAME, f"  {count:,}: per invoice, SQL / COMMIT / Python",
            f"{sql / count * 1000:.1f} / {commits / count * 1000:.1f} / "
            f"{python / count * 1000:.1f} ms"),
    ]
    for kind, number, seconds in job.sql.top(4):
        rows.append(Row(NAME, f"    {kind} x{number / count:.2g}/invoice",
                        f"{seconds / number * 1000:.2f} ms each", f"{seconds / job.seconds:.2f}"))
    return rows


def run(args) -> Outcome:
    from django.utils import timezone

    from billing.latepayment import CHUNK_SIZE as chunk_size

    small, large = args.invoices
    batch_size = 500  # run_late_payment_job's default
    today = timezone.localdate()
    rows: list[Row] = []

    small_set = issued_invoices(small, today)
    verify(small_set)
    rows.append(Row(NAME, f"write {small:,} overdue invoices (bulk_create, fixture)",
                    f"{small_set.seconds:.1f} s"))
    first = run_job(today)
    check_first_run(first, small)
    second = run_job(today)
    check_second_run(second)

    large_set = issued_invoices(large, today)
    verify(large_set)
    rows.append(Row(NAME, f"write {large:,} overdue invoices (bulk_create, fixture)",
                    f"{large_set.seconds:.1f} s"))
    big = run_job(today)
    check_first_run(big, large)
    again = run_job(today)
    check_second_run(again)

    size_ratio = large / small
    time_ratio = big.seconds / first.seconds
    rows += [
        Row(NAME, f"first run, {small:,} overdue: reminders for all", f"{first.seconds:.1f} s",
            "1.00"),
        Row(NAME, f"first run, {large:,} overdue: reminders for all", f"{big.seconds:.1f} s",
            f"{time_ratio:.2f}"),
        Row(NAME, f"  time ratio {large:,}/{small:,} (ideal {size_ratio:g})",
            f"{time_ratio:.2f}", f"{time_ratio / size_ratio:.2f}"),
        Row(NAME, f"  invoices/s, {small:,}", f"{small / first.seconds:,.0f}"),
        Row(NAME, f"  invoices/s, {large:,}", f"{large / big.seconds:,.0f}"),
        Row(NAME, f"  SQL statements per invoice, {small:,}",
            f"{first.per_invoice(small):.2f}"),
        Row(NAME, f"  SQL statements per invoice, {large:,}",
            f"{big.per_invoice(large):.2f}",
            f"{big.per_invoice(large) / first.per_invoice(small):.2f}"),
        Row(NAME, f"  SQL statements, {small:,} / {large:,}",
            f"{first.queries:,} / {big.queries:,}"),
        *split_rows(big, large),
        Row(NAME, f"  batches ({batch_size} invoices) / chunks per transaction ({chunk_size})",
            f"{first.report.batches} / {big.report.batches} batches, "
            f"{-(-small // chunk_size)} / {-(-large // chunk_size)} chunks"),
        Row(NAME, f"  COMMITs, {small:,} / {large:,}",
            f"{first.sql.commits:,} / {big.sql.commits:,}"),
        Row(NAME, "  added: steps, flags, outbox e-mails, publishes",
            f"{first.steps + big.steps:,} each"),
        Row(NAME, f"second run same day, {small:,} (nothing to do)",
            f"{second.seconds * 1000:.0f} ms"),
        Row(NAME, "  e-mails / charges / flags / steps added",
            f"{second.emails} / {second.charges} / {second.flags} / {second.steps}"),
        Row(NAME, "  SQL statements", f"{second.queries}"),
        Row(NAME, f"second run same day, {small + large:,} reminded (nothing to do)",
            f"{again.seconds * 1000:.0f} ms"),
        Row(NAME, "  e-mails / charges / flags / steps added",
            f"{again.emails} / {again.charges} / {again.flags} / {again.steps}"),
    ]
    if args.profile:
        rows.append(Row(NAME, "cProfile of a first run", str(profile_job(today))))
    return Outcome(rows=rows)


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
