from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.services.checkout import BillingDetails
from tests.factories import EditionFactory


@pytest.fixture
def edition(db):
    """An open edition starting in 60 days: registration open, 20 seats, 450.00 exempt."""
    return EditionFactory(
        start=timezone.localdate() + timedelta(days=60), fee_amount=Decimal("450.00")
    )


@pytest.fixture
def person_billing():
    return BillingDetails()
