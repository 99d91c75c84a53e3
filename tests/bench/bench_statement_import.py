"""Importing a 10,000-line camt.053 statement (billing.statements.importer.import_statement),
against parsing the same file alone (billing.statements.parse_statement).

    .venv/bin/python -m tests.bench.run statement_import
    .venv/bin/python -m tests.bench.run statement_import --statement-lines 2000 --matching 200

The file is written by tests/billing/statement_files.py (camt.053.001.08, one statement, one
booked entry per line, on the organizers' account) with, for `--statement-lines` N and
`--matching` M (10,000 and 1,000):

- M lines that pay, in full and with their structured communication in the creditor
  reference, M invoices spread over the small invoice set of tests/bench/fixtures_billing.py;
- of the other lines, 45 % carry a valid structured communication that is none of ours (another
  creditor's), 45 % are other income with a free text and no communication, and 10 % pay the
  amount of one of our invoices without the communication, under the customer's family name
  and initial ("PEETERS427 A"; the importer looks for an open invoice of that amount and a
  similar name, and suggests it when exactly one fits).

Both invoice sets (10,000 and 100,000) are in the database, as after the late-payment and export
benchmarks (they are written here when this runs alone), so the importer's look-ups see the
same 110,000 invoices whichever benchmarks ran.

Measured: parsing alone (the better of two runs), the whole `import_statement` (it parses
again, then decides and writes the lines in batches of 500, each in its own transaction, the
payments of a batch through one `record_payments`), their ratio, SQL statements per batch, the
time in SQL and the heaviest kind of statement, the look-ups, decisions and payments; then the
same file uploaded again as a new statement: nothing is paid twice (the matched lines are
"already imported", and so are the unmatched ones, pointing at their first line; the
errors are decided again). The uploaded files go
to the bench settings' private MEDIA_ROOT and are deleted afterwards.
"""

import contextlib
import hashlib
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from tests.bench.bench_late_payment import counting_queries
from tests.bench.fixtures_billing import issued_invoices, verify
from tests.bench.run import BenchmarkFailed, Outcome, Row

NAME = "statement_import"
SEED = 20_260_302


def statement_moves(invoice_set, lines: int, matching: int, today):
    """The statement's movements (tests.billing.statement_files.Move) and what each should
    become: "match", "foreign", "other" or "forgotten"."""
    from billing.references import structured_base
    from billing.structured_communication import format_structured
    from tests.billing.statement_files import Move

    rng = random.Random(SEED)
    step = invoice_set.count // matching
    invoices = list(invoice_set.invoices().order_by("sequence").values_list(
        "sequence", "structured_communication", "total", "customer_name"))
    paid = invoices[::step][:matching]
    paid_sequences = {sequence for sequence, *_ in paid}
    unpaid = [row for row in invoices if row[0] not in paid_sequences]
    booked = today - timedelta(days=1)
    moves, kinds = [], []
    for sequence, ogm, total, name in paid:
        moves.append(Move(amount=f"{total}", ogm=_digits(ogm), name=name.upper(),
                          booked=booked, ref=f"BENCH-M{sequence:06d}"))
        kinds.append("match")
    for index in range(lines - matching):
        amount = f"{Decimal(rng.randrange(1_000, 90_000)) / 100}"
        share = index % 20
        if share < 9:  # another creditor's structured communication (organizer digits 99)
            ogm = format_structured(structured_base(invoice_set.year, 99, index + 1))
            moves.append(Move(amount=amount, ogm=_digits(ogm), name=f"KLANT {index}",
                              booked=booked, ref=f"BENCH-F{index:06d}"))
            kinds.append("foreign")
        elif share < 18:  # other income, free text
            moves.append(Move(amount=amount, text=f"Huur zaal {index % 40} factuur K{index}",
                              name=f"VZW Vereniging {index}", booked=booked,
                              ref=f"BENCH-O{index:06d}"))
            kinds.append("other")
        else:  # the amount of one of our invoices, under the customer's name, no communication
            _sequence, _ogm, total, name = unpaid[rng.randrange(len(unpaid))]
            first, last = name.split(" ", 1)
            moves.append(Move(amount=f"{total}", text="inschrijving opleiding",
                              name=f"{last} {first[0]}".upper(), booked=booked,
                              ref=f"BENCH-G{index:06d}"))
            kinds.append("forgotten")
    order = list(range(len(moves)))
    rng.shuffle(order)  # matched lines spread over every batch
    return [moves[i] for i in order], [kinds[i] for i in order]


