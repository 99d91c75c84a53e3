"""Import an uploaded statement: parse it whole, then write its lines in batches.

A file that cannot be parsed imports nothing (the statement is FAILED with the parser's
message). Lines are then written in batches of BATCH, each in its own transaction together
with its payments and `lines_done`, so the admin's progress bar moves and a worker that dies
resumes at the first batch not committed. Each batch costs a fixed number of queries.

A batch that fails (one line's payment refused, bad data, a bug) is taken again line by line, so
that one line does not stop the statement: a line that fails on its own is kept as an error line
("could not be imported", the error logged) for finance to match by hand, and the import goes
on. Only a lost database connection stops it; a re-run resumes there.

Importing twice changes nothing: a line whose dedup key already paid something is "already
imported", and so is one left unmatched in a statement imported before (it points at that
line, where finance matches it, so the movement is listed once); batches hold a lock
(PostgreSQL advisory lock) so two imports of overlapping files cannot both record the same
movement. The payments of a batch go through `billing.payments.record_payments` (the one use
case that records payments, with their audit entries and the unpaid flags they lift), in a
fixed number of statements.

Suggestions (a line without a usable structured communication whose amount is the open balance
of exactly one invoice with a similar name) read the open invoices once per import
(`rules.Candidates`): only invoices whose balance is one of the file's amounts, as plain
values, their names indexed by word; each batch re-reads only the invoices it paid. The query
never computes balances for the whole invoice table: an invoice without payments or credit
notes is open for its total (`total IN amounts`, no subquery), and only the invoices with a
part payment or a credit note get their balance computed.
"""

import logging

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum

from billing.models import (
    BankStatement,
    CreditNote,
    Instalment,
    Invoice,
    Payment,
    StatementLine,
)
from billing.payments import PaymentIn, record_payments, with_amounts
from billing.statements.detect import parse_statement
from billing.statements.parsed import ParsedLine, StatementFormatError, normalise_iban
from billing.statements.rules import (
    Candidate,
    Candidates,
    Decision,
    Lookups,
    decide,
    dedup_keys,
)
from billing.statements.texts import Text
from courses.models import Organizer

logger = logging.getLogger(__name__)
BATCH = 500
LOCK_ID = 0x5_7A7E  # pg_advisory_xact_lock key: statement payments, one writer at a time
Status = BankStatement.Status


def import_statement(statement_id: int, batch_size: int = BATCH) -> BankStatement:
    """Idempotent: a finished statement is left alone, an interrupted one resumes."""
    statement = BankStatement.objects.get(pk=statement_id)
    if statement.status in (Status.DONE, Status.FAILED):
        return statement
    try:
        with statement.file.open("rb") as handle:
            parsed = parse_statement(handle.read())
    except StatementFormatError as error:
        return _fail(statement, error.text)
    except Exception:
        logger.exception("Statement %s could not be parsed", statement_id)
        return _fail(statement, Text("unreadable"))
    BankStatement.objects.filter(pk=statement.pk).update(
        status=Status.PROCESSING, format=parsed.format, lines_total=len(parsed.lines)
    )
    keys = dedup_keys(parsed.lines)
    # Open invoices by balance, for suggestions: read once for every amount the file pays (a
    # superset of the lines that will need one), instead of once per batch.
    candidates = Candidates()
    amounts = {line.amount for line in parsed.lines[statement.lines_done:]
               if line.amount is not None and line.amount > 0 and not line.problem}
    if amounts:
        candidates.add(amounts, _open_with_balance(amounts))
    more = True
    while more:
        try:
            more = _import_next_batch(statement.pk, parsed.lines, keys, statement.uploaded_by,
                                      batch_size, candidates)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: stop here; a re-run resumes at this batch
        except Exception:
            logger.exception("Statement %s: a batch failed; importing its lines one by one",
                             statement_id)
            candidates = Candidates()  # it may hold balances the failed batch rolled back
            more = _import_one_by_one(statement.pk, parsed.lines, keys, statement.uploaded_by,
                                      batch_size, candidates)
    BankStatement.objects.filter(pk=statement.pk).update(status=Status.DONE)
    statement.refresh_from_db()
    return statement


def _fail(statement: BankStatement, text: Text) -> BankStatement:
    """Only a statement without lines can fail: a parse error comes before any line."""
    BankStatement.objects.filter(pk=statement.pk, lines__isnull=True).update(
        status=Status.FAILED, error=str(text)[:2000], error_code=text.code,
        error_params=text.params,
    )
    statement.refresh_from_db()
    return statement


