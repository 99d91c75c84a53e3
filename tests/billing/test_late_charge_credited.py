"""A credit note on an invoice withdraws its late charge when, corrected, nothing that was owed
was left open at the end of the reminder's term (seed 2 art. 4.7: fee and interest only when
the term passes without payment of what is owed; billing/late_charge_withdrawal.py). Payments
count by the date they were made, credit notes whatever their date, and a refund takes back the
money paid last first. The calendar of test_dunning: due 1 October 2025, term until 16 October,
charged on 17 October."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from billing.invoicing import issue_credit_note
from billing.models import CreditNote, LatePaymentStep, Refund
from billing.payments import record_payment
from courses.models import Edition
from registrations.models import Registration
from tests.billing.test_dunning import ISSUED, TERM_END, overdue
from tests.billing.test_late_charge_withdrawal import PART1_TERM, charged, in_parts, withdrawn

pytestmark = pytest.mark.django_db

D = Decimal
LATE = TERM_END + timedelta(days=1)


def pay(invoice, amount, day, part=None):
    record_payment(invoice=invoice, amount=D(amount), paid_on=day, method="bank_transfer",
                   instalment=part)


def credit(invoice, amount):
    return issue_credit_note(invoice=invoice, net=D(amount), vat=D("0.00"), reason="correction")


@pytest.mark.parametrize(("paid", "credits", "withdrawn_"), [
    # 450.00 charged on 17 October; (amount, date made) paid, then the credit notes, in order.
    pytest.param([], ["450.00"], True, id="credited-in-full"),
    pytest.param([], ["449.99"], False, id="credited-a-cent-short"),
    pytest.param([("300.00", TERM_END)], ["150.00"], True, id="rest-of-a-payment-in-time"),
    pytest.param([("300.00", TERM_END)], ["149.99"], False, id="a-cent-short-of-the-rest"),
    pytest.param([("300.00", LATE)], ["150.00"], False, id="the-payment-came-late"),
    pytest.param([("299.99", TERM_END), ("0.01", LATE)], ["150.00"], False,
                 id="a-cent-of-it-came-late"),
    pytest.param([], ["200.00", "250.00"], True, id="two-notes-the-second-covers-it"),
    pytest.param([], ["0.01"], False, id="the-smallest-note"),
])
def test_a_credit_note_withdraws_the_charge_when_nothing_owed_was_late(paid, credits,
                                                                         withdrawn_):
    invoice = overdue()
    charge = charged(invoice)
    for amount, day in paid:
        pay(invoice, amount, day)
    assert not CreditNote.objects.filter(invoice=charge).exists()  # the payments alone: no
    for amount in credits:
        credit(invoice, amount)
    notes = CreditNote.objects.filter(invoice=charge)
    assert notes.exists() is withdrawn_
    if withdrawn_:
        assert [note.total for note in notes] == [charge.total]


@pytest.mark.parametrize(("language", "reason"), [
    ("nl", "Gecorrigeerd met een creditnota: op het einde van de termijn van de herinnering "
           "(16/10/2025) bleef er niets te betalen, dus de nalatigheidskosten worden "
           "ingetrokken."),
    ("en", "Corrected by a credit note: nothing was left to pay at the end of the reminder's "
           "term (16/10/2025), so the late-payment charge is withdrawn."),
])
def test_the_reason_names_the_correction_in_the_charges_language(language, reason):
    invoice = overdue(language=language)
    charge = charged(invoice)
    with translation.override("en" if language == "nl" else "nl"):  # finance's own language
        credit(invoice, "450.00")
    assert CreditNote.objects.get(invoice=charge).reason == reason


def test_a_charge_credited_by_finance_already_gets_only_the_rest():
    invoice = overdue()
    charge = charged(invoice)
    credit(charge, "10.00")
    credit(invoice, "450.00")
    notes = CreditNote.objects.filter(invoice=charge).order_by("pk")
    assert [note.total for note in notes] == [D("10.00"), charge.total - D("10.00")]


def test_a_failed_credit_note_withdraws_nothing():
    invoice = overdue()
    charge = charged(invoice)
    with pytest.raises(ValueError):
        credit(invoice, "450.01")
    assert not CreditNote.objects.filter(invoice=charge).exists()


def test_a_charge_is_never_withdrawn_by_a_note_on_another_invoice():
    invoice, other = overdue(), overdue()
    charge = charged(invoice)
    charged(other)
    credit(other, "450.00")
    assert not CreditNote.objects.filter(invoice=charge).exists()


# Refunds take back the money paid last ---------------------------------------------------------


def refund(note, amount):
    return Refund.objects.create(credit_note=note, amount=D(amount), beneficiary_name="Payer",
                                 iban="BE68539007547034", dedup_key=f"test:{note.pk}")


def test_a_refund_of_money_paid_late_leaves_the_payment_in_time_counted():
    """300.00 paid in time, 150.00 paid late, then 150.00 credited and refunded: owed 300.00,
    paid in time 300.00. The refund returns the late 150.00, so a payment recorded after it
    still finds the charge withdrawn once, not twice, and nothing undone."""
    invoice = overdue()
    charge = charged(invoice)
    pay(invoice, "300.00", TERM_END)
    pay(invoice, "150.00", LATE)
    refund(credit(invoice, "150.00"), "150.00")
    assert CreditNote.objects.filter(invoice=charge).count() == 1
    pay(invoice, "0.01", LATE)
    assert CreditNote.objects.filter(invoice=charge).count() == 1


def test_a_payment_in_time_recorded_after_a_refund_of_late_money_withdraws_the_charge():
    """The same money in another order: the late 150.00 was paid, credited and refunded first;
    the transfer of 300.00 made on the term's last day reaches a statement afterwards. Before,
    the refund was subtracted from the 300.00 paid in time and the charge stayed."""
    invoice = overdue()
    charge = charged(invoice)
    pay(invoice, "150.00", LATE)
    refund(credit(invoice, "150.00"), "150.00")
    assert not CreditNote.objects.filter(invoice=charge).exists()
    pay(invoice, "300.00", TERM_END)
    assert CreditNote.objects.get(invoice=charge).total == charge.total


# Instalments: the credit note pays the oldest open part first ---------------------------------


def test_instalments_a_credit_note_covering_part_1_withdraws_part_1s_charge_only():
    invoice, parts, charges = in_parts()
    credit(invoice, "300.00")
    assert withdrawn(charges) == [1]


def test_instalments_part_1_paid_in_time_a_credit_note_covers_part_2():
    invoice, parts, charges = in_parts()
    pay(invoice, "300.00", PART1_TERM, part=parts[0])
    assert withdrawn(charges) == [1]
    credit(invoice, "300.00")
    assert withdrawn(charges) == [1, 2]


def test_instalments_a_credit_note_a_cent_short_of_part_1_withdraws_nothing():
    invoice, parts, charges = in_parts()
    credit(invoice, "299.99")
    assert withdrawn(charges) == []


# Through the cancellation flow ------------------------------------------------------------------


@pytest.mark.parametrize(("paid", "withdrawn_"), [
    pytest.param([("240.00", TERM_END)], True, id="kept-amount-paid-in-time"),
    pytest.param([("239.99", TERM_END)], False, id="a-cent-of-it-unpaid"),
    pytest.param([("240.00", LATE)], False, id="kept-amount-paid-late"),
    pytest.param([("2400.00", LATE)], False, id="all-paid-late-then-refunded"),
    pytest.param([("240.00", TERM_END), ("2160.00", LATE)], True,
                 id="kept-in-time-rest-late-then-refunded"),
])
def test_the_credit_note_of_a_cancellation_withdraws_the_charge(course_admin, paid, withdrawn_):
    """Policy B early (seed 2 art. 5.2): 2,400.00, 10 % kept (240.00), 2,160.00 credited, what
    was paid beyond 240.00 refunded. The charge goes when the 240.00 owed was paid by the end of
    the term, whatever was paid later and refunded."""
    from registrations.services.cancellation import (
        confirm_cancellation,
        record_cancellation_request,
    )

    invoice = overdue(D("2400.00"))
    registration = invoice.lines.get().registration
    Registration.objects.filter(pk=registration.pk).update(registered_on=ISSUED)
    Edition.objects.filter(pk=registration.edition_id).update(
        cancellation_policy=Edition.Policy.DAYS_BEFORE_START, seats_taken=1,
        start=date(2026, 3, 1), end=date(2026, 4, 1))
    charge = charged(invoice)
    for amount, day in paid:
        pay(invoice, amount, day)
    received = date(2025, 10, 20)
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk, received_on=received,
                                          today=received)
    decided = confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    assert (decided.kept, decided.credit_note.total) == (D("240.00"), D("2160.00"))
    assert CreditNote.objects.filter(invoice=charge).exists() is withdrawn_
    assert LatePaymentStep.objects.filter(invoice=invoice, kind="charge").count() == 1



# In the admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "told"), [
    ("en", "The late-payment charge {charge} is withdrawn: credit note {note}."),
    ("nl", "De nalatigheidskosten {charge} worden ingetrokken: creditnota {note}."),
])
def test_finance_is_told_in_the_admin_that_the_charge_is_withdrawn(client, finance_user,
                                                                    language, told):
    from django.conf import settings
    from django.urls import reverse

    invoice = overdue()
    charge = charged(invoice)
    client.force_login(finance_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("admin:billing_invoice_changelist"), {
        "action": "credit", "_selected_action": [str(invoice.pk)], "apply": "1",
        "net": "450.00", "vat": "0.00", "reason": "Cancelled by the organizer"}, follow=True)
    withdrawal = CreditNote.objects.get(invoice=charge)
    shown = [str(message) for message in response.context["messages"]]
    assert told.format(charge=charge.number, note=withdrawal.number) in shown