def _digits(ogm: str) -> str:
    return "".join(ch for ch in ogm if ch.isdigit())


def upload(data: bytes, name: str):
    from django.core.files.base import ContentFile

    from billing.models import BankStatement

    return BankStatement.objects.create(file=ContentFile(data, name=name), original_name=name,
                                        sha256=hashlib.sha256(data).hexdigest())


@contextlib.contextmanager
def timing_the_importer():
    """Wrap the importer's per-batch look-ups, its per-line decision and its payments to time
    them, and count the suggestion candidates it holds (bench only; the app is unchanged)."""
    from billing.statements import importer

    spent = {"lookups": 0.0, "decide": 0.0, "payments": 0.0, "candidates": 0, "batches": 0}
    originals = importer._lookups, importer.decide, importer._record_payments

    def lookups(*args, **kwargs):
        started = time.perf_counter()
        found = originals[0](*args, **kwargs)
        spent["lookups"] += time.perf_counter() - started
        spent["candidates"] = len(found.candidates)  # held for the whole import
        spent["batches"] += 1
        return found

    def decide(*args, **kwargs):
        started = time.perf_counter()
        try:
            return originals[1](*args, **kwargs)
        finally:
            spent["decide"] += time.perf_counter() - started

    def record_payments(*args, **kwargs):
        started = time.perf_counter()
        try:
            return originals[2](*args, **kwargs)
        finally:
            spent["payments"] += time.perf_counter() - started

    importer._lookups, importer.decide, importer._record_payments = (
        lookups, decide, record_payments)
    try:
        yield spent
    finally:
        importer._lookups, importer.decide, importer._record_payments = originals


def timed_import(statement):
    from billing.statements.importer import import_statement

    with counting_queries(commits=True) as counter, timing_the_importer() as spent:
        started = time.perf_counter()
        done = import_statement(statement.pk)
        seconds = time.perf_counter() - started
    return done, seconds, counter, spent


def results_of(statement) -> Counter:
    from django.db.models import Count

    return Counter(dict(statement.lines.order_by().values("result").annotate(n=Count("pk"))
                        .values_list("result", "n")))


