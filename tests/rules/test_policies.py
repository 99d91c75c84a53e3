"""Registration deadline and cancellation policies A-D (rules.md §1, §4; seeds 1 and 2)."""

from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta
from decimal import Decimal
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registrations.policies import (
    Split,
    academic_year,
    days_before_start,
    free_training,
    registration_deadline,
    tiered,
)

FEES = st.decimals(min_value=D("0.00"), max_value=D("20000.00"), places=2)
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))


def split(kept, refunded):
    return Split(kept=D(kept), refunded=D(refunded))


def assert_exact(result, fee):
    assert result.kept + result.refunded == D(fee)
    assert result.kept >= 0 and result.refunded >= 0
    assert result.kept.as_tuple().exponent == result.refunded.as_tuple().exponent == -2


# --- registration deadline (seed 2, art. 3.2) ---


@pytest.mark.parametrize(
    ("start", "days_before", "last_day"),
    [
        (date(2027, 3, 15), 7, date(2027, 3, 8)),  # rules.md example
        (date(2027, 1, 3), 7, date(2026, 12, 27)),
        (date(2028, 3, 7), 7, date(2028, 2, 29)),
        (date(2027, 3, 15), 0, date(2027, 3, 15)),
        (date(2027, 3, 15), 14, date(2027, 3, 1)),
    ],
)
def test_registration_deadline(start, days_before, last_day):
    assert registration_deadline(start, days_before) == last_day


def test_registration_deadline_default_and_boundaries():
    last = registration_deadline(date(2027, 3, 15))
    assert last == date(2027, 3, 8)
    assert date(2027, 3, 7) <= last and date(2027, 3, 9) > last


def test_registration_deadline_invalid():
    with pytest.raises(ValueError):
        registration_deadline(date(2027, 3, 15), -1)
    with pytest.raises(TypeError):
        registration_deadline(date(2027, 3, 15), 7.0)
    with pytest.raises(TypeError):
        registration_deadline(datetime(2027, 3, 15, 9), 7)
    with pytest.raises(TypeError):
        registration_deadline("2027-03-15")


# --- policy B: days before start (seed 2, art. 5.2) ---

START = date(2027, 2, 1)


@pytest.mark.parametrize(
    ("fee", "cancelled", "kept", "refunded"),
    [
        ("2400.00", date(2027, 1, 25), "240.00", "2160.00"),  # rules.md: the 7th day before
        ("2400.00", date(2027, 1, 24), "240.00", "2160.00"),
        ("2400.00", date(2027, 1, 26), "2400.00", "0.00"),  # rules.md: one day too late
        ("2400.00", date(2027, 2, 1), "2400.00", "0.00"),  # on the start
        ("2400.00", date(2027, 2, 2), "2400.00", "0.00"),  # after the start
        ("300.00", date(2027, 1, 25), "50.00", "250.00"),  # rules.md: minimum 50.00
        ("500.00", date(2027, 1, 25), "50.00", "450.00"),  # 10 % = 50.00 exactly
        ("499.99", date(2027, 1, 25), "50.00", "449.99"),
        ("500.01", date(2027, 1, 25), "50.00", "450.01"),  # 50.001
        ("500.05", date(2027, 1, 25), "50.01", "450.04"),  # 50.005: half-up
        ("1234.55", date(2027, 1, 25), "123.46", "1111.09"),
        ("50.00", date(2027, 1, 25), "50.00", "0.00"),
        ("40.00", date(2027, 1, 25), "40.00", "0.00"),  # never more than the fee
        ("0.00", date(2027, 1, 25), "0.00", "0.00"),
        ("0", date(2026, 6, 1), "0.00", "0.00"),
    ],
)
def test_days_before_start(fee, cancelled, kept, refunded):
    result = days_before_start(D(fee), START, cancelled)
    assert result == split(kept, refunded)
    assert_exact(result, fee)


