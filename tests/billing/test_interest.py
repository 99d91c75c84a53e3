"""Late interest over a period split by half-year rates (billing.interest; seed 2 art. 4.7,
rules.md §3): pure tables, no database."""

from datetime import date
from decimal import Decimal

import pytest

from billing.interest import MissingRate, Segment, interest_for_period, split_period
from billing.latefees import late_interest

D = Decimal
# As seeded by migration billing 0004 (rules.md §3).
SEEDED = [
    (date(2024, 1, 1), date(2024, 6, 30), D("12.50")),
    (date(2024, 7, 1), date(2024, 12, 31), D("12.50")),
    (date(2025, 1, 1), date(2025, 6, 30), D("11.50")),
    (date(2025, 7, 1), date(2025, 12, 31), D("10.50")),
    (date(2026, 1, 1), date(2026, 6, 30), D("10.50")),
]


@pytest.mark.parametrize(
    ("balance", "start", "end", "expected"),
    [
        # One half-year: B x r x days / 365, days after `start` up to and including `end`.
        (D("1000.00"), date(2025, 3, 1), date(2025, 3, 2), D("0.32")),  # 11.5 %, 1 d: 0.3151
        (D("1000.00"), date(2025, 3, 1), date(2025, 3, 31), D("9.45")),  # 11.5 %, 30 d: 9.4521
        (D("150.00"), date(2025, 9, 1), date(2025, 9, 15), D("0.60")),  # 10.5 %, 14 d: 0.6041
        (D("39200.00"), date(2026, 1, 10), date(2026, 1, 11), D("11.28")),  # 10.5 %, 1 d
    ],
)
def test_one_half_year(balance, start, end, expected):
    days = (end - start).days
    rate = next(r for f, u, r in SEEDED if f <= end <= u)
    assert interest_for_period(balance, start, end, SEEDED) == expected
    # Inside one half-year it is exactly billing.latefees.late_interest.
    assert late_interest(balance, rate, days) == expected


def test_spanning_two_half_years_is_split_and_rounded_once():
    # 2025-06-21 .. 2025-07-10: 10 days at 11.5 % (21-30 June) and 10 days at 10.5 % (1-10 July).
    start, end = date(2025, 6, 20), date(2025, 7, 10)
    assert split_period(start, end, SEEDED) == [
        Segment(date(2025, 6, 21), date(2025, 6, 30), D("11.50")),
        Segment(date(2025, 7, 1), date(2025, 7, 10), D("10.50")),
    ]
    # 1,000 x (11.5 x 10 + 10.5 x 10) / 36,500 = 2,200 / 365 = 6.0274 -> 6.03
    assert interest_for_period(D("1000.00"), start, end, SEEDED) == D("6.03")


def test_rounding_at_the_end_can_differ_from_summing_rounded_segments():
    # 100.00 over 1 day at 11.5 % (30 June) + 1 day at 10.5 % (1 July):
    # unrounded 0.031507 + 0.028767 = 0.060274 -> 0.06; rounded per segment 0.03 + 0.03 = 0.06.
    # 70.00: 0.022055 + 0.020137 = 0.042192 -> 0.04; per segment 0.02 + 0.02 = 0.04.
    # 50.00 over 3 + 3 days: 0.047260 + 0.043151 = 0.090411 -> 0.09; per segment 0.05 + 0.04.
    start, end = date(2025, 6, 27), date(2025, 7, 3)
    assert interest_for_period(D("50.00"), start, end, SEEDED) == D("0.09")
    per_segment = late_interest(D("50.00"), D("11.50"), 3) + late_interest(D("50.00"),
                                                                          D("10.50"), 3)
    assert per_segment == D("0.09")
    # A case where they differ: 10.00 over 2 + 2 days: 0.006301 + 0.005753 = 0.012055 -> 0.01,
    # but per segment 0.01 + 0.01 = 0.02. The end result is the rounded-once 0.01.
    start, end = date(2025, 6, 28), date(2025, 7, 2)
    assert interest_for_period(D("10.00"), start, end, SEEDED) == D("0.01")
    assert late_interest(D("10.00"), D("11.50"), 2) + late_interest(
        D("10.00"), D("10.50"), 2
    ) == D("0.02")


