"""Flat fee and late interest (seed 2, art. 4.7; rules.md §3)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.latefees import flat_fee, late_interest

CENTS = st.decimals(min_value=D("-10.00"), max_value=D("50000.00"), places=2)


@pytest.mark.parametrize(
    ("balance", "fee"),
    [
        # rules.md §3 worked examples
        ("150.00", "20.00"),
        ("150.01", "30.00"),
        ("400.00", "55.00"),
        ("500.00", "65.00"),
        ("1000.00", "90.00"),
        ("39200.00", "2000.00"),
        ("100000.00", "2000.00"),
        # zero, negative and the first tier
        ("0", "0.00"),
        ("0.00", "0.00"),
        ("-0.01", "0.00"),
        ("-500.00", "0.00"),
        ("0.01", "20.00"),
        ("149.99", "20.00"),
        # middle tier, rounding at the half cent (10 % of 0.05 = 0.005 -> up)
        ("150.02", "30.00"),
        ("150.04", "30.00"),
        ("150.05", "30.01"),
        ("499.99", "65.00"),
        # last tier: 65 (not 75) as the base; half cent at 500.10
        ("500.01", "65.00"),
        ("500.09", "65.00"),
        ("500.10", "65.01"),
        ("39199.80", "1999.99"),
        ("39199.99", "2000.00"),
        ("39200.01", "2000.00"),
    ],
)
def test_flat_fee_table(balance, fee):
    result = flat_fee(D(balance))
    assert result == D(fee)
    assert result.as_tuple().exponent == -2


def test_flat_fee_accepts_int():
    assert flat_fee(400) == D("55.00")


@pytest.mark.parametrize("balance", [150.0, "150.00", None, True, [D(1)]])
def test_flat_fee_wrong_type(balance):
    with pytest.raises(TypeError):
        flat_fee(balance)


@pytest.mark.parametrize("balance", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_flat_fee_not_finite(balance):
    with pytest.raises(ValueError):
        flat_fee(balance)


def test_flat_fee_step_at_150_is_the_laws_and_500_is_continuous():
    # The 20 -> 30 step at 150 is in the seed's table (and rules.md's examples); at 500 the
    # tiers meet (30 + 10 % x 350 = 65), which is why 65 and not 75 is the base.
    assert flat_fee(D("150.01")) - flat_fee(D("150.00")) == D("10.00")
    assert flat_fee(D("500.01")) - flat_fee(D("500.00")) <= D("0.01")


@settings(max_examples=60, deadline=None)
@given(CENTS, CENTS)
def test_flat_fee_never_decreases(a, b):
    low, high = sorted((a, b))
    assert flat_fee(low) <= flat_fee(high)


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=D("150.01"), max_value=D("50000.00"), places=2))
def test_flat_fee_continuous_above_the_step(balance):
    # One cent more never adds more than one cent: continuous at 500 and at the cap.
    assert D(0) <= flat_fee(balance + D("0.01")) - flat_fee(balance) <= D("0.01")


@settings(max_examples=60, deadline=None)
@given(CENTS)
def test_flat_fee_bounds(balance):
    assert D(0) <= flat_fee(balance) <= D("2000.00")


@pytest.mark.parametrize(
    ("balance", "rate", "days", "interest"),
    [
        ("1000.00", "10.5", 30, "8.63"),  # 8.6301...
        ("1000.00", "12.5", 365, "125.00"),
        ("1000.00", "12.5", 366, "125.34"),  # always /365, also in a leap year
        ("18.25", "10", 1, "0.01"),  # exactly 0.005: half-up
        ("18.24", "10", 1, "0.00"),  # 0.004997...
        ("1000.00", "10.5", 0, "0.00"),
        ("1000.00", "0", 30, "0.00"),
        ("0.00", "10.5", 30, "0.00"),
        ("-100.00", "10.5", 30, "0.00"),
    ],
)
def test_late_interest_table(balance, rate, days, interest):
    result = late_interest(D(balance), D(rate), days)
    assert result == D(interest)
    assert result.as_tuple().exponent == -2


def test_late_interest_int_amounts():
    assert late_interest(1000, 10, 365) == D("100.00")


@pytest.mark.parametrize(
    ("balance", "rate", "days"),
    [
        (1000.0, D("10"), 1),
        (D("1000"), 10.5, 1),
        ("1000", D("10"), 1),
        (D("1000"), D("10"), D("1")),
        (D("1000"), D("10"), 1.0),
        (D("1000"), D("10"), True),
    ],
)
def test_late_interest_wrong_types(balance, rate, days):
    with pytest.raises(TypeError):
        late_interest(balance, rate, days)


@pytest.mark.parametrize(("rate", "days"), [(D("-0.1"), 1), (D("10"), -1)])
def test_late_interest_negative_rate_or_days(rate, days):
    with pytest.raises(ValueError):
        late_interest(D("100.00"), rate, days)