@pytest.mark.parametrize(
    ("fee", "total", "held", "kept", "refunded"),
    [
        ("2400.00", 10, 4, "1104.00", "1296.00"),  # rules.md: (2400 - 240) x 6/10
        ("2400.00", 10, 0, "240.00", "2160.00"),
        ("2400.00", 10, 10, "2400.00", "0.00"),
        ("2400.00", 0, 0, "240.00", "2160.00"),  # no schedule: nothing delivered
        ("300.00", 3, 1, "133.33", "166.67"),  # 250 x 2/3 = 166.666...
        ("40.00", 4, 1, "40.00", "0.00"),
        ("1234.55", 10, 0, "123.46", "1111.09"),  # the same split as an early cancellation
        ("1234.55", 10, 4, "567.90", "666.65"),  # 1111.09 x 6/10 = 666.654
        ("2400.00", 3, 1, "960.00", "1440.00"),
        ("2400.01", 3, 1, "960.00", "1440.01"),  # admin 240.00; 2160.01 x 2/3 = 1440.0066...
    ],
)
def test_days_before_start_force_majeure(fee, total, held, kept, refunded):
    result = days_before_start(
        D(fee),
        START,
        date(2027, 3, 1),
        force_majeure=True,
        sessions_total=total,
        sessions_held=held,
    )
    assert result == split(kept, refunded)
    assert_exact(result, fee)


def test_force_majeure_early_is_the_normal_early_split():
    early = days_before_start(
        D("2400.00"),
        START,
        date(2027, 1, 25),
        force_majeure=True,
        sessions_total=10,
        sessions_held=0,
    )
    assert early == split("240.00", "2160.00")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"fee": 2400.0}, TypeError),
        ({"fee": "2400.00"}, TypeError),
        ({"fee": D("-1.00")}, ValueError),
        ({"fee": D("100.005")}, ValueError),
        ({"fee": D("NaN")}, ValueError),
        ({"start": datetime(2027, 2, 1, 9)}, TypeError),
        ({"cancelled": "2027-01-25"}, TypeError),
        ({"sessions_total": 10, "sessions_held": 11}, ValueError),
        ({"sessions_total": 0, "sessions_held": 1}, ValueError),
        ({"sessions_total": -1}, ValueError),
        ({"sessions_total": 10.0}, TypeError),
    ],
)
def test_days_before_start_invalid(kwargs, error):
    args = {"fee": D("2400.00"), "start": START, "cancelled": date(2027, 1, 25)}
    args.update(kwargs)
    fee, start, cancelled = args.pop("fee"), args.pop("start"), args.pop("cancelled")
    with pytest.raises(error):
        days_before_start(fee, start, cancelled, force_majeure=True, **args)


@settings(max_examples=50, deadline=None)
@given(FEES, DAYS, DAYS, st.booleans(), st.integers(0, 30), st.integers(0, 30))
def test_days_before_start_always_adds_up(fee, start, cancelled, force_majeure, a, b):
    held, total = sorted((a, b))
    result = days_before_start(
        fee, start, cancelled, force_majeure=force_majeure, sessions_total=total, sessions_held=held
    )
    assert_exact(result, fee)


# --- policy A: academic year (seed 1, FAQ "Can I cancel...?", point 1) ---

YEAR_START = date(2026, 9, 21)
CREDITS = {"first": 10, "second": 20, "year": 30}  # fee 500 + 50 x 60 = 3500.00


def policy_a(cancelled, registered=date(2026, 6, 1), **kwargs):
    return academic_year(
        D("500.00"), D("50.00"), CREDITS, YEAR_START, registered, cancelled, **kwargs
    )


@pytest.mark.parametrize(
    ("cancelled", "kept"),
    [
        (date(2026, 9, 20), "0.00"),  # before the academic year
        (date(2026, 9, 21), "500.00"),  # from the start: the amount per programme
        (date(2026, 11, 30), "500.00"),
        (date(2026, 12, 1), "2500.00"),  # + first-semester and year-long credits (40 x 50)
        (date(2027, 3, 14), "2500.00"),
        (date(2027, 3, 15), "3500.00"),  # from 15 March: no refund
        (date(2027, 3, 16), "3500.00"),
        (date(2027, 8, 31), "3500.00"),
    ],
)
def test_academic_year_periods(cancelled, kept):
    result = policy_a(cancelled)
    assert result.kept == D(kept)
    assert_exact(result, "3500.00")


@pytest.mark.parametrize(
    ("registered", "cancelled", "kept"),
    [
        (date(2026, 9, 25), date(2026, 10, 8), "0.00"),  # day 13
        (date(2026, 9, 25), date(2026, 10, 9), "0.00"),  # day 14: still within
        (date(2026, 9, 25), date(2026, 10, 10), "500.00"),  # day 15
        (date(2026, 11, 20), date(2026, 12, 4), "0.00"),  # day 14, after 1 December
        (date(2026, 11, 20), date(2026, 12, 5), "2500.00"),
        (date(2027, 3, 10), date(2027, 3, 20), "0.00"),  # whatever the date
        (date(2027, 3, 10), date(2027, 3, 10), "0.00"),  # same day
        (date(2027, 3, 1), date(2027, 3, 16), "3500.00"),
    ],
)
def test_academic_year_fourteen_days_after_registration(registered, cancelled, kept):
    assert policy_a(cancelled, registered).kept == D(kept)