def _import_one_by_one(statement_id, lines, keys, user, count: int,
                       candidates: Candidates) -> bool:
    """The next `count` lines, each in its own transaction; one that fails becomes an error
    line. Returns whether lines are left after them."""
    more = True
    for _line in range(count):
        try:
            more = _import_next_batch(statement_id, lines, keys, user, 1, candidates)
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            logger.exception("Statement %s: a line could not be imported", statement_id)
            more = _keep_as_error(statement_id, lines, keys, error)
        if not more:
            break
    return more


@transaction.atomic
def _keep_as_error(statement_id, lines: list[ParsedLine], keys: list[str], error) -> bool:
    """The next line, which failed on its own, as an error line without payment: finance sees
    it with the other lines and matches it by hand; its movement, unpaid, is not "already
    imported" for a later file either."""
    statement = BankStatement.objects.select_for_update().get(pk=statement_id)
    position = statement.lines_done
    if position >= len(lines):
        return False
    text = Text("line_failed", error=f"{type(error).__name__}: {error}"[:200])
    _row(statement, position + 1, lines[position], keys[position],
         Decision(StatementLine.Result.ERROR, text)).save()
    statement.lines_done = position + 1
    statement.save(update_fields=["lines_done"])
    return statement.lines_done < len(lines)


def lock_statement_payments() -> None:
    """Serialises whatever records payments from statement lines (imports, manual matching)
    for the rest of the transaction; SQLite writes are serialised anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


@transaction.atomic
def _import_next_batch(statement_id, lines: list[ParsedLine], keys: list[str], user,
                       batch_size: int, candidates: Candidates | None = None) -> bool:
    statement = BankStatement.objects.select_for_update().get(pk=statement_id)
    start = statement.lines_done
    if start >= len(lines):
        return False
    lock_statement_payments()
    end = start + batch_size
    batch, batch_keys = lines[start:end], keys[start:end]
    candidates = Candidates() if candidates is None else candidates
    found = _lookups(batch, batch_keys, statement_id, candidates)
    decisions = [decide(line, key, found) for line, key in zip(batch, batch_keys, strict=True)]
    rows = StatementLine.objects.bulk_create(
        _row(statement, start + index + 1, line, key, decision)
        for index, (line, key, decision) in enumerate(zip(batch, batch_keys, decisions,
                                                          strict=True))
    )
    paid = _record_payments(rows, batch, decisions, user)
    if paid:  # their balances changed: what the next batches may suggest
        candidates.refresh(paid, _still_open(paid))
    statement.lines_done = start + len(batch)
    statement.save(update_fields=["lines_done"])
    return statement.lines_done < len(lines)


def _row(statement, position, line: ParsedLine, key: str, decision: Decision):
    return StatementLine(
        statement=statement,
        dedup_key=key,
        position=position,
        booked_on=line.booked_on,
        amount=line.amount,
        counterparty_name=line.counterparty_name[:200],
        counterparty_iban=line.counterparty_iban[:34],
        communication=line.communication[:500],
        result=decision.result,
        message=str(decision.text)[:300],
        message_code=decision.text.code,
        message_params=decision.text.params,
        invoice=decision.invoice,
        suggested_invoice_id=getattr(decision.suggested, "pk", None),
    )


INVOICE_FIELDS = ["number", "structured_communication", "seller_iban", "customer_name",
                  "third_party_name", "total", "organizer__name", "organizer__iban"]


def _lookups(batch: list[ParsedLine], keys: list[str], statement_id: int,
             candidates: Candidates) -> Lookups:
    """Seven queries at most, whatever the batch size; only the columns the rules read."""
    found = Lookups(candidates=candidates)
    # The same movement imported before: paid (from any statement), or left unmatched in
    # another statement (the first such line: the one finance matches).
    earlier = (StatementLine.objects.filter(dedup_key__in=set(keys))
               .filter(Q(payment__isnull=False) | Q(result=StatementLine.Result.UNMATCHED))
               .exclude(Q(payment__isnull=True) & Q(statement=statement_id))
               .order_by("statement_id", "position")
               .values_list("dedup_key", "statement__original_name", "position",
                            "payment__invoice__number"))
    for key, name, position, number in earlier:
        if number is not None:
            found.paid[key] = (name, position, number)
        else:
            found.unmatched.setdefault(key, (name, position))
    ogms = {line.structured for line in batch if line.structured}
    if ogms:
        invoices = (Invoice.objects.filter(structured_communication__in=ogms)
                    .select_related("organizer").only(*INVOICE_FIELDS))
        found.invoices = {invoice.structured_communication: invoice for invoice in invoices}
        instalments = (Instalment.objects.filter(structured_communication__in=ogms)
                       .select_related("invoice__organizer")
                       .only("number", "structured_communication", "invoice_id",
                             *(f"invoice__{name}" for name in INVOICE_FIELDS)))
        found.instalments = {part.structured_communication: part for part in instalments}
        targets = [i.pk for i in found.invoices.values()] + [
            part.invoice_id for part in found.instalments.values()]
        twins = (Payment.objects.filter(invoice__in=targets, statement_line__isnull=False)
                 .exclude(statement_line__statement=statement_id)
                 .values_list("invoice", "amount", "paid_on",
                              "statement_line__statement__original_name",
                              "statement_line__position"))
        for invoice, amount, paid_on, name, position in twins:
            found.lookalikes[(invoice, amount, paid_on)] = (name, position)
    found.own_accounts = frozenset(
        normalise_iban(iban) for iban in Organizer.objects.values_list("iban", flat=True)
    )
    known = found.invoices.keys() | found.instalments.keys()
    amounts = {line.amount for line in batch if line.amount is not None and line.amount > 0
               and line.structured not in known}  # the lines that may need a suggestion
    missing = candidates.missing(amounts)
    if missing:
        candidates.add(missing, _open_with_balance(missing))
    return found


CANDIDATE_FIELDS = ("pk", "number", "balance", "seller_iban", "organizer__iban",
                    "customer_name", "third_party_name")


def _open_with_balance(amounts) -> list[Candidate]:
    """The open invoices whose balance is one of `amounts`, as suggestion candidates, in two
    queries that stay small however large the invoice table grows (no balance is computed for
    the whole table):

    - invoices without payments or credit notes: their balance is their total, so
      `total IN amounts` selects them, with two anti-joins and no sums;
    - invoices with a payment below their total, or a credit note: only these (a few, as
      most invoices are either untouched or paid) get `with_amounts`' three sums.
    """
    payments = Payment.objects.filter(invoice=OuterRef("pk"))
    credit_notes = CreditNote.objects.filter(invoice=OuterRef("pk"))
    untouched = (Invoice.objects.filter(total__in=amounts).exclude(Exists(payments))
                 .exclude(Exists(credit_notes)).annotate(balance=F("total")))
    part_paid = (Payment.objects.order_by().values("invoice", "invoice__total")
                 .annotate(received=Sum("amount")).filter(received__lt=F("invoice__total"))
                 .values("invoice"))
    credited = CreditNote.objects.order_by().values("invoice")
    touched = (with_amounts(Invoice.objects.filter(Q(pk__in=part_paid) | Q(pk__in=credited)))
               .annotate(balance=F("total") - F("credited") - F("paid"))
               .filter(balance__in=amounts))
    return [Candidate.of(*row) for row in (*untouched.values_list(*CANDIDATE_FIELDS),
                                           *touched.values_list(*CANDIDATE_FIELDS))]


def _still_open(pks) -> list[Candidate]:
    """The invoices `pks` that are still open, with their balance now."""
    rows = (with_amounts(Invoice.objects.filter(pk__in=pks))
            .annotate(balance=F("total") - F("credited") - F("paid"))
            .filter(balance__gt=0).values_list(*CANDIDATE_FIELDS))
    return [Candidate.of(*row) for row in rows]


def _record_payments(rows, batch, decisions, user) -> set[int]:
    """The payments of the batch, through `record_payments` (their audit entries, and the
    unpaid flags of the invoices they settle lifted) in a fixed number of statements; returns
    the invoices paid."""
    payments = [
        PaymentIn(
            invoice=decision.invoice, instalment=decision.instalment, amount=line.amount,
            paid_on=line.booked_on, method=Payment.Method.BANK_TRANSFER,
            reference=line.bank_reference[:200], payer_name=line.counterparty_name[:200],
            recorded_by=user, statement_line=row,
        )
        for row, line, decision in zip(rows, batch, decisions, strict=True)
        if decision.result == StatementLine.Result.MATCHED
    ]
    record_payments(payments)
    return {payment.invoice.pk for payment in payments}
