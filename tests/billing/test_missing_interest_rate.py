"""Finance sees when today's half-year has no late-interest rate (seed 2 art. 4.7)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.finance_dashboard import missing_interest_rate
from billing.models import InterestRate

WARNING = b"No late-interest rate covers the half-year"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 6, 30), None),  # last day of the seeded table
        (date(2026, 7, 1), date(2026, 7, 1)),  # first day without a rate
        (date(2026, 12, 31), date(2026, 7, 1)),
        (date(2027, 1, 1), date(2027, 1, 1)),
        (date(2024, 1, 1), None),
        (date(2023, 12, 31), date(2023, 7, 1)),
    ],
)
def test_missing_rate_is_the_start_of_todays_half_year(today, expected):
    InterestRate.objects.filter(valid_from__gt=date(2026, 1, 1)).delete()
    assert missing_interest_rate(today) == expected


@pytest.mark.django_db
def test_dashboard_warns_finance_until_the_rate_is_added(client, finance_user):
    today = timezone.localdate()
    InterestRate.objects.filter(valid_until__gte=today).delete()
    client.cookies["django_language"] = "en"
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_finance_dashboard"))
    assert page.status_code == 200
    assert WARNING in page.content
    half_year = today.replace(month=1 if today.month <= 6 else 7, day=1)
    InterestRate.objects.create(
        valid_from=half_year,
        valid_until=half_year.replace(
            month=half_year.month + 5, day=30 if half_year.month == 1 else 31
        ),
        annual_rate_percent=D("10.50"),
    )
    assert WARNING not in client.get(reverse("admin:billing_finance_dashboard")).content
