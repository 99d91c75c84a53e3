"""The daily late-payment job (billing.latepayment; seed 2 art. 4.4 and 4.7, rules.md §3) on a
fixed calendar: invoices issued 1 September 2025, due 1 October 2025 (30 days), reminder the
day after with a 14-day term (until 16 October), the charge on 17 October: one day of interest
at the seeded 2025 H2 rate of 10.5 %."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.dunning_flags import registration_is_blocked
from billing.invoicing import add_instalments
from billing.latefees import flat_fee
from billing.latepayment import run_late_payment_job
from billing.models import Invoice, LatePaymentStep, UnpaidFlag
from billing.payments import record_payment
from billing.structured_communication import parse_structured
from portal.models import OutgoingEmail
from tests.factories import (
    EditionFactory,
    InvoiceFactory,
    OrganizerFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
ISSUED = date(2025, 9, 1)
DUE = date(2025, 10, 1)
REMINDED = date(2025, 10, 2)
TERM_END = date(2025, 10, 16)
CHARGED = date(2025, 10, 17)


def overdue(amount=None, *, organizer=None, user=None, issued=ISSUED, **buyer):
    """An invoice of one exempt registration of `amount` (450.00), due 30 days after `issued`."""
    amount = amount or D("450.00")
    organizer = organizer or OrganizerFactory()
    edition = EditionFactory(course__organizer=organizer, fee_amount=amount)
    registration = RegistrationFactory(edition=edition, **({"user": user} if user else {}))
    invoice = InvoiceFactory(registrations=[registration], today=issued, **buyer)
    assert (invoice.issue_date, invoice.total) == (issued, amount)
    return invoice


def mails(prefix):
    return OutgoingEmail.objects.filter(dedup_key__startswith=prefix)


def charge_of(invoice):
    return Invoice.objects.get(charged_for=invoice)


def test_nothing_on_the_due_date():
    invoice = overdue()
    report = run_late_payment_job(DUE)
    assert report.reminders == report.charges == 0
    assert not LatePaymentStep.objects.filter(invoice=invoice).exists()
    assert not OutgoingEmail.objects.filter(dedup_key__startswith="late").exists()


def test_the_day_after_a_free_reminder_with_the_invoice_and_the_term():
    invoice = overdue()
    registration = invoice.lines.get().registration
    report = run_late_payment_job(REMINDED)

    assert (report.reminders, report.charges, report.errors) == (1, 0, [])
    step = LatePaymentStep.objects.get(invoice=invoice)
    assert (step.kind, step.taken_on, step.term_until, step.charge) == (
        "reminder", REMINDED, TERM_END, None)
    email = OutgoingEmail.objects.get(dedup_key=f"late-reminder:{invoice.pk}")
    assert email.recipient == invoice.user.email
    assert email.attachments == [{"kind": "invoice_pdf", "id": invoice.pk}]
    assert invoice.number in email.subject
    for text in (invoice.structured_communication, "16/10/2025", "BE68 5390 0754 7034"):
        assert text in email.body_text and text in email.body_html
    assert "450,00" in email.body_text  # the amount open, in the participant's Dutch format
    flag = UnpaidFlag.objects.get(registration=registration)
    assert (flag.invoice, flag.raised_on, flag.lifted_at) == (invoice, REMINDED, None)
    assert registration_is_blocked(registration)
    assert not Invoice.objects.filter(kind="late_charge").exists()  # the reminder is free


def test_the_reminder_speaks_the_participants_language():
    invoice = overdue(user=UserFactory(preferred_language="en"))
    run_late_payment_job(REMINDED)
    email = mails("late-reminder").get()
    assert email.language == "en"
    assert email.subject == f"Payment reminder: invoice {invoice.number}"
    assert "€450.00" in email.body_text


def test_running_twice_the_same_day_sends_nothing_new():
    overdue()
    overdue()
    first = run_late_payment_job(REMINDED)
    again = run_late_payment_job(REMINDED)
    assert first.reminders == 2
    assert (again.reminders, again.charges, again.examined) == (0, 0, 0)
    assert LatePaymentStep.objects.count() == 2
    assert mails("late-reminder").count() == 2
    assert UnpaidFlag.objects.count() == 2


def test_nothing_during_the_term_and_on_its_last_day():
    overdue()
    run_late_payment_job(REMINDED)
    for day in (date(2025, 10, 3), date(2025, 10, 10), TERM_END):
        report = run_late_payment_job(day)
        assert (report.reminders, report.charges, report.examined) == (0, 0, 0)
    assert not Invoice.objects.filter(kind="late_charge").exists()


# rules.md §3 worked examples; interest: one day at 10.5 % (2025 H2), rounded half-up.
@pytest.mark.parametrize(
    ("balance", "fee", "interest"),
    [
        (D("150.00"), D("20.00"), D("0.04")),  # 150 x 10.5 % / 365 = 0.0432
        (D("150.01"), D("30.00"), D("0.04")),
        (D("400.00"), D("55.00"), D("0.12")),  # 0.1151
        (D("500.00"), D("65.00"), D("0.14")),  # 0.1438
        (D("1000.00"), D("90.00"), D("0.29")),  # 0.2877
        (D("39200.00"), D("2000.00"), D("11.28")),  # 11.2767
    ],
)
def test_the_day_after_the_term_the_charge_of_the_worked_examples(balance, fee, interest):
    invoice = overdue(balance)
    run_late_payment_job(REMINDED)
    report = run_late_payment_job(CHARGED)

    assert (report.reminders, report.charges, report.errors) == (0, 1, [])
    charge = charge_of(invoice)
    assert flat_fee(balance) == fee
    assert (charge.kind, charge.net_total, charge.vat_total, charge.total) == (
        "late_charge", fee + interest, D("0.00"), fee + interest)
    interest_line, fee_line = charge.lines.order_by("pk")
    assert (interest_line.total, interest_line.vat, interest_line.vat_rate_percent) == (
        interest, D("0.00"), D("0.00"))
    assert (fee_line.total, fee_line.vat) == (fee, D("0.00"))
    assert "1 dag aan 10,5 %" in interest_line.description
    assert invoice.number in interest_line.description
    assert fee_line.description.startswith("Forfaitaire kost (art. 4.7)")
    step = LatePaymentStep.objects.get(invoice=invoice, kind="charge")
    assert (step.charge, step.taken_on) == (charge, CHARGED)


def test_the_charge_is_an_invoice_of_its_own_next_in_the_series():
    invoice = overdue(D("1000.00"), customer_name="Jan Peeters", customer_address="Kouter 9")
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = charge_of(invoice)
    organizer = invoice.organizer

    assert (charge.year, charge.sequence) == (2025, invoice.sequence + 1)
    assert charge.number == f"2025-{invoice.sequence + 1:06d}"
    # A communication of its own, from the same counter as every invoice's (rules.md §2).
    assert parse_structured(charge.structured_communication) == parse_structured(
        invoice.structured_communication) + 1
    assert charge.structured_communication != invoice.structured_communication
    assert (charge.issue_date, charge.due_date) == (CHARGED, date(2025, 11, 16))
    assert (charge.user, charge.organizer, charge.charged_for) == (invoice.user, organizer,
                                                                   invoice)
    assert (charge.customer_name, charge.customer_address) == ("Jan Peeters", "Kouter 9")
    assert (charge.seller_iban, charge.seller_name) == (organizer.iban, organizer.name)
    assert "btw" in charge.vat_mention
    # The second notice, with the charge attached; the original balance is still due.
    notice = OutgoingEmail.objects.get(dedup_key=f"late-charge:{invoice.pk}")
    assert notice.attachments == [{"kind": "invoice_pdf", "id": charge.pk}]
    assert charge.number in notice.subject and invoice.number in notice.subject
    for text in (charge.structured_communication, invoice.structured_communication,
                 "90,00", "0,29", "90,29", "1.000,00"):
        assert text in notice.body_text, text
        assert text in notice.body_html, text


def test_a_charge_is_issued_once_and_never_dunned_itself():
    invoice = overdue()
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    for day in (CHARGED, date(2025, 10, 18), date(2025, 12, 20)):  # past the charge's due date
        report = run_late_payment_job(day)
        assert (report.reminders, report.charges) == (0, 0)
    assert Invoice.objects.filter(kind="late_charge").count() == 1
    assert LatePaymentStep.objects.filter(invoice=invoice).count() == 2
    assert not LatePaymentStep.objects.filter(invoice__kind="late_charge").exists()
    assert mails("late-").count() == 2


def test_fixed_40_organizer_charges_40_to_a_company():
    organizer = OrganizerFactory(late_fee_rule="fixed40")
    company = overdue(D("1000.00"), organizer=organizer, customer_kind="company",
                      customer_vat_number="BE0403170701")
    person = overdue(D("100.00"), organizer=organizer)
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    fee_line = charge_of(company).lines.order_by("pk")[1]
    assert fee_line.total == D("40.00")
    assert "wet van 2 augustus 2002" in fee_line.description
    # The 2002 law is for company debtors; a private person keeps the Book XIX tiers.
    assert charge_of(person).lines.order_by("pk")[1].total == D("20.00")


def test_partly_paid_the_fee_and_interest_are_on_the_open_balance():
    invoice = overdue(D("1000.00"))
    record_payment(invoice=invoice, amount=D("600.00"), paid_on=date(2025, 10, 5),
                   method="bank_transfer")
    run_late_payment_job(REMINDED)  # 1,000.00 open on the 2nd
    run_late_payment_job(CHARGED)
    interest_line, fee_line = charge_of(invoice).lines.order_by("pk")
    assert fee_line.total == D("55.00")  # on 400.00
    assert interest_line.total == D("0.12")  # 400 x 10.5 % / 365


def test_paid_in_between_no_charge_and_the_flag_is_lifted():
    invoice = overdue()
    registration = invoice.lines.get().registration
    run_late_payment_job(REMINDED)
    assert registration_is_blocked(registration)
    record_payment(invoice=invoice, amount=invoice.total, paid_on=date(2025, 10, 10),
                   method="bank_transfer")
    assert not registration_is_blocked(registration)
    report = run_late_payment_job(CHARGED)
    assert (report.charges, report.examined) == (0, 0)
    assert not Invoice.objects.filter(kind="late_charge").exists()


def test_a_credit_note_counts_as_paid():
    from billing.invoicing import issue_credit_note

    invoice = overdue()
    issue_credit_note(invoice=invoice, net=invoice.total, vat=D("0.00"), reason="cancelled")
    assert run_late_payment_job(REMINDED).examined == 0


def test_a_staff_lifted_flag_is_not_raised_again_by_the_charge():
    from billing.dunning_flags import lift_flag

    invoice = overdue()
    run_late_payment_job(REMINDED)
    flag = UnpaidFlag.objects.get()
    lift_flag(flag_id=flag.pk, staff_user=UserFactory(is_staff=True), reason="agreed plan")
    run_late_payment_job(CHARGED)
    assert charge_of(invoice)
    assert UnpaidFlag.objects.filter(lifted_at__isnull=True).count() == 0


def test_instalments_only_the_overdue_part_keyed_per_part():
    invoice = overdue(D("900.00"))
    first, second, third = add_instalments(invoice, 3)
    assert [p.due_date for p in (first, second, third)] == [DUE, date(2025, 11, 1),
                                                           date(2025, 12, 1)]
    report = run_late_payment_job(REMINDED)
    assert report.reminders == 1
    step = LatePaymentStep.objects.get()
    assert (step.instalment, step.term_until) == (first, TERM_END)
    email = OutgoingEmail.objects.get(dedup_key=f"late-reminder:{invoice.pk}:part1")
    assert "300,00" in email.body_text
    assert first.structured_communication in email.body_text
    assert invoice.structured_communication not in email.body_text
    assert ", 1" in email.subject or "1" in email.subject

    # 2 November: part 1's term has passed (charge), part 2 is one day late (reminder).
    report = run_late_payment_job(date(2025, 11, 2))
    assert (report.reminders, report.charges) == (1, 1)
    charge = charge_of(invoice)
    interest_line, fee_line = charge.lines.order_by("pk")
    assert fee_line.total == D("45.00")  # flat_fee(300.00)
    assert interest_line.total == D("1.47")  # 300 x 10.5 % x 17 / 365 = 1.4671
    assert "schijf 1" in interest_line.description
    assert LatePaymentStep.objects.get(kind="charge").instalment == first
    assert LatePaymentStep.objects.get(kind="reminder", instalment=second)
    assert mails(f"late-charge:{invoice.pk}:part1").count() == 1
    assert mails(f"late-reminder:{invoice.pk}:part2").count() == 1
    assert UnpaidFlag.objects.count() == 1  # one open flag per registration
    again = run_late_payment_job(date(2025, 11, 2))
    assert (again.reminders, again.charges) == (0, 0)


def test_instalments_a_paid_part_gets_no_reminder():
    invoice = overdue(D("900.00"))
    first, second, _ = add_instalments(invoice, 3)
    record_payment(invoice=invoice, instalment=first, amount=D("300.00"),
                   paid_on=date(2025, 9, 30), method="bank_transfer")
    assert run_late_payment_job(REMINDED).reminders == 0
    report = run_late_payment_job(date(2025, 11, 2))
    assert report.reminders == 1
    assert LatePaymentStep.objects.get().instalment == second


def test_instalments_money_without_a_part_pays_the_oldest_part_first():
    invoice = overdue(D("900.00"))
    add_instalments(invoice, 3)
    record_payment(invoice=invoice, amount=D("400.00"), paid_on=date(2025, 9, 30),
                   method="bank_transfer")
    assert run_late_payment_job(REMINDED).reminders == 0  # part 1 paid
    run_late_payment_job(date(2025, 11, 2))
    email = mails(f"late-reminder:{invoice.pk}:part2").get()
    assert "200,00" in email.body_text  # 300 - the 100 left over


def test_a_missing_rate_is_reported_not_charged_as_zero():
    from billing.models import InterestRate

    invoice = overdue()
    other = overdue()
    run_late_payment_job(REMINDED)
    InterestRate.objects.filter(valid_from=date(2025, 7, 1)).delete()
    report = run_late_payment_job(CHARGED)
    assert (report.charges, report.failed) == (0, 2)
    assert len(report.errors) == 2 and "no late-interest rate for 2025-10-17" in report.errors[0]
    assert not Invoice.objects.filter(kind="late_charge").exists()
    InterestRate.objects.create(valid_from=date(2025, 7, 1), valid_until=date(2025, 12, 31),
                                annual_rate_percent=D("10.50"))
    assert run_late_payment_job(date(2025, 10, 18)).charges == 2  # 2 days of interest now
    assert charge_of(invoice).lines.order_by("pk")[0].description.endswith("2 dagen aan 10,5 %")
    assert charge_of(other)


def test_one_invoice_failing_does_not_stop_the_others():
    broken = overdue(user=UserFactory(preferred_language="fr"))  # no such e-mail language
    fine = overdue()
    report = run_late_payment_job(REMINDED)
    assert (report.reminders, report.failed) == (1, 1)
    assert broken.number in report.errors[0] and "language" in report.errors[0]
    assert not LatePaymentStep.objects.filter(invoice=broken).exists()  # rolled back whole
    assert not UnpaidFlag.objects.filter(invoice=broken).exists()
    assert LatePaymentStep.objects.filter(invoice=fine).exists()


def test_batches_by_keyset_cover_every_invoice_once():
    invoices = [overdue() for _ in range(7)]
    report = run_late_payment_job(REMINDED, batch_size=3)
    assert (report.batches, report.examined, report.reminders) == (3, 7, 7)
    assert set(LatePaymentStep.objects.values_list("invoice", flat=True)) == {
        i.pk for i in invoices}


class Killed(BaseException):
    """Like a worker killed mid-way: not an Exception, so nothing in the job catches it."""


def test_killed_in_the_middle_then_run_again_each_invoice_exactly_once(monkeypatch):
    from billing import latepayment

    invoices = [overdue() for _ in range(5)]
    real_queue, calls = latepayment.queue_emails, []

    def queue_then_die(emails):
        calls.append(1)
        real_queue(emails)
        if len(calls) == 2:
            raise Killed  # after the steps, flags and mails of the 2nd chunk, before its commit

    monkeypatch.setattr(latepayment, "queue_emails", queue_then_die)
    with pytest.raises(Killed):
        run_late_payment_job(REMINDED, batch_size=4, chunk_size=2)
    # The first chunk of two committed; the second rolled back with everything it wrote.
    assert set(LatePaymentStep.objects.values_list("invoice", flat=True)) == {
        invoices[0].pk, invoices[1].pk}
    assert mails("late-reminder").count() == 2
    assert UnpaidFlag.objects.count() == 2

    monkeypatch.setattr(latepayment, "queue_emails", real_queue)
    report = run_late_payment_job(REMINDED, batch_size=2)
    assert report.reminders == 3
    for invoice in invoices:
        assert LatePaymentStep.objects.filter(invoice=invoice).count() == 1
        assert mails(f"late-reminder:{invoice.pk}").count() == 1


def test_a_chunk_that_fails_is_taken_again_one_invoice_at_a_time():
    """A chunk that raises (here: one participant's language has no e-mails) rolls back
    whole; its invoices then take the per-invoice path, so only the bad one is left out."""
    invoices = [overdue() for _ in range(2)]
    bad = overdue(user=UserFactory(preferred_language="fr"))
    invoices += [bad, overdue()]

    with CaptureQueriesContext(connection) as queries:
        report = run_late_payment_job(REMINDED, chunk_size=10)

    locks = [q for q in queries if "FOR UPDATE SKIP LOCKED" in q["sql"]]
    assert len(locks) == 1 + 4  # the chunk of four, then each of them on its own
    assert (report.examined, report.reminders, report.failed, report.skipped) == (4, 3, 1, 0)
    assert bad.number in report.errors[0] and "language" in report.errors[0]
    assert set(LatePaymentStep.objects.values_list("invoice", flat=True)) == {
        i.pk for i in invoices if i != bad}
    assert set(mails("late-reminder").values_list("dedup_key", flat=True)) == {
        f"late-reminder:{i.pk}" for i in invoices if i != bad}
    assert not UnpaidFlag.objects.filter(invoice=bad).exists()
    assert UnpaidFlag.objects.count() == 3

    bad.user.preferred_language = "en"  # repaired
    bad.user.save(update_fields=["preferred_language"])
    again = run_late_payment_job(REMINDED)
    assert (again.reminders, again.failed) == (1, 0)
    assert mails("late-reminder").count() == 4 and LatePaymentStep.objects.count() == 4


def test_a_chunk_acts_once_per_invoice_in_a_constant_number_of_statements():
    """The reminders of a chunk: one lock, one read of the steps, one insert per table."""
    invoices = [overdue() for _ in range(30)]
    with CaptureQueriesContext(connection) as queries:
        report = run_late_payment_job(REMINDED, chunk_size=30)
    assert report.reminders == 30
    inserts = [q["sql"].split()[2] for q in queries if q["sql"].startswith("INSERT")]
    assert sorted(inserts) == sorted(['"billing_latepaymentstep"', '"billing_unpaidflag"',
                                      '"portal_outgoingemail"'])
    locks = [q for q in queries if "FOR UPDATE SKIP LOCKED" in q["sql"]]
    assert len(locks) == 1
    assert LatePaymentStep.objects.filter(invoice__in=invoices).count() == 30
    assert OutgoingEmail.objects.filter(dedup_key__startswith="late-reminder:").count() == 30


def test_queries_grow_by_a_small_constant_per_invoice_acted_on():
    """10 then 50 invoices (the second group a day later): reminders, then charges."""
    from datetime import timedelta

    later = ISSUED + timedelta(days=1)
    for _ in range(10):
        overdue()
    for _ in range(50):
        overdue(issued=later)
    counts = {}
    for day in (REMINDED, REMINDED + timedelta(days=1), CHARGED, CHARGED + timedelta(days=1)):
        with CaptureQueriesContext(connection) as queries:
            report = run_late_payment_job(day)
        counts[day] = (len(queries), report.reminders + report.charges)
    (few_r, n_few_r), (many_r, n_many_r), (few_c, n_few_c), (many_c, n_many_c) = counts.values()
    assert (n_few_r, n_many_r, n_few_c, n_many_c) == (10, 50, 10, 50)
    per_reminder = (many_r - few_r) / 40
    per_charge = (many_c - few_c) / 40
    print(f"reminders: {few_r} queries for 10, {many_r} for 50 ({per_reminder:.2f} each); "
          f"charges: {few_c} for 10, {many_c} for 50 ({per_charge:.2f} each)")
    # Measured: reminders in one chunk, 13 statements for 10 as for 50 (rates, 4 per batch,
    # and per chunk: savepoint, lock, steps, the step, flag and outbox inserts, the outbox's
    # dedup select, release); 14 per charge (one invoice at a time: lock, steps, next_number,
    # invoice, lines, step, queue_email).
    assert per_reminder == 0 and few_r <= 14
    assert per_charge <= 18
    assert few_c - 10 * per_charge <= 6


def test_the_charge_renders_as_a_pdf_attachment():
    from io import BytesIO

    from pypdf import PdfReader

    from billing.pdf import invoice_attachment

    invoice = overdue(D("1000.00"))
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = charge_of(invoice)
    filename, content, mimetype = invoice_attachment(charge.pk)
    assert (filename, mimetype) == (f"factuur-{charge.number}.pdf", "application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    for expected in (charge.number, "Verwijlinteresten", "Forfaitaire kost", "90,29"):
        assert expected in text, expected


def test_the_unique_constraint_is_the_last_line_of_defence(monkeypatch):
    """Control: with the lock's re-check blinded, a second reminder is still refused by the
    database and everything of it (the mail) rolls back."""
    from billing import latepayment

    invoice = overdue()
    run_late_payment_job(REMINDED)
    monkeypatch.setattr(latepayment, "candidates",
                        lambda today: latepayment.with_amounts(Invoice.objects.filter(
                            pk=invoice.pk)).select_related("organizer", "user").order_by("pk"))
    monkeypatch.setattr(latepayment, "_steps_of", lambda ids: {pk: {} for pk in ids})
    monkeypatch.setattr(latepayment, "queue_email", lambda **kwargs: OutgoingEmail.objects.create(
        recipient="x@example.org", subject="duplicate", body_text="x", language="nl"))
    report = run_late_payment_job(date(2025, 10, 3))
    assert (report.reminders, report.skipped) == (0, 1)
    assert LatePaymentStep.objects.count() == 1
    assert not OutgoingEmail.objects.filter(subject="duplicate").exists()


def test_instalments_paying_the_overdue_part_lifts_the_flag_the_next_part_raises_it_again():
    """Seed 2 art. 4.4: access may be refused while the participant does not pay *on time*.
    Once the overdue part is paid nothing is late, though the later parts are still open."""
    from django.utils import timezone

    today = timezone.localdate()
    invoice = overdue(D("900.00"), issued=today - timedelta(days=35))  # due 5 days ago
    first, second, _ = add_instalments(invoice, 3)
    registration = invoice.lines.get().registration
    run_late_payment_job(today)  # the reminder of part 1 raises the flag
    assert registration_is_blocked(registration)
    record_payment(invoice=invoice, amount=D("200.00"), paid_on=today, method="bank_transfer")
    assert registration_is_blocked(registration)  # 100.00 of part 1 still late
    record_payment(invoice=invoice, instalment=first, amount=D("100.00"), paid_on=today,
                   method="bank_transfer")
    assert not registration_is_blocked(registration)
    assert UnpaidFlag.objects.get().lift_reason == "paid"
    run_late_payment_job(second.due_date + timedelta(days=1))  # part 2 late: raised again
    assert registration_is_blocked(registration)
    assert UnpaidFlag.objects.filter(lifted_at__isnull=True).get().invoice == invoice


def test_instalments_the_charge_notice_names_the_part():
    """Two charges on one invoice (one per late part) must be told apart by their subject, as
    the reminders are."""
    invoice = overdue(D("900.00"), user=UserFactory(preferred_language="en"))
    add_instalments(invoice, 3)
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = charge_of(invoice)
    assert mails(f"late-charge:{invoice.pk}:part1").get().subject == (
        f"Late-payment charge {charge.number} for invoice {invoice.number}, part 1")


@pytest.mark.parametrize(("paid", "examined"), [("300.00", 0), ("299.99", 1)])
def test_instalments_an_invoice_whose_late_parts_are_paid_is_not_selected(paid, examined):
    """Part 1 paid (with the invoice's communication), parts 2 and 3 not due: the job has
    nothing to do for it, and does not read it (it used to, every day); a cent short it does."""
    from billing.latepayment import candidates

    invoice = overdue(D("900.00"))
    add_instalments(invoice, 3)
    record_payment(invoice=invoice, amount=D(paid), paid_on=date(2025, 9, 30),
                   method="bank_transfer")
    assert candidates(REMINDED).count() == examined
    assert run_late_payment_job(REMINDED).examined == examined
    assert run_late_payment_job(date(2025, 10, 31)).examined == examined
    assert candidates(date(2025, 11, 2)).count() == 1  # part 2 late
