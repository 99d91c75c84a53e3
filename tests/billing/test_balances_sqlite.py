"""Open balances on SQLite, the embedded default of `make run` (the demo): SQLite hands back
computed amounts without their scale (Decimal("395") for 395.00), so the admin's invoice list
showed "Open: 395" next to "Total: 395,00" and the open-balances export wrote 395. Amounts are
shown and exported to the cent on either database."""

import json

from tests.embedded import manage

SCRIPT = """
import json
from decimal import Decimal
from django.contrib import admin
from django.utils import timezone
from billing.admin import InvoiceAdmin
from billing.exports.rows import open_balances
from billing.models import Invoice
from billing.payments import record_payment, with_status
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

edition = EditionFactory(fee_amount=Decimal("395.00"))
invoice = InvoiceFactory(registrations=[RegistrationFactory(edition=edition)])
record_payment(invoice=invoice, amount=Decimal("100.00"), paid_on=timezone.localdate(),
               method="bank_transfer")
shown = with_status(Invoice.objects.filter(pk=invoice.pk), timezone.localdate()).get()
row = next(iter(open_balances(invoice.organizer, invoice.issue_date, invoice.issue_date).rows))
print(json.dumps({
    "list": str(InvoiceAdmin(Invoice, admin.site).balance(shown)),
    "export": [str(value) for value in row[6:10]],
}))
"""


def test_open_amounts_are_to_the_cent_on_sqlite(embedded_var_dir):
    result = manage(embedded_var_dir, "shell", "-c", SCRIPT)
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"list": "295.00", "export": ["395.00", "0.00", "100.00", "295.00"]}