@pytest.mark.parametrize(
    ("cancelled", "kept"),
    [
        (date(2026, 9, 20), "0.00"),
        (date(2026, 10, 15), "0.00"),
        (date(2026, 12, 1), "2000.00"),
        (date(2027, 3, 15), "3500.00"),  # the waiver (*) is on the two middle periods only
    ],
)
def test_academic_year_waived_programme_amount(cancelled, kept):
    result = policy_a(cancelled, waive_programme_amount=True)
    assert result.kept == D(kept)
    assert_exact(result, "3500.00")


def test_academic_year_credit_kinds_and_rounding():
    only_first = academic_year(
        D("0"), D("33.335"), {"first": 1}, YEAR_START, date(2026, 6, 1), date(2026, 12, 1)
    )
    assert only_first == split("33.34", "0.00")  # fee 33.335 -> 33.34, kept the same
    second_only = academic_year(
        D("100"), D("10"), {"second": D("2.5")}, YEAR_START, date(2026, 6, 1), date(2027, 1, 10)
    )
    assert second_only == split("100.00", "25.00")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"credits": {"first": 1, "frist": 2}}, ValueError),
        ({"credits": [("first", 1)]}, TypeError),
        ({"credits": {"first": 1.5}}, TypeError),
        ({"credits": {"first": -1}}, ValueError),
        ({"programme_amount": 500.0}, TypeError),
        ({"credit_amount": D("-50")}, ValueError),
        ({"year_start": date(2026, 12, 1)}, ValueError),
        ({"registered": date(2026, 10, 2)}, ValueError),  # cancelled before registered
        ({"cancelled": datetime(2026, 10, 1, 12)}, TypeError),
    ],
)
def test_academic_year_invalid(args, error):
    values = {
        "programme_amount": D("500"),
        "credit_amount": D("50"),
        "credits": CREDITS,
        "year_start": YEAR_START,
        "registered": date(2026, 6, 1),
        "cancelled": date(2026, 10, 1),
    }
    values.update(args)
    with pytest.raises(error):
        academic_year(**values)


@settings(max_examples=50, deadline=None)
@given(
    FEES,
    st.decimals(min_value=D("0"), max_value=D("500"), places=3),
    st.fixed_dictionaries({k: st.integers(0, 60) for k in ("first", "second", "year")}),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 8, 31)),
    st.integers(0, 400),
    st.booleans(),
)
def test_academic_year_always_adds_up(programme, per_credit, credits, registered, later, waive):
    cancelled = registered + timedelta(days=later)
    result = academic_year(
        programme,
        per_credit,
        credits,
        YEAR_START,
        registered,
        cancelled,
        waive_programme_amount=waive,
    )
    fee = (programme + per_credit * sum(credits.values())).quantize(D("0.01"), "ROUND_HALF_UP")
    assert_exact(result, fee)


# --- policy C: tiered (seed 1, FAQ "Can I cancel...?", point 2) ---

RULES_MD_TIERS = [(15, 0), (7, 50)]  # > 14 days: 0 %; 14-7 days: 50 %; later: 100 %


@pytest.mark.parametrize(
    ("cancelled", "kept"),
    [
        (date(2027, 1, 1), "0.00"),
        (date(2027, 1, 17), "0.00"),  # 15 days before
        (date(2027, 1, 18), "50.00"),  # 14 days before
        (date(2027, 1, 25), "50.00"),  # 7 days before
        (date(2027, 1, 26), "100.00"),  # 6 days before
        (date(2027, 2, 1), "100.00"),
        (date(2027, 2, 5), "100.00"),
    ],
)
def test_tiered(cancelled, kept):
    result = tiered(D("100.00"), START, cancelled, RULES_MD_TIERS)
    assert result.kept == D(kept)
    assert_exact(result, "100.00")


def test_tiered_order_zero_day_tier_and_empty_table():
    assert tiered(D("100.00"), START, date(2027, 1, 18), [(7, 50), (15, 0)]).kept == D("50.00")
    assert tiered(D("100.00"), START, START, [(0, 20)]).kept == D("20.00")
    assert tiered(D("100.00"), START, date(2027, 2, 2), [(0, 20)]).kept == D("100.00")
    assert tiered(D("100.00"), START, date(2026, 1, 1), []) == split("100.00", "0.00")


