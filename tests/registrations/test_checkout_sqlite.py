"""The checkout's hand-written SQL (cart, seats, `_items`, the audit chain's lock) on SQLite, the
embedded default of `make run`: a fresh database in a subprocess, a cart and a checkout.

The rest of the suite runs on PostgreSQL; this is the one place the SQLite path is exercised.
"""

import json

from tests.embedded import manage

SCRIPT = """
import json
from decimal import Decimal
from django.utils import timezone
from registrations.models import Cart, Registration
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, _items, checkout
from tests.factories import EditionFactory, UserFactory
from billing.models import Invoice
from portal.models import OutgoingEmail
from audit.chain import verify_organizer

person = UserFactory(preferred_language="en")
taxed = EditionFactory(fee_amount=Decimal("199.99"), vat_treatment="taxed")
exempt = EditionFactory(course=taxed.course, fee_amount=Decimal("450.00"))
add_to_cart(user=person, edition_id=taxed.pk)
add_to_cart(user=person, edition_id=exempt.pk)
items = _items(person, timezone.localdate())
first = items[0]
token = Cart.objects.get(user=person).checkout_token
record = checkout(user=person, token=token, billing=BillingDetails())
again = checkout(user=person, token=token, billing=BillingDetails())
invoice = Invoice.objects.get(checkout=record)
taxed.refresh_from_db()
print(json.dumps({
    "editions": [item.edition.code for item in items],
    "start_is_date": type(first.edition.start).__name__,
    "fee": str(first.edition.fee_amount),
    "held_until_aware": first.held_until.tzinfo is not None,
    "organizer": first.edition.course.organizer.name == taxed.course.organizer.name,
    "year_start": first.edition.academic_year.start.isoformat(),
    "registered": [item.registered for item in items],
    "same_checkout": again.pk == record.pk,
    "registrations": Registration.objects.filter(checkout=record).count(),
    "total": str(invoice.total),
    "seats_taken": taxed.seats_taken,
    "chain_ok": verify_organizer(invoice.organizer).ok,
    "mail": [(m.status, invoice.number in m.body_text, "Cancellation conditions" in m.body_text)
             for m in OutgoingEmail.objects.filter(user=person)],
}))
"""


def test_cart_and_checkout_run_on_sqlite(embedded_var_dir):
    result = manage(embedded_var_dir, "shell", "-c", SCRIPT)
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {
        "editions": outcome["editions"],
        "start_is_date": "date",
        "fee": "199.99",
        "held_until_aware": True,
        "organizer": True,
        "year_start": outcome["year_start"],
        "registered": [False, False],
        "same_checkout": True,
        "registrations": 2,
        "total": "691.99",
        "seats_taken": 1,
        "chain_ok": True,
        # make run: Celery eager, the mail rendered at send time and written to var/mail.
        "mail": [["sent", True, True]],
    }
    assert len(outcome["editions"]) == 2
    [mail_file] = (embedded_var_dir / "mail").iterdir()
    assert "Cancellation conditions" in mail_file.read_text()
