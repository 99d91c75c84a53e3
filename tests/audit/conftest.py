"""Helpers for the audit trail tests: documents issued the real way, and SQL tampering."""

from datetime import date
from decimal import Decimal

import pytest


def invoice_for(of, amount="450.00", *, user=None, today=None):
    """An invoice of one exempt registration, issued by billing.invoicing.issue_invoice."""
    from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

    edition = EditionFactory(course__organizer=of, fee_amount=Decimal(amount))
    one = RegistrationFactory(edition=edition, **({"user": user} if user else {}))
    return InvoiceFactory(registrations=[one], today=today)


def credit(invoice, net="100.00", user=None):
    from billing.invoicing import issue_credit_note

    return issue_credit_note(invoice=invoice, net=Decimal(net), vat=Decimal("0.00"),
                             reason="Correction", user=user)


def tamper(table: str, sql: str, params=(), trigger: str | None = None) -> None:
    """Change a row in SQL behind the application's back: the table's immutability trigger is
    disabled for this one statement (inside the test's transaction)."""
    from django.db import connection

    trigger = trigger or f"{table}_immutable"
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key check: run those now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def entries(action=None, obj=None):
    from audit.models import AuditEntry

    found = AuditEntry.objects.all()
    if action:
        found = found.filter(action=action)
    if obj is not None:
        found = found.filter(model_label=obj._meta.label_lower, object_id=str(obj.pk))
    return found


@pytest.fixture
def two_organizers(db):
    from tests.factories import OrganizerFactory

    return OrganizerFactory(name="Academie Gent"), OrganizerFactory(name="Hogeschool Hasselt")


ISSUED = date(2025, 9, 1)


# The exam tests' programme (two units, both periods, a confirmed registration with its first
# chances), for the result entries; the certificate tests' short course, for certificates.
from tests.certificates.conftest import holder, organizer, short_registration  # noqa: E402, F401
from tests.exams.conftest import lec, periods, programme, registration  # noqa: E402, F401
