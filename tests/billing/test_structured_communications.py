"""Structured communications are unique per invoice (rules.md §2): whatever the organizer's id,
the year or the number of instalments, and never equal to one issued before the counter
(billing migration 0007), on PostgreSQL and on SQLite (`make run`)."""

import json
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

from billing.invoicing import add_instalments
from billing.models import CommunicationNumber, Instalment, Invoice
from billing.references import structured_base
from billing.statements.manual import find_invoice
from billing.structured_communication import format_structured, parse_structured
from courses.models import Organizer
from registrations.models import Cart
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.embedded import manage
from tests.factories import EditionFactory, InvoiceFactory, OrganizerFactory, UserFactory

BRUSSELS = ZoneInfo("Europe/Brussels")


def buy(edition, *, now=None, billing=None):
    user = UserFactory()
    add_to_cart(user=user, edition_id=edition.pk, now=now)
    token = Cart.objects.get(user=user).checkout_token
    return checkout(user=user, token=token, billing=billing or BillingDetails(), now=now)


def communications():
    return [*Invoice.objects.values_list("structured_communication", flat=True),
            *Instalment.objects.values_list("structured_communication", flat=True)]


@pytest.mark.django_db
def test_organizers_a_hundred_ids_apart_each_get_their_own_communication():
    first = OrganizerFactory()
    organizers = [first]
    for step in (100, 200, 300):  # the same id modulo 100: they shared the old base
        Organizer.objects.filter(pk=OrganizerFactory().pk).update(id=first.pk + step)
        organizers.append(Organizer.objects.get(pk=first.pk + step))
    for organizer in organizers:
        buy(EditionFactory(course__organizer=organizer))

    assert sorted(Invoice.objects.values_list("organizer_id", "sequence")) == [
        (organizer.pk, 1) for organizer in organizers]
    assert len(set(communications())) == 4
    assert all(parse_structured(c) is not None for c in communications())


@pytest.mark.django_db
def test_the_same_number_ten_years_later_gets_another_communication():
    organizer = OrganizerFactory()
    buy(EditionFactory(course__organizer=organizer),
        now=datetime(2026, 3, 1, 12, tzinfo=BRUSSELS))
    buy(EditionFactory(course__organizer=organizer, start=date(2036, 6, 1), end=date(2036, 6, 2)),
        now=datetime(2036, 1, 5, 12, tzinfo=BRUSSELS))

    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "2026-000001", "2036-000001"]
    assert len(set(communications())) == 2


@pytest.mark.django_db
def test_instalments_of_organizers_a_hundred_apart_all_differ():
    first = OrganizerFactory()
    Organizer.objects.filter(pk=OrganizerFactory().pk).update(id=first.pk + 100)
    second = Organizer.objects.get(pk=first.pk + 100)
    for organizer in (first, second):
        edition = EditionFactory(course__organizer=organizer, fee_amount=Decimal("900.00"),
                                 instalments_allowed=True, max_instalments=9)
        buy(edition, billing=BillingDetails(instalments=9))

    assert Instalment.objects.count() == 18
    assert len(set(communications())) == 20
    assert all(parse_structured(c) is not None for c in communications())
    # A bank transfer quoting a part's communication (any notation) still finds that part.
    part = Instalment.objects.get(invoice__organizer=second, number=9)
    digits = "".join(filter(str.isdigit, part.structured_communication))
    assert find_invoice(f"VCS {digits[:3]}/{digits[3:7]}/{digits[7:]}") == (part.invoice, part)


@pytest.fixture
def restore_the_counter():
    """The migration moves PostgreSQL's sequence, which a rollback does not undo."""
    yield
    CommunicationNumber.objects.all().delete()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [CommunicationNumber]):
            cursor.execute(sql)


@pytest.mark.django_db
def test_new_communications_start_above_those_issued_before_the_counter(monkeypatch,
                                                                       restore_the_counter):
    # Documents issued with the old base (year digit, organizer id % 100, sequence, part).
    old = [format_structured(structured_base(2026, 7, 1, part)) for part in range(3)]
    monkeypatch.setattr("billing.invoicing.new_communications",
                        lambda count=1: [old.pop(0) for _ in range(count)])
    invoice = InvoiceFactory()
    add_instalments(invoice, 2)
    monkeypatch.undo()
    highest = parse_structured(invoice.instalments.get(number=2).structured_communication)
    CommunicationNumber.objects.all().delete()

    with connection.schema_editor() as editor:
        import_module("billing.migrations.0007_communication_numbers").start_above_issued(
            apps, editor)
    later = InvoiceFactory()

    assert highest == 6_07_000001_2
    assert parse_structured(later.structured_communication) == highest + 1


SQLITE_SCRIPT = """
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo
from billing.models import Instalment, Invoice
from courses.models import Organizer
from registrations.models import Cart
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import EditionFactory, OrganizerFactory, UserFactory

def buy(edition, now, parts=1):
    user = UserFactory()
    add_to_cart(user=user, edition_id=edition.pk, now=now)
    checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
             billing=BillingDetails(instalments=parts), now=now)

first = OrganizerFactory()
Organizer.objects.filter(pk=OrganizerFactory().pk).update(id=first.pk + 100)
second = Organizer.objects.get(pk=first.pk + 100)
tz = ZoneInfo("Europe/Brussels")
for organizer in (first, second):
    buy(EditionFactory(course__organizer=organizer, fee_amount=Decimal("300.00"),
                       instalments_allowed=True, max_instalments=3),
        datetime(2026, 3, 1, 12, tzinfo=tz), parts=3)
    buy(EditionFactory(course__organizer=organizer, start=date(2036, 6, 1),
                       end=date(2036, 6, 2)), datetime(2036, 1, 5, 12, tzinfo=tz))
print(json.dumps({
    "numbers": sorted(Invoice.objects.values_list("number", flat=True)),
    "communications": [*Invoice.objects.values_list("structured_communication", flat=True),
                       *Instalment.objects.values_list("structured_communication", flat=True)],
}))
"""


def test_communications_are_unique_on_sqlite_too(embedded_var_dir):
    result = manage(embedded_var_dir, "shell", "-c", SQLITE_SCRIPT)
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["numbers"] == ["2026-000001", "2026-000001", "2036-000001", "2036-000001"]
    assert len(set(outcome["communications"])) == 10
    assert all(parse_structured(c) is not None for c in outcome["communications"])
