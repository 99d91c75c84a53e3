"""A late charge taken while the payment was on its way is withdrawn when the payment, made
within the reminder's term, is recorded after the charge (seed 2 art. 4.7: fee and interest only
when the term passes without payment; billing/late_charge_withdrawal.py). The calendar of
test_dunning: due 1 October 2025, term until 16 October, charged on 17 October."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from billing.invoicing import add_instalments
from billing.latepayment import run_late_payment_job
from billing.models import CreditNote, Invoice
from billing.payments import record_payment
from tests.billing.test_dunning import CHARGED, REMINDED, TERM_END, charge_of, overdue

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


def test_a_charge_on_one_instalment_is_left_to_finance():
    invoice = overdue(D("900.00"))
    add_instalments(invoice, 3)
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = Invoice.objects.get(charged_for=invoice)
    record_payment(invoice=invoice, amount=invoice.total, paid_on=TERM_END,
                   method="bank_transfer")
    assert not CreditNote.objects.filter(invoice=charge).exists()
