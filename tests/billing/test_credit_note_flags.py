"""A credit note that leaves nothing late lifts the unpaid flag (seed 2 art. 4.4: the flag is
about money that is late), in its own transaction, as a payment does
(billing.dunning_flags.lift_flags_when_settled); also the credit note of a cancellation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.dunning_flags import registration_is_blocked
from billing.invoicing import add_instalments, issue_credit_note
from billing.latepayment import run_late_payment_job
from billing.models import UnpaidFlag
from billing.payments import record_payment
from courses.models import Edition
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
D = Decimal


def late(amount="450.00", *, parts=0, **registration):
    """An invoice issued 35 days ago (due 5 days ago), flagged by the daily job's reminder."""
    registration = RegistrationFactory(edition=EditionFactory(fee_amount=D(amount)),
                                       **registration)
    invoice = InvoiceFactory(registrations=[registration],
                             today=timezone.localdate() - timedelta(days=35))
    add_instalments(invoice, parts)
    run_late_payment_job(timezone.localdate())
    assert registration_is_blocked(registration)
    return invoice, registration


def credit(invoice, amount):
    return issue_credit_note(invoice=invoice, net=D(amount), vat=D("0.00"), reason="correction")


def test_a_credit_note_for_everything_owed_lifts_the_flag():
    invoice, registration = late()
    credit(invoice, "450.00")
    assert not registration_is_blocked(registration)
    assert UnpaidFlag.objects.get().lift_reason == "credited"


def test_a_credit_note_that_covers_the_rest_of_a_part_payment_lifts_the_flag():
    invoice, registration = late()
    record_payment(invoice=invoice, amount=D("400.00"), paid_on=timezone.localdate(),
                   method="bank_transfer")
    assert registration_is_blocked(registration)
    credit(invoice, "50.00")
    assert not registration_is_blocked(registration)


def test_a_credit_note_that_leaves_a_cent_owed_does_not():
    invoice, registration = late()
    credit(invoice, "449.99")
    assert registration_is_blocked(registration)


def test_instalments_a_credit_note_covering_the_late_part_lifts_the_flag():
    """The credit note pays the oldest open part first (billing.instalment_allocation): 300.00
    covers part 1, the only late one; parts 2 and 3 are owed but not late."""
    invoice, registration = late("900.00", parts=3)
    credit(invoice, "300.00")
    assert not registration_is_blocked(registration)


def test_instalments_a_credit_note_a_cent_short_of_the_late_part_does_not():
    invoice, registration = late("900.00", parts=3)
    credit(invoice, "299.99")
    assert registration_is_blocked(registration)


def test_a_failed_credit_note_lifts_nothing():
    invoice, registration = late()
    with pytest.raises(ValueError):
        credit(invoice, "450.01")
    assert registration_is_blocked(registration)


# Through the cancellation flow ----------------------------------------------------------------


@pytest.mark.parametrize(("paid", "blocked"), [("240.00", False), ("239.99", True)])
def test_the_credit_note_of_a_cancellation_lifts_the_flag_when_nothing_is_left_late(
        course_admin, paid, blocked):
    """Policy B (seed 2 art. 5.2) early: 2,400.00, 10 % kept (240.00), 2,160.00 credited. With
    the 240.00 paid nothing is owed and the flag goes; a cent short, it stays."""
    from registrations.services.cancellation import (
        confirm_cancellation,
        record_cancellation_request,
    )

    today = timezone.localdate()
    edition = EditionFactory(start=today + timedelta(days=60), end=today + timedelta(days=120),
                             fee_amount=D("2400.00"),
                             cancellation_policy=Edition.Policy.DAYS_BEFORE_START,
                             seats_taken=1)  # the registration below holds it
    registration = RegistrationFactory(edition=edition, registered_on=today - timedelta(days=35))
    invoice = InvoiceFactory(registrations=[registration], today=today - timedelta(days=35))
    run_late_payment_job(today)
    assert registration_is_blocked(registration)
    record_payment(invoice=invoice, amount=D(paid), paid_on=today, method="bank_transfer")
    request = record_cancellation_request(staff_user=course_admin,
                                          registration_id=registration.pk, received_on=today,
                                          today=today)
    decided = confirm_cancellation(request_id=request.pk, staff_user=course_admin)
    assert (decided.kept, decided.credit_note.total) == (D("240.00"), D("2160.00"))
    assert registration_is_blocked(registration) is blocked
