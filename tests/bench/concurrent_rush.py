"""Running one piece of work for many items at once, the way the portal runs in production:
several worker processes (gunicorn's workers), each with a few threads (gthread), every thread
with its own database connection, all released together.

Processes matter on this stack: one Python process runs Python on one core at a time (the GIL),
so eight threads in one process measure the interpreter's lock more than the checkout, while
gunicorn runs several processes (architecture.md, "Runtime"). The reference loops run through
the same driver, so the ratio compares like with like.

The processes are forked from the benchmark's process after Django is set up and the warm-up
has run (code imported, templates compiled), with no database connection open, so each child
starts as warm as a gunicorn worker that has served a request. Each child reports back its
calls' latencies, the errors of its threads, the Celery messages its checkouts published to its
own in-memory broker, and the warnings the outbox logged.
"""

import contextlib
import logging
import multiprocessing
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.run import BenchmarkFailed

BARRIER_TIMEOUT_SECONDS = 60
RESULT_TIMEOUT_SECONDS = 600
REAP_SECONDS = 0.3


@dataclass
class RushResult:
    seconds: float  # from the release of every worker to the last call done
    latencies: list[float] = field(default_factory=list)
    published: int = 0  # Celery messages published to the in-memory broker
    python_cpu: float = 0.0  # CPU seconds of the worker processes (all their threads)
    postgres_cpu: float | None = None  # CPU seconds of PostgreSQL's processes (None: unknown)
    warnings: list[str] = field(default_factory=list)


class CountWarnings(logging.Handler):
    """Collects what the outbox and the queueing helper log when a publish fails."""

    LOGGERS = ("portal.outbox", "portal.queueing")

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def __enter__(self):
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc):
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def queued_messages() -> int:
    """Messages waiting in this process's in-memory broker's default queue (nobody consumes)."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        _name, count, _consumers = conn.default_channel.queue_declare(
            app.conf.task_default_queue, passive=True
        )
    return count


def postgres_cpu_seconds() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL processes, read from /proc: their
    own user+system time, plus that of exited children the postmaster has reaped (a backend
    whose connection closed). None where /proc is not there or PostgreSQL runs elsewhere."""
    ticks = 0
    found = False
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        name, _sep, rest = stat.partition(" (")[2].rpartition(") ")
        if name != "postgres":
            continue
        fields = rest.split()
        # stat(5): utime, stime, cutime, cstime are fields 14-17 (here 11-14, after the state)
        ticks += sum(int(value) for value in fields[11:15])
        found = True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def _threads_of_one_process(items, threads: int, work, go, results) -> None:
    """A child process: `threads` threads share `items`; each connects, then all wait for `go`
    (the barrier every process and the parent pass together). Puts one report on `results`."""
    from django.db import connection

    shares = [items[index::threads] for index in range(threads)]
    connected = threading.Barrier(threads + 1)
    released = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def worker(share):
        mine = []
        try:
            connection.ensure_connection()  # connected before the clock starts, as in a server
            connected.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            released.wait()
            for item in share:
                started = time.perf_counter()
                work(item)
                mine.append(time.perf_counter() - started)
        except threading.BrokenBarrierError:
            pass  # another thread failed first; its error is the one reported
        except Exception:  # noqa: BLE001 - reported to the parent, the benchmark fails
            with lock:
                errors.append(traceback.format_exc())
            connected.abort()
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    queued_before = queued_messages()
    with CountWarnings() as warnings:
        workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
        for thread in workers:
            thread.start()
        try:
            connected.wait(timeout=BARRIER_TIMEOUT_SECONDS)
            go.wait(timeout=BARRIER_TIMEOUT_SECONDS)
        except threading.BrokenBarrierError:
            go.abort()  # nobody starts: the parent reports the first error
        cpu_before = time.process_time()  # the threads are connected and waiting
        released.set()
        for thread in workers:
            thread.join()
        done = time.monotonic()  # system-wide clock: comparable with the parent's
        cpu = time.process_time() - cpu_before
    results.put(
        {
            "done": done,
            "latencies": latencies,
            "errors": errors,
            "published": queued_messages() - queued_before,
            "cpu": cpu,
            "warnings": warnings.messages,
        }
    )


def rush(items, work, *, threads: int, processes: int) -> RushResult:
    """Run `work(item)` for every item on `threads` threads spread over `processes` forked
    processes, released together. Any exception in a worker fails the benchmark (traceback
    included); so does a call that did not run."""
    from django.db import connections

    if not 1 <= processes <= threads:
        raise BenchmarkFailed(f"{processes} processes for {threads} threads")
    context = multiprocessing.get_context("fork")
    go = context.Barrier(processes + 1)
    results = context.Queue()
    per_process = [threads // processes + (index < threads % processes)
                   for index in range(processes)]
    shares = [items[index::processes] for index in range(processes)]
    connections.close_all()  # a forked child must not inherit the parent's connection
    children = [
        context.Process(
            target=_threads_of_one_process,
            args=(share, count, work, go, results),
            name=f"bench-{index}",
        )
        for index, (share, count) in enumerate(zip(shares, per_process, strict=True))
    ]
    for child in children:
        child.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a child failed: reported below
        go.wait(timeout=BARRIER_TIMEOUT_SECONDS)
    started = time.monotonic()
    postgres_before = postgres_cpu_seconds()  # every backend of the rush has started
    reports = [results.get(timeout=RESULT_TIMEOUT_SECONDS) for _child in children]
    for child in children:
        child.join()
    time.sleep(REAP_SECONDS)  # the backends of closed connections exit and are reaped
    postgres_after = postgres_cpu_seconds()
    errors = [error for report in reports for error in report["errors"]]
    if errors:
        raise BenchmarkFailed(f"{len(errors)} worker(s) failed; the first:\n{errors[0]}")
    result = RushResult(
        seconds=max(report["done"] for report in reports) - started,
        latencies=[latency for report in reports for latency in report["latencies"]],
        published=sum(report["published"] for report in reports),
        python_cpu=sum(report["cpu"] for report in reports),
        postgres_cpu=None if postgres_before is None or postgres_after is None
        else postgres_after - postgres_before,
        warnings=[message for report in reports for message in report["warnings"]],
    )
    if len(result.latencies) != len(items):
        raise BenchmarkFailed(f"{len(result.latencies)} of {len(items)} calls ran")
    return result
