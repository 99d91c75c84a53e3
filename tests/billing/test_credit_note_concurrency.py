"""Two credit notes on one invoice at the same moment (PostgreSQL, threads with their own
connections, real commits): together they never exceed the invoice, because what is left is
read under the invoice's row lock (rules.md §2: corrections are credit notes)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import translation

from billing.invoicing import issue_credit_note
from billing.models import CreditNote
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_credit_notes_at_once_never_exceed_the_invoice():
    registration = RegistrationFactory(edition=EditionFactory(fee_amount=Decimal("100.00")))
    invoice = InvoiceFactory(registrations=[registration])
    assert invoice.total == Decimal("100.00")
    errors, first_holds_its_locks = [], threading.Event()

    def credit(wait_for_the_other):
        try:
            with translation.override("en"), transaction.atomic():
                if wait_for_the_other:
                    first_holds_its_locks.wait(5)
                issue_credit_note(invoice=invoice, net=Decimal("60.00"), vat=Decimal("0.00"),
                                  reason="Correction")
                if not wait_for_the_other:
                    first_holds_its_locks.set()
                    time.sleep(0.5)  # the other one now reads what is left: wait for this one
        except ValueError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=credit, args=(wait,)) for wait in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert list(CreditNote.objects.values_list("total", flat=True)) == [Decimal("60.00")]
    assert [str(error) for error in errors] == [
        "A credit note cannot exceed what is left on the invoice."]
