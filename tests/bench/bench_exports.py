"""The finance export of invoices (billing.exports) on 10,000 and 100,000 invoices.

    .venv/bin/python -m tests.bench.run exports
    .venv/bin/python -m tests.bench.run exports --invoices 2000 20000

The sets are tests/bench/fixtures_billing.py's (one organizer each; shared with the late-payment
benchmark). For each size, the organizer's "invoices" export over the set's whole period
(`billing.exports.rows.invoices`), what `billing.exports.download` streams:

- CSV: the `stream_csv` generator consumed to the end, written to /dev/null;
- XLSX: the `stream_xlsx` generator (our SpreadsheetML written into a streamed ZIP; until 27
  Nov openpyxl's write-only mode into a temporary file) consumed to the end, to /dev/null.

Each export runs twice: once timed (nothing else running in the process), once under
`tracemalloc` for the peak of Python memory (the tracing slows it down; its time is not
reported). Memory that libpq or lxml allocate in C is not traced; the rows that reach Python
are. Ratios large/small: time should follow the number of rows (10), peak memory should not
grow (about 1) when nothing is held whole.
"""

import gc
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass

from tests.bench.bench_late_payment import counting_queries
from tests.bench.fixtures_billing import issued_invoices, verify
from tests.bench.run import BenchmarkFailed, Outcome, Row

NAME = "exports"
MB = 1024 * 1024


@dataclass
class Export:
    fmt: str
    count: int
    seconds: float = 0.0
    peak: int = 0  # bytes, tracemalloc
    size: int = 0  # bytes written
    rows: int = 0  # rows written, header included
    queries: int = 0


def _table(invoice_set):
    from billing.exports import rows

    return rows.table(rows.INVOICES, invoice_set.organizer, invoice_set.first_issue,
                      invoice_set.last_issue)


def _counted(rows, tally: list[int]):
    for row in rows:
        tally[0] += 1
        yield row


def _write(fmt: str, invoice_set) -> tuple[int, int]:
    """(bytes written, rows written) of one export."""
    from billing.exports.csv_stream import stream_csv
    from billing.exports.xlsx import stream_xlsx

    tally = [0]
    rows = _counted(_table(invoice_set).all_rows(), tally)
    chunks = stream_csv(rows) if fmt == "csv" else stream_xlsx(rows, title="invoices")
    size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            sink.write(chunk)
            size += len(chunk)
    return size, tally[0]


def measure(fmt: str, invoice_set) -> Export:
    export = Export(fmt, invoice_set.count)
    gc.collect()
    with counting_queries() as counter:
        started = time.perf_counter()
        export.size, export.rows = _write(fmt, invoice_set)
        export.seconds = time.perf_counter() - started
    export.queries = counter.count
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        _write(fmt, invoice_set)
        export.peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if export.rows != invoice_set.count + 1:
        raise BenchmarkFailed(f"{fmt} export of {invoice_set.count:,} invoices wrote "
                              f"{export.rows - 1:,} rows")
    return export


def run(args) -> Outcome:
    from django.utils import timezone

    small, large = args.invoices
    today = timezone.localdate()
    rows: list[Row] = []
    results: dict[tuple[str, int], Export] = {}
    for count in (small, large):
        invoice_set = issued_invoices(count, today)
        verify(invoice_set)
        for fmt in ("csv", "xlsx"):
            results[fmt, count] = measure(fmt, invoice_set)

    for fmt in ("csv", "xlsx"):
        low, high = results[fmt, small], results[fmt, large]
        label = fmt.upper()
        rows += [
            Row(NAME, f"{label}, {small:,} invoices", f"{low.seconds:.2f} s", "1.00"),
            Row(NAME, f"{label}, {large:,} invoices", f"{high.seconds:.2f} s",
                f"{high.seconds / low.seconds:.2f}"),
            Row(NAME, f"  {label} rows/s, {small:,} / {large:,}",
                f"{small / low.seconds:,.0f} / {large / high.seconds:,.0f}"),
            Row(NAME, f"  {label} peak Python memory, {small:,}", f"{low.peak / MB:.1f} MB",
                "1.00"),
            Row(NAME, f"  {label} peak Python memory, {large:,}", f"{high.peak / MB:.1f} MB",
                f"{high.peak / low.peak:.2f}"),
            Row(NAME, f"  {label} file size, {small:,} / {large:,}",
                f"{low.size / MB:.1f} / {high.size / MB:.1f} MB"),
            Row(NAME, f"  {label} SQL statements, {small:,} / {large:,}",
                f"{low.queries} / {high.queries}"),
        ]
    return Outcome(rows=rows)


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