def run(args) -> Outcome:
    from django.utils import timezone

    from billing.models import BankStatement, Payment, StatementLine
    from billing.statements import parse_statement
    from billing.statements.importer import BATCH
    from tests.billing.statement_files import camt053

    lines, matching = args.statement_lines, args.matching
    small, large = args.invoices
    today = timezone.localdate()
    invoice_set = issued_invoices(small, today)
    verify(invoice_set)
    issued_invoices(large, today)  # the look-ups see both sets, whichever benchmarks ran

    started = time.perf_counter()
    moves, kinds = statement_moves(invoice_set, lines, matching, today)
    data = camt053(moves)
    write_seconds = time.perf_counter() - started

    parse_seconds = []
    for _attempt in range(2):
        started = time.perf_counter()
        parsed = parse_statement(data)
        parse_seconds.append(time.perf_counter() - started)
        if len(parsed.lines) != lines:
            raise BenchmarkFailed(f"the parser found {len(parsed.lines)} of {lines} lines")
    parse = min(parse_seconds)
    del parsed

    statements = []
    try:
        payments_before = Payment.objects.count()
        first = upload(data, "bench-camt053.xml")
        statements.append(first)
        first, seconds, sql, spent = timed_import(first)
        results = results_of(first)
        payments = Payment.objects.count() - payments_before
        expected_matched = kinds.count("match")
        if first.status != BankStatement.Status.DONE or first.lines_done != lines:
            raise BenchmarkFailed(f"import: {first.status}, {first.lines_done}/{lines} lines, "
                                  f"{first.error[:100]}")
        if results[StatementLine.Result.MATCHED] != expected_matched or payments != matching:
            raise BenchmarkFailed(f"import: {dict(results)}, {payments} payments; expected "
                                  f"{expected_matched} matched")
        suggested = first.lines.filter(suggested_invoice__isnull=False).count()

        second = upload(data, "bench-camt053-again.xml")
        statements.append(second)
        second, again_seconds, again_sql, _spent = timed_import(second)
        again = results_of(second)
        again_payments = Payment.objects.count() - payments_before - payments
        expected_again = expected_matched + results[StatementLine.Result.UNMATCHED]
        if (again[StatementLine.Result.ALREADY_IMPORTED] != expected_again
                or again[StatementLine.Result.MATCHED] or again[StatementLine.Result.UNMATCHED]
                or again_payments):
            raise BenchmarkFailed(f"re-import: {dict(again)}, {again_payments} new payments")
    finally:
        for statement in statements:
            statement.file.delete(save=False)

    batches = -(-lines // BATCH)
    heaviest = sql.top(1)[0]
    rows = [
        Row(NAME, f"write the camt.053 file ({lines:,} lines, {len(data) / 2**20:.1f} MB)",
            f"{write_seconds:.2f} s"),
        Row(NAME, f"parse alone ({lines:,} lines, better of 2)", f"{parse:.2f} s", "1.00"),
        Row(NAME, f"import_statement ({lines:,} lines: parse + {batches} batches)",
            f"{seconds:.2f} s", f"{seconds / parse:.2f}"),
        Row(NAME, "  lines/s imported", f"{lines / seconds:,.0f}"),
        Row(NAME, "  lines: paying / other OGM / free text / invoice amount, no OGM",
            " / ".join(f"{kinds.count(kind):,}"
                       for kind in ("match", "foreign", "other", "forgotten"))),
        Row(NAME, "  matched / unmatched / error",
            f"{results[StatementLine.Result.MATCHED]:,} / "
            f"{results[StatementLine.Result.UNMATCHED]:,} / "
            f"{results[StatementLine.Result.ERROR]:,}"),
        Row(NAME, "  unmatched lines with a suggested invoice", f"{suggested:,}"),
        Row(NAME, "  SQL statements (per batch of 500)",
            f"{sql.count:,} ({sql.count / batches:.1f})"),
        Row(NAME, "  time in SQL statements / COMMITs",
            f"{sql.seconds:.2f} / {sql.commit_seconds:.2f} s",
            f"{(sql.seconds + sql.commit_seconds) / seconds:.2f}"),
        Row(NAME, f"  heaviest: {heaviest[0]} x{heaviest[1] / batches:.2g}/batch",
            f"{heaviest[2]:.2f} s", f"{heaviest[2] / seconds:.2f}"),
        Row(NAME, "  look-ups per batch (rules.Lookups, <= 7 queries), all batches",
            f"{spent['lookups']:.2f} s", f"{spent['lookups'] / seconds:.2f}"),
        Row(NAME, "    suggestion candidates held (read once per import)",
            f"{spent['candidates']:,}"),
        Row(NAME, "  decide() on every line, in memory", f"{spent['decide']:.2f} s",
            f"{spent['decide'] / seconds:.2f}"),
        Row(NAME, f"  {payments:,} payments through record_payments",
            f"{spent['payments']:.2f} s", f"{spent['payments'] / seconds:.2f}"),
        Row(NAME, "re-import of the same file (new upload)", f"{again_seconds:.2f} s",
            f"{again_seconds / parse:.2f}"),
        Row(NAME, "  already imported / unmatched / new payments",
            f"{again[StatementLine.Result.ALREADY_IMPORTED]:,} / "
            f"{again[StatementLine.Result.UNMATCHED]:,} / {again_payments}"),
        Row(NAME, "  SQL statements", f"{again_sql.count:,}"),
    ]
    return Outcome(rows=rows)


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
