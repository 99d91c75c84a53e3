"""Importing statements: per-line results on tricky lines, payments and balances, importing
twice, overlapping statements, bad files, batches and their queries, resuming."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.invoicing import add_instalments
from billing.models import BankStatement, Payment, StatementLine, UnpaidFlag
from billing.payments import balance_of
from billing.statements.importer import import_statement
from billing.structured_communication import parse_structured
from tests.billing.statement_files import ACCOUNT, Move, camt053, coda
from tests.factories import (
    EditionFactory,
    InvoiceFactory,
    OrganizerFactory,
    RegistrationFactory,
    UserFactory,
)

Result = StatementLine.Result
D = Decimal
OTHER_ACCOUNT = "BE62510007547061"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def invoice_for(first, last, organizer=None, **edition):
    user = UserFactory(first_name=first, last_name=last)
    edition = EditionFactory(**({"course__organizer": organizer} if organizer else {}),
                             **edition)
    return InvoiceFactory(registrations=[RegistrationFactory(user=user, edition=edition)])


def digits(invoice_or_part) -> str:
    return f"{parse_structured(invoice_or_part.structured_communication):010d}" + \
        invoice_or_part.structured_communication[-5:-3]


def dotted(ogm: str) -> str:
    return ogm.replace("+++", "***")


def upload(data: bytes, name="statement.xml", **options) -> BankStatement:
    statement = BankStatement.objects.create(
        file=ContentFile(data, name=name), original_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return import_statement(statement.pk, **options)


def results(statement):
    return [(line.result, line.message) for line in statement.lines.order_by("position")]


@pytest.fixture
def invoices(db):
    """Four open invoices of 450.00 of one organizer (the statement's account) and one of
    another organizer with an account of its own."""
    first = invoice_for("An", "Peeters")
    organizer = first.organizer
    return {
        "full": first,
        "partial": invoice_for("Bart", "Claes", organizer),
        "free_text": invoice_for("Chloé", "Dubois", organizer),
        "suggested": invoice_for("Dirk", "Janssens", organizer),
        "elsewhere": invoice_for("Eva", "Maes", OrganizerFactory(iban=OTHER_ACCOUNT)),
    }


def tricky_moves(invoices):
    full, partial = invoices["full"], invoices["partial"]
    return [
        Move("450.00", ogm=digits(full), ref="R1"),  # SCOR/BBA: matched, paid
        Move("200.00", text=dotted(partial.structured_communication), name="Bart Claes",
             ref="R2"),  # *** instead of +++: matched, partly paid
        Move("450.00", text="Inschrijving cursus " + invoices["free_text"]
             .structured_communication.strip("+").replace("/", " ") + " bedankt", ref="R3"),
        Move("450.00", text="Factuur bedrag 450,00 EUR", name="JANSSENS DIRK", ref="R4"),
        Move("0.00", text="Nul", ref="R5"),
        Move("-35.00", text="Huur lokaal", name="Verhuur NV", ref="R6"),
        Move("450.00", ogm="090933755493", ref="R7"),  # valid check digits, not ours
        Move("450.00", text="+++123/4567/89011+++", name="Nobody", ref="R8"),  # wrong digits
        Move("450.00", ogm=digits(full), ref="R1"),  # the first line again in the same file
        Move("450.00", ogm=digits(invoices["elsewhere"]), name="Eva Maes", ref="R9"),
        Move("450.00", ogm=digits(partial), currency="USD", ref="R10"),
        Move("450.00", ogm=digits(partial), status="PDNG", ref="R11"),  # not booked: skipped
        Move("1", raw_amount="12,50", ref="R12"),
        Move("450.00", ogm=digits(partial), reversal=True, ref="R13"),
    ]


def test_camt_tricky_lines(invoices):
    statement = upload(camt053(tricky_moves(invoices)))
    assert (statement.status, statement.format) == ("done", "camt053")
    assert (statement.lines_total, statement.lines_done) == (13, 13)
    full, partial = invoices["full"], invoices["partial"]
    assert results(statement) == [
        (Result.MATCHED, f"Paid invoice {full.number}."),
        (Result.MATCHED, f"Paid invoice {partial.number}."),
        (Result.MATCHED, f"Paid invoice {invoices['free_text'].number}."),
        (Result.UNMATCHED, f"No structured communication. Suggestion: invoice "
                           f"{invoices['suggested'].number} (same amount, similar name); "
                           "check it and match it by hand."),
        (Result.ERROR, "Zero amount: nothing to record."),
        (Result.ERROR, "Outgoing transfer (debit): not a payment, nothing recorded."),
        (Result.UNMATCHED, "Structured communication +++090/9337/55493+++ is not one of our "
                           "invoices."),
        (Result.UNMATCHED, "The structured communication has wrong check digits."),
        (Result.ALREADY_IMPORTED, "Already imported (earlier in this file): nothing new."),
        (Result.UNMATCHED, f"{invoices['elsewhere'].structured_communication} is invoice "
                           f"{invoices['elsewhere'].number} of "
                           f"{invoices['elsewhere'].organizer.name}, payable to "
                           f"{OTHER_ACCOUNT}, not to this account ({ACCOUNT}): not recorded."),
        (Result.ERROR, "Amount in USD: only payments in euro are recorded."),
        (Result.ERROR, "The amount '12,50' is not a decimal number with a dot."),
        (Result.ERROR, "A returned or reversed movement, not a payment: check it by hand."),
    ]
    suggested = statement.lines.get(position=4)
    assert suggested.suggested_invoice == invoices["suggested"] and suggested.invoice is None
    assert [balance_of(invoices[key]).status for key in invoices] == [
        "paid", "partly_paid", "paid", "open", "open"]
    assert balance_of(partial).balance == D("250.00")
    payment = Payment.objects.get(invoice=full)
    assert (payment.amount, payment.paid_on, payment.method, payment.reference) == (
        D("450.00"), date(2026, 3, 2), "bank_transfer", "R1")
    assert payment.payer_name == "An Peeters"
    assert payment.statement_line == statement.lines.get(position=1)
    assert Payment.objects.count() == 3


def test_importing_the_same_file_twice_changes_nothing(invoices):
    data = camt053(tricky_moves(invoices))
    upload(data)
    payments = list(Payment.objects.values_list("pk", "invoice", "amount"))
    second = upload(data)
    assert list(Payment.objects.values_list("pk", "invoice", "amount")) == payments
    again = results(second)
    first = results(BankStatement.objects.order_by("pk").first())
    # Every line that paid or was left unmatched is "already imported" the second time; the
    # unmatched ones point at their first line, where finance matches them (listed once).
    assert [result for result, _ in again] == [
        result if result == Result.ERROR else Result.ALREADY_IMPORTED for result, _ in first]
    assert again[0][1].startswith("Already imported (statement statement.xml, line 1, invoice")
    unmatched = [position for position, (result, _) in enumerate(first, start=1)
                 if result == Result.UNMATCHED]
    assert unmatched and [message for message, (result, _) in zip(
        (message for _, message in again), first, strict=True) if result == Result.UNMATCHED] == [
        f"Already imported (statement statement.xml, line {position}), not matched yet: match "
        "it there." for position in unmatched]
    assert StatementLine.objects.filter(result=Result.UNMATCHED).count() == len(unmatched)
    assert [balance_of(invoices[key]).status for key in invoices] == [
        "paid", "partly_paid", "paid", "open", "open"]


def test_an_overlapping_coda_statement_imports_only_the_new_movement(invoices):
    full, partial = invoices["full"], invoices["partial"]
    day_one = [Move("450.00", ogm=digits(full), ref="KBC0001")]
    upload(coda(day_one), name="day1.cod")
    week = coda([*day_one, Move("450.00", ogm=digits(partial), ref="KBC0002",
                                booked=date(2026, 3, 4))], newline="\n")
    statement = upload(week, name="week.cod")
    assert [result for result, _ in results(statement)] == [Result.ALREADY_IMPORTED,
                                                            Result.MATCHED]
    assert Payment.objects.filter(invoice=full).count() == 1
    assert balance_of(partial).status == "paid"


def test_the_same_movement_in_coda_and_in_camt_is_not_paid_twice(invoices):
    """The bank references of the two formats differ, so the dedup keys do too: the second
    file's line waits for finance rather than paying the invoice a second time."""
    full = invoices["full"]
    upload(coda([Move("450.00", ogm=digits(full), ref="KBC0001")]), name="day.cod")
    statement = upload(camt053([Move("450.00", ogm=digits(full), ref="2026030200001")]))
    line = statement.lines.get()
    assert (line.result, line.suggested_invoice) == (Result.UNMATCHED, full)
    assert line.message.startswith(f"Invoice {full.number} already has a bank payment of "
                                   "450.00 on that day (statement day.cod, line 1).")
    assert Payment.objects.filter(invoice=full).count() == 1


def test_coda_latin1_crlf_with_accents_and_free_text_ogm(db):
    invoice = invoice_for("Chloé", "Dupré")
    data = coda([Move("100.00", ogm=digits(invoice), name="Chloé Dupré"),
                 Move("350.00", text="Saldo " + dotted(invoice.structured_communication),
                      name="Zoë Dupré-Noël"),
                 Move("-10.00", text="Bankkosten", name="Bank")], encoding="latin-1")
    assert "é".encode("latin-1") in data and b"\r\n" in data
    statement = upload(data, name="CODA.BC2")
    assert statement.format == "coda"
    assert [r for r, _ in results(statement)] == [Result.MATCHED, Result.MATCHED, Result.ERROR]
    assert statement.lines.get(position=2).counterparty_name == "Zoë Dupré-Noël"
    assert balance_of(invoice).status == "paid"


def test_instalment_paid_by_its_own_communication(db):
    invoice = invoice_for("An", "Peeters")
    first, second = add_instalments(invoice, 2)
    statement = upload(camt053([Move("225.00", ogm=digits(second))]))
    assert results(statement) == [(Result.MATCHED, f"Paid invoice {invoice.number}, part 2.")]
    payment = Payment.objects.get()
    assert (payment.invoice, payment.instalment) == (invoice, second)


def test_full_payment_lifts_the_unpaid_flag(db):
    invoice = invoice_for("An", "Peeters")
    registration = invoice.lines.get().registration
    flag = UnpaidFlag.objects.create(registration=registration, invoice=invoice,
                                     raised_on=date(2026, 3, 1))
    upload(camt053([Move("450.00", ogm=digits(invoice))]))
    flag.refresh_from_db()
    assert flag.lifted_at is not None and flag.lift_reason == "paid"


@pytest.mark.parametrize("data,words", [
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>",
     "not well-formed XML"),
    (b"Datum;Bedrag;Naam\n02/03/2026;450,00;An Peeters\n", "not a camt.053 or CODA file"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>", "pain.001"),
])
def test_a_bad_file_fails_whole_with_a_message(db, data, words):
    statement = upload(data)
    assert statement.status == "failed" and words in statement.error
    assert not statement.lines.exists() and not Payment.objects.exists()


def test_a_truncated_coda_file_imports_nothing(invoices):
    data = coda([Move("450.00", ogm=digits(invoices["full"]))])
    statement = upload(data[: data.rindex(b"9 ")], name="cut.cod")
    assert statement.status == "failed" and "incomplete" in statement.error
    assert not statement.lines.exists() and not Payment.objects.exists()


def test_batches_move_the_progress_and_cost_a_fixed_number_of_queries(db):
    """Per batch a fixed number of queries whatever its lines; each payment then goes
    through record_payment (its insert, audit entry and balance check: a small constant)."""
    calls = []

    def queries_for(paying, others, batch_size=100):
        calls.append(1)
        invoices = [invoice_for("Person", f"Number{len(calls)}x{n}") for n in range(paying)]
        data = camt053([Move("50.00", ogm=digits(invoice), ref=f"A{len(calls)}x{n}")
                        for n, invoice in enumerate(invoices)]
                       + [Move("7.00", text="x", ref=f"B{len(calls)}x{n}")
                          for n in range(others)])
        with CaptureQueriesContext(connection) as captured:
            statement = upload(data, batch_size=batch_size)
        assert statement.lines_done == statement.lines_total == paying + others
        assert statement.lines.filter(result="matched").count() == paying
        return len(captured.captured_queries)

    assert queries_for(2, 2) == queries_for(2, 12)  # lines that pay nothing cost nothing
    few, many = queries_for(2, 2), queries_for(6, 2)
    per_payment = (many - few) / 4
    assert per_payment == int(per_payment) and per_payment <= 6
    assert queries_for(3, 3, batch_size=2) > few  # three batches of two cost more than one
    assert Payment.objects.count() == 15


def test_an_interrupted_import_resumes_without_paying_twice(invoices):
    data = camt053(tricky_moves(invoices))
    statement = upload(data)
    # As if the worker died after the first batch of 4 lines: later batches never committed.
    StatementLine.objects.filter(statement=statement, position__gt=4,
                                 payment__isnull=True).delete()
    BankStatement.objects.filter(pk=statement.pk).update(status="processing", lines_done=4)
    resumed = import_statement(statement.pk)
    assert resumed.status == "done" and resumed.lines.count() == 13
    assert Payment.objects.count() == 3
    assert import_statement(statement.pk).lines.count() == 13  # done: left alone


def test_dates_in_the_statement_are_the_payment_dates(db):
    invoice = invoice_for("An", "Peeters")
    booked = date.today() - timedelta(days=3)
    upload(camt053([Move("450.00", ogm=digits(invoice), booked=booked)], version="02"))
    assert Payment.objects.get().paid_on == booked


@pytest.mark.parametrize("payer,customer,alike", [
    ("PEETERS AN", "An Peeters", True),
    ("Mevr. Chloé Dubois", "Chloe DUBOIS", True),
    ("BVBA Janssens & Zonen", "Janssens en Zonen BV", True),
    ("Peeters Jan", "An Peeters", True),  # half the words of the shorter name
    ("Maes Eva", "An Peeters", False),
    ("NV", "NV", False),  # nothing left but a legal form
    ("", "An Peeters", False),
])
def test_names_resemble(payer, customer, alike):
    from billing.statements.rules import names_resemble

    assert names_resemble(payer, customer) is alike


def suggestion_of(statement, position):
    return statement.lines.get(position=position).suggested_invoice


def test_suggestions_see_part_paid_and_credited_balances_not_paid_invoices(db):
    """Candidates: untouched invoices by their total, part-paid or credited ones by what is
    still open, never a settled one."""
    from billing.invoicing import issue_credit_note
    from billing.payments import record_payment

    untouched = invoice_for("Anouk", "Verbeke")  # 450.00 open
    part_paid = invoice_for("Bram", "Wouters")
    record_payment(invoice=part_paid, amount=D("300.00"), paid_on=date(2026, 3, 1),
                   method="bank_transfer")  # 150.00 open
    credited = invoice_for("Cato", "Mertens")
    issue_credit_note(invoice=credited, net=D("100.00"), vat=D("0.00"), reason="korting")
    settled = invoice_for("Dries", "Goossens")
    record_payment(invoice=settled, amount=D("450.00"), paid_on=date(2026, 3, 1),
                   method="bank_transfer")

    statement = upload(camt053([
        Move("450.00", text="inschrijving", name="VERBEKE A", ref="S1"),
        Move("150.00", text="rest", name="Wouters Bram", ref="S2"),
        Move("350.00", text="na korting", name="MERTENS C", ref="S3"),
        Move("450.00", text="nog eens", name="Goossens Dries", ref="S4"),  # paid already
        Move("450.00", text="wie?", name="Wouters Bram", ref="S5"),  # 150.00 open, not 450
    ]))
    assert [suggestion_of(statement, n) for n in range(1, 6)] == [
        untouched, part_paid, credited, None, None]
    assert {line.result for line in statement.lines.all()} == {Result.UNMATCHED}
    assert "Suggestion: invoice" in statement.lines.get(position=2).message


def test_a_later_batch_does_not_suggest_what_an_earlier_batch_paid(db):
    """Candidates are read once per amount for the whole import; what a batch pays is read
    again, so the next batches see the new balance."""
    paid_whole = invoice_for("Elke", "Jacobs")
    paid_part = invoice_for("Fien", "Lambrechts")
    statement = upload(camt053([
        Move("450.00", ogm=digits(paid_whole), ref="T1"),
        Move("400.00", ogm=digits(paid_part), ref="T2"),
        Move("450.00", text="dubbel betaald?", name="JACOBS ELKE", ref="T3"),
        Move("50.00", text="rest", name="LAMBRECHTS F", ref="T4"),
    ]), batch_size=2)
    assert statement.lines.filter(result=Result.MATCHED).count() == 2
    assert suggestion_of(statement, 3) is None
    assert suggestion_of(statement, 4) == paid_part


def test_candidates_by_word_find_what_names_resemble_finds():
    """The index only narrows the pairs to compare: the same suggestions as comparing the
    payer with every candidate of that amount."""
    from billing.statements.rules import Candidate, Candidates, names_resemble

    names = ["An Peeters", "Mevr. An Janssens", "Bvba De Smet & Zonen", "Jan Van den Broeck",
             "Émile Dupont", "Peeters An Marie", "An", "", "Vzw Sportclub"]
    index = Candidates()
    candidates = [Candidate.of(n + 1, f"2026-{n:06d}", D("10.00"), "BE1", "BE1", name,
                               "Bedrijf Smet NV" if n % 3 == 0 else "")
                  for n, name in enumerate(names)]
    index.add([D("10.00")], candidates)
    for payer in ["PEETERS AN", "AN", "SMET", "broeck jan", "DUPONT E", "nobody", "",
                  "Mevr. Janssens", "sportclub vzw"]:
        expected = [c.pk for c, name in zip(candidates, names, strict=True)
                    if names_resemble(payer, name)
                    or names_resemble(payer, "Bedrijf Smet NV" if (c.pk - 1) % 3 == 0 else "")]
        assert [c.pk for c in index.resembling(D("10.00"), payer)] == expected, payer
        assert index.resembling(D("11.00"), payer) == []
    index.refresh([1], [])  # paid
    assert 1 not in [c.pk for c in index.resembling(D("10.00"), "PEETERS AN")]


def test_a_line_that_cannot_be_imported_does_not_stop_the_statement(db, caplog):
    """One payment cannot be written (a trigger refuses it here): its batch is taken again line
    by line, that line is kept as an error for finance to match by hand, and the lines before
    and after it are imported; the statement finishes. It used to stop at that batch for good
    (every re-run failed there), its progress bar stuck."""
    invoices = [invoice_for("Person", f"Line{n}") for n in range(4)]
    refused = invoices[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_payment() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.invoice_id = {int(refused.pk)} THEN "
            "RAISE EXCEPTION 'test fault: payment refused'; END IF; RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_refuse_payment BEFORE INSERT ON billing_payment "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_payment()")
    data = camt053([Move("450.00", ogm=digits(invoice), ref=f"F{n}")
                    for n, invoice in enumerate(invoices)])

    statement = upload(data, batch_size=3)

    assert statement.status == "done" and statement.lines_done == statement.lines_total == 4
    assert [line.result for line in statement.lines.order_by("position")] == [
        Result.MATCHED, Result.ERROR, Result.MATCHED, Result.MATCHED]
    error_line = statement.lines.get(position=2)
    assert "could not be imported" in error_line.message and error_line.invoice is None
    assert not Payment.objects.filter(invoice=refused).exists()
    assert balance_of(refused).balance == refused.total == D("450.00")
    assert Payment.objects.count() == 3
    assert f"Statement {statement.pk}" in caplog.text and "payment refused" in caplog.text
    # Once the cause is gone, the same movement in a later file is imported (no payment yet).
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_payment ON billing_payment")
    again = upload(data, name="again.xml")
    assert [line.result for line in again.lines.order_by("position")] == [
        Result.ALREADY_IMPORTED, Result.MATCHED, Result.ALREADY_IMPORTED,
        Result.ALREADY_IMPORTED]
    assert Payment.objects.filter(invoice=refused).count() == 1
