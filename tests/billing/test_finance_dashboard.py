"""The finance dashboard's charts: what is open per ageing bucket and what came in, named in
the reader's language."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.payments import record_payment
from courses.templatetags.portal_format import format_euro
from tests.factories import InvoiceFactory

DASHBOARD = "admin:billing_finance_dashboard"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "not_due", "late", "received"),
    [
        ("en", "not yet due", "61-90 days", "Received per month (last twelve months)"),
        ("nl", "nog niet vervallen", "61-90 dagen", "Ontvangen per maand (laatste twaalf maanden)"),
    ],
)
def test_ageing_buckets_and_receipts_are_named_in_the_readers_language(
    client, finance_user, language, not_due, late, received
):
    today = timezone.localdate()
    fresh = InvoiceFactory()  # due in 30 days
    overdue = InvoiceFactory(today=today - timedelta(days=100))  # due 70 days ago
    record_payment(invoice=fresh, amount=D("10.00"), paid_on=today, method="bank_transfer")
    client.force_login(finance_user)

    page = client.get(reverse(DASHBOARD), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert "not_due" not in page
    assert not_due in page and late in page and received in page
    assert format_euro(fresh.total - D("10.00"), language) in page
    assert format_euro(overdue.total, language) in page
    assert format_euro(D("10.00"), language) in page
