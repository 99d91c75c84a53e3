"""Two documents of one organizer issued at the same moment in different series (an invoice
and a credit note: different number-series locks) still make one unbroken chain: the chain's
own row lock per organizer serialises them."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from audit.chain import verify
from audit.models import AuditEntry
from billing.invoicing import issue_credit_note, issue_invoice
from tests.audit.conftest import invoice_for
from tests.factories import EditionFactory, OrganizerFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invoice_and_a_credit_note_at_the_same_time():
    organizer = OrganizerFactory()
    earlier = invoice_for(organizer)
    registration = RegistrationFactory(edition=EditionFactory(course__organizer=organizer))
    errors, invoice_holds_its_locks = [], threading.Event()

    def new_invoice():
        try:
            with transaction.atomic():
                issue_invoice(organizer=organizer, user=registration.user,
                              checkout=registration.checkout, registrations=[registration],
                              buyer={"customer_kind": "person", "customer_name": "X"},
                              language="nl")
                invoice_holds_its_locks.set()
                time.sleep(0.5)  # the credit note now waits for the chain's lock
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    def new_credit_note():
        try:
            invoice_holds_its_locks.wait(5)
            issue_credit_note(invoice=earlier, net=Decimal("10.00"), vat=Decimal("0.00"),
                              reason="Correction")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=new_invoice), threading.Thread(target=new_credit_note)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    links = AuditEntry.objects.filter(organizer=organizer).order_by("chain_seq")
    assert [(link.chain_seq, link.action) for link in links] == [
        (1, "invoice.issued"), (2, "invoice.issued"), (3, "credit_note.issued")]
    assert verify(organizer)[0].ok
