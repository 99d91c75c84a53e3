"""A bank statement's matched lines are payments recorded through record_payment: one audit
entry each, pointing at the statement line (and nothing of the payer's name or account)."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from billing.models import BankStatement, Payment
from billing.statements.importer import import_statement
from billing.structured_communication import parse_structured
from tests.audit.conftest import entries, invoice_for
from tests.billing.statement_files import Move, camt053
from tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def digits(invoice) -> str:
    ogm = invoice.structured_communication
    return f"{parse_structured(ogm):010d}" + ogm[-5:-3]


def test_each_matched_line_is_one_payment_entry(finance_user):
    organizer = OrganizerFactory()
    paid, other = invoice_for(organizer, "450.00"), invoice_for(organizer, "120.00")
    data = camt053([Move("450.00", ogm=digits(paid), name="An Peeters"),
                    Move("120.00", ogm=digits(other), name="Ben Janssens"),
                    Move("7.00", text="no communication")])
    statement = BankStatement.objects.create(
        file=ContentFile(data, name="s.xml"), original_name="s.xml",
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=finance_user,
    )
    import_statement(statement.pk)
    recorded = entries("payment.recorded").order_by("pk")
    payments = list(Payment.objects.order_by("pk"))
    assert [e.object_id for e in recorded] == [str(p.pk) for p in payments]
    assert [(e.after["invoice_id"], e.after["amount"], e.after["statement_line_id"])
            for e in recorded] == [(p.invoice_id, str(p.amount), p.statement_line_id)
                                   for p in payments]
    assert {p.invoice_id for p in payments} == {paid.pk, other.pk}
    assert {e.actor for e in recorded} == {finance_user}  # who uploaded the statement
    for entry in recorded:
        assert "Peeters" not in str(entry.after) and "BE71" not in str(entry.after)