def test_a_full_leap_half_year_counts_29_february_and_divides_by_365():
    # 2024 H1 has 182 days (29 February included); the divisor stays 365 (rules.md §3).
    segments = split_period(date(2023, 12, 31), date(2024, 6, 30), SEEDED)
    assert [s.days for s in segments] == [182]
    # 1,000 x 12.5 % x 182 / 365 = 62.3287... -> 62.33
    assert interest_for_period(D("1000.00"), date(2023, 12, 31), date(2024, 6, 30), SEEDED) == D(
        "62.33"
    )
    # Over 28 Feb -> 1 Mar 2024: two days (29 Feb and 1 Mar).
    assert split_period(date(2024, 2, 28), date(2024, 3, 1), SEEDED)[0].days == 2


def test_a_whole_year_over_two_equal_half_years():
    # 2024: 366 days at 12.5 % on 365.00 -> 365 x 0.125 x 366 / 365 = 45.75
    assert interest_for_period(D("365.00"), date(2023, 12, 31), date(2024, 12, 31), SEEDED) == D(
        "45.75"
    )


@pytest.mark.parametrize(("start", "end"), [(date(2025, 3, 1), date(2025, 3, 1)),
                                             (date(2025, 3, 2), date(2025, 3, 1))])
def test_zero_days_is_zero(start, end):
    assert split_period(start, end, SEEDED) == []
    assert interest_for_period(D("1000.00"), start, end, SEEDED) == D("0.00")
    assert interest_for_period(D("1000.00"), start, end, []) == D("0.00")  # no rate needed


def test_no_balance_no_interest():
    assert interest_for_period(D("0.00"), date(2025, 3, 1), date(2025, 4, 1), SEEDED) == D("0.00")
    assert interest_for_period(D("-5.00"), date(2025, 3, 1), date(2025, 4, 1), SEEDED) == D(
        "0.00"
    )


def test_a_day_without_a_rate_is_an_error_not_zero():
    with pytest.raises(MissingRate, match="2026-07-01"):
        interest_for_period(D("1000.00"), date(2026, 6, 25), date(2026, 7, 5), SEEDED)
    with pytest.raises(ValueError, match="no late-interest rate for 2023-12-31"):
        interest_for_period(D("1000.00"), date(2023, 12, 30), date(2024, 1, 2), SEEDED)
    with pytest.raises(MissingRate):
        interest_for_period(D("1000.00"), date(2025, 3, 1), date(2025, 3, 2), [])


def test_a_gap_between_rates_is_an_error():
    rates = [SEEDED[2], SEEDED[4]]  # 2025 H2 missing
    with pytest.raises(MissingRate, match="2025-07-01"):
        interest_for_period(D("100.00"), date(2025, 6, 1), date(2026, 1, 5), rates)


def test_overlapping_rates_are_an_error():
    rates = [*SEEDED, (date(2025, 9, 1), date(2025, 9, 30), D("9.00"))]
    with pytest.raises(ValueError, match="two late-interest rates cover 2025-09-01"):
        interest_for_period(D("100.00"), date(2025, 8, 1), date(2025, 10, 1), rates)
    # An overlap elsewhere in the table does not block a period it does not touch.
    assert interest_for_period(D("100.00"), date(2025, 3, 1), date(2025, 3, 2), rates) == D(
        "0.03"
    )


def test_rates_in_any_order():
    shuffled = list(reversed(SEEDED))
    assert interest_for_period(D("1000.00"), date(2025, 6, 20), date(2025, 7, 10),
                               shuffled) == D("6.03")


@pytest.mark.parametrize("balance", [100.0, "100.00", None, True])
def test_the_balance_must_be_a_decimal(balance):
    with pytest.raises(TypeError):
        interest_for_period(balance, date(2025, 3, 1), date(2025, 3, 2), SEEDED)


def test_an_int_balance_is_exact():
    assert interest_for_period(1000, date(2025, 9, 1), date(2025, 9, 2), SEEDED) == D("0.29")
