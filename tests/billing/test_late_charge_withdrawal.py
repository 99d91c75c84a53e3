"""A late charge taken while the payment was on its way is withdrawn when the payment, made
within the reminder's term, is recorded after the charge (seed 2 art. 4.7: fee and interest only
when the term passes without payment; billing/late_charge_withdrawal.py). The calendar of
test_dunning: due 1 October 2025, term until 16 October, charged on 17 October."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from billing.invoicing import add_instalments, issue_credit_note
from billing.latepayment import run_late_payment_job
from billing.models import CreditNote, LatePaymentStep
from billing.payments import PaymentIn, record_payment, record_payments
from tests.billing.statement_files import Move, camt053
from tests.billing.test_dunning import CHARGED, REMINDED, TERM_END, charge_of, overdue
from tests.billing.test_statements_import import digits, upload

pytestmark = pytest.mark.django_db

D = Decimal


def charged(invoice):
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    return charge_of(invoice)


@pytest.mark.parametrize(("language", "reason"), [
    ("nl", "Betaald binnen de termijn van de herinnering (uiterlijk 16/10/2025): de "
           "nalatigheidskosten worden ingetrokken."),
    ("en", "Paid within the reminder's term (by 16/10/2025): the late-payment charge is "
           "withdrawn."),
])
def test_paid_on_the_last_day_of_the_term_recorded_later_withdraws_the_charge(language, reason):
    invoice = overdue(language=language)
    charge = charged(invoice)
    with translation.override("en" if language == "nl" else "nl"):  # finance's own language
        record_payment(invoice=invoice, amount=invoice.total, paid_on=TERM_END,
                       method="bank_transfer")
    note = CreditNote.objects.get(invoice=charge)
    assert note.total == charge.total and note.reason == reason


def test_paid_the_day_after_the_term_the_charge_stays():
    invoice = overdue()
    charge = charged(invoice)
    record_payment(invoice=invoice, amount=invoice.total, paid_on=CHARGED,
                   method="bank_transfer")
    assert not CreditNote.objects.filter(invoice=charge).exists()


def test_partly_paid_within_the_term_the_charge_stays_until_the_rest_came_in_time():
    invoice = overdue(D("1000.00"))
    charge = charged(invoice)
    record_payment(invoice=invoice, amount=D("600.00"), paid_on=date(2025, 10, 10),
                   method="bank_transfer")
    assert not CreditNote.objects.filter(invoice=charge).exists()
    record_payment(invoice=invoice, amount=D("400.00"), paid_on=TERM_END,
                   method="bank_transfer")
    assert CreditNote.objects.get(invoice=charge).total == charge.total


def test_withdrawn_once_whatever_comes_in_after():
    invoice = overdue()
    charge = charged(invoice)
    record_payment(invoice=invoice, amount=invoice.total, paid_on=TERM_END,
                   method="bank_transfer")
    record_payment(invoice=invoice, amount=D("10.00"), paid_on=TERM_END,
                   method="bank_transfer")
    assert CreditNote.objects.filter(invoice=charge).count() == 1


# Instalments: 900.00 in three parts of 300.00 due 1 October, 1 November and 1 December 2025.
# Part 1: reminded 2 October, term until 16 October, charged 17 October; part 2: reminded
# 2 November, term until 16 November, charged 17 November. Which part money pays is the job's
# own rule (billing.instalment_allocation): a part's communication pays that part, the rest
# pays the oldest parts first; only payments made by the end of the part's term count.
PART1_TERM, PART2_TERM = TERM_END, date(2025, 11, 16)


def in_parts():
    """The invoice with its charges on part 1 and part 2 (part 3 is not due yet)."""
    invoice = overdue(D("900.00"))
    parts = add_instalments(invoice, 3)
    for day in (REMINDED, CHARGED, date(2025, 11, 2), date(2025, 11, 17)):
        run_late_payment_job(day)
    charges = {step.instalment.number: step.charge
               for step in LatePaymentStep.objects.filter(invoice=invoice, kind="charge")}
    assert sorted(charges) == [1, 2]
    return invoice, parts, charges


def withdrawn(charges):
    return sorted(number for number, charge in charges.items()
                  if CreditNote.objects.filter(invoice=charge).exists())


@pytest.mark.parametrize(("payments", "expected"), [
    # (amount, date it was made, part number or None for the invoice's own communication)
    pytest.param([("300.00", PART1_TERM, None)], [1], id="last-day-of-part-1s-term"),
    pytest.param([("300.00", PART1_TERM, 1)], [1], id="last-day-with-part-1s-communication"),
    pytest.param([("300.00", CHARGED, 1)], [], id="the-day-after-the-term"),
    pytest.param([("299.99", PART1_TERM, 1)], [], id="partly-paid"),
    pytest.param([("200.00", date(2025, 10, 10), 1), ("100.00", PART1_TERM, None)], [1],
                 id="two-payments-add-up-by-the-term"),
    pytest.param([("600.00", PART1_TERM, None)], [1, 2], id="two-charges-both-in-time"),
    pytest.param([("600.00", date(2025, 10, 20), None)], [2],
                 id="part-1-late-part-2-in-time"),
    pytest.param([("300.00", PART1_TERM, None), ("300.00", date(2025, 11, 17), None)], [1],
                 id="covers-part-1-not-part-2"),
    pytest.param([("300.00", PART2_TERM, 2)], [2],
                 id="part-2s-communication-while-part-1-is-open"),
    pytest.param([("300.00", PART2_TERM, None)], [],
                 id="untagged-money-pays-part-1-first"),
])
def test_a_charge_on_a_part_is_withdrawn_when_paid_by_its_term(payments, expected):
    invoice, parts, charges = in_parts()
    record_payments([PaymentIn(invoice=invoice, amount=D(amount), paid_on=day,
                               method="bank_transfer",
                               instalment=parts[part - 1] if part else None)
                     for amount, day, part in payments])
    assert withdrawn(charges) == expected
    for number in expected:
        note = CreditNote.objects.get(invoice=charges[number])
        assert note.total == charges[number].total
        term = PART1_TERM if number == 1 else PART2_TERM
        assert f"{term:%d/%m/%Y}" in note.reason


def test_a_part_charge_partly_credited_already_is_withdrawn_for_the_rest():
    invoice, parts, charges = in_parts()
    issue_credit_note(invoice=charges[1], net=D("10.00"), vat=D("0.00"), reason="goodwill")
    record_payment(invoice=invoice, instalment=parts[0], amount=D("300.00"), paid_on=PART1_TERM,
                   method="bank_transfer")
    notes = CreditNote.objects.filter(invoice=charges[1]).order_by("pk")
    assert [note.total for note in notes] == [D("10.00"), charges[1].total - D("10.00")]
    assert withdrawn(charges) == [1]


def test_a_part_charge_credited_in_full_already_gets_no_second_note():
    invoice, parts, charges = in_parts()
    issue_credit_note(invoice=charges[1], net=charges[1].total, vat=D("0.00"), reason="waived")
    record_payment(invoice=invoice, amount=D("300.00"), paid_on=PART1_TERM,
                   method="bank_transfer")
    assert CreditNote.objects.filter(invoice=charges[1]).count() == 1


def test_a_part_charge_is_withdrawn_through_a_statement_import(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice, parts, charges = in_parts()
    data = camt053([Move("300.00", ogm=digits(parts[0]), booked=PART1_TERM, ref="P1"),
                    Move("300.00", ogm=digits(parts[1]), booked=date(2025, 11, 17), ref="P2")])
    statement = upload(data)
    assert statement.lines.filter(result="matched").count() == 2
    assert withdrawn(charges) == [1]  # part 2 was paid the day after its term
