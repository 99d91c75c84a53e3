"""A credit note on an invoice may withdraw its late charge (a credit note on the charge, in the
same transaction). Finance crediting that charge by hand takes the charge's row, then the
credit-note series. So the invoice's note must lock the charge's row before the series, or the
two wait for each other (a deadlock PostgreSQL breaks by failing one of them). Threads with
their own connections, real commits (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from billing.invoicing import issue_credit_note
from billing.models import CreditNote, NumberSeries
from tests.billing.test_dunning import overdue
from tests.billing.test_late_charge_withdrawal import charged

pytestmark = pytest.mark.django_db(transaction=True)


def series_is_free(organizer_id) -> bool:
    """Whether another transaction could take the organizer's credit-note series right now."""
    try:
        with transaction.atomic():
            list(NumberSeries.objects.select_for_update(nowait=True).filter(
                organizer_id=organizer_id, kind=NumberSeries.Kind.CREDIT_NOTE,
                year=timezone.localdate().year))
        return True
    except OperationalError:
        return False


def test_the_charge_is_locked_before_the_credit_note_series():
    invoice = overdue()
    charge = charged(invoice)
    issue_credit_note(invoice=charge, net=Decimal("0.01"), vat=Decimal("0.00"),
                      reason="creates this year's credit-note series")
    charge_locked, release = threading.Event(), threading.Event()
    errors = []

    def finance_holds_the_charge():
        try:
            with transaction.atomic():
                list(type(charge).objects.select_for_update().filter(pk=charge.pk))
                charge_locked.set()
                release.wait(10)
        finally:
            connection.close()

    def credit_the_invoice():
        try:
            issue_credit_note(invoice=invoice, net=invoice.total, vat=Decimal("0.00"),
                              reason="Cancellation")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=finance_holds_the_charge)
    holder.start()
    assert charge_locked.wait(10)
    crediting = threading.Thread(target=credit_the_invoice)
    crediting.start()
    crediting.join(1.0)  # it waits for the charge's row...
    assert crediting.is_alive()
    try:
        assert series_is_free(invoice.organizer_id)  # ...without holding the series
    finally:
        release.set()
        holder.join(10)
        crediting.join(10)
    assert errors == []
    assert CreditNote.objects.filter(invoice=invoice).count() == 1
    assert CreditNote.objects.filter(invoice=charge).count() == 2  # the 0.01, then the rest