def test_tiered_rounding():
    assert tiered(D("0.05"), START, date(2027, 1, 1), [(1, 50)]) == split("0.03", "0.02")
    assert tiered(D("100.00"), START, date(2027, 1, 1), [(1, D("33.3"))]).kept == D("33.30")


@pytest.mark.parametrize(
    ("tiers", "error"),
    [
        ([(7, 50), (7, 40)], ValueError),
        ([(7, 101)], ValueError),
        ([(7, -1)], ValueError),
        ([(-1, 50)], ValueError),
        ([(7, 50.0)], TypeError),
        ([(7.0, 50)], TypeError),
    ],
)
def test_tiered_invalid(tiers, error):
    with pytest.raises(error):
        tiered(D("100.00"), START, date(2027, 1, 1), tiers)


@settings(max_examples=50, deadline=None)
@given(
    FEES,
    DAYS,
    st.dictionaries(
        st.integers(0, 60), st.decimals(min_value=0, max_value=100, places=1), max_size=5
    ),
)
def test_tiered_always_adds_up(fee, cancelled, table):
    assert_exact(tiered(fee, START, cancelled, list(table.items())), fee)


# --- policy D: free training (seed 1, FAQ "Can I cancel...?", point 2) ---


@pytest.mark.parametrize("fee", ["0.00", "0", "25.00"])
def test_free_training(fee):
    result = free_training(D(fee))
    assert result.kept == D("0.00")
    assert result.refunded == D(fee)
    assert_exact(result, fee)


def test_free_training_invalid():
    with pytest.raises(TypeError):
        free_training(25.0)
    with pytest.raises(ValueError):
        free_training(D("-1"))


# --- the Split value ---


def test_split_value():
    result = split("1.00", "2.00")
    assert result.fee == D("3.00")
    with pytest.raises(FrozenInstanceError):
        result.kept = D("0.00")
    with pytest.raises(ValueError):
        Split(kept=D("1"), refunded=D("2.00"))
    with pytest.raises(ValueError):
        Split(kept=D("-1.00"), refunded=D("2.00"))
    with pytest.raises(TypeError):
        Split(kept=1.0, refunded=D("2.00"))
    with pytest.raises(TypeError):
        Split(kept=0, refunded=D("2.00"))


# The edition's own policy B parameters (staff-editable) replace the seed's defaults.
@pytest.mark.parametrize(
    ("fee", "cancelled", "params", "kept", "refunded"),
    [
        ("2400.00", date(2027, 1, 25), {}, "240.00", "2160.00"),
        ("2400.00", date(2027, 1, 25), {"percent_kept": Decimal("15")}, "360.00", "2040.00"),
        ("300.00", date(2027, 1, 25), {"minimum_kept": Decimal("75.00")}, "75.00", "225.00"),
        ("2400.00", date(2027, 1, 18), {"days_before": 14}, "240.00", "2160.00"),
        ("2400.00", date(2027, 1, 19), {"days_before": 14}, "2400.00", "0.00"),
        ("2400.00", date(2027, 2, 1), {"days_before": 0}, "240.00", "2160.00"),
        ("2400.00", date(2027, 1, 25), {"percent_kept": Decimal("0"),
                                        "minimum_kept": Decimal("0")}, "0.00", "2400.00"),
        ("40.00", date(2027, 1, 25), {"percent_kept": Decimal("100")}, "40.00", "0.00"),
    ],
)
def test_policy_b_with_edition_parameters(fee, cancelled, params, kept, refunded):
    split = days_before_start(Decimal(fee), date(2027, 2, 1), cancelled, **params)
    assert (split.kept, split.refunded) == (Decimal(kept), Decimal(refunded))


@pytest.mark.parametrize(
    "params",
    [
        {"percent_kept": Decimal("100.01")},
        {"percent_kept": Decimal("-1")},
        {"minimum_kept": Decimal("-0.01")},
        {"days_before": -1},
    ],
)
def test_policy_b_refuses_bad_edition_parameters(params):
    with pytest.raises(ValueError):
        days_before_start(Decimal("100.00"), date(2027, 2, 1), date(2027, 1, 1), **params)


def test_policy_b_parameters_of_the_wrong_type():
    with pytest.raises(TypeError):
        days_before_start(Decimal("100.00"), date(2027, 2, 1), date(2027, 1, 1),
                          percent_kept=10.0)
