"""The one rule that says which part of an invoice in instalments money pays
(billing.instalment_allocation): parts of 300.00 due 1 October, 1 November and 1 December 2025."""

from datetime import date
from decimal import Decimal

import pytest

from billing.instalment_allocation import Part, open_per_part, overdue_open

D = Decimal


NOTHING = (D("0.00"),) * 3


def parts(tagged=NOTHING):
    dues = (date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1))
    return [Part(number, D("300.00"), due, paid)
            for number, (due, paid) in enumerate(zip(dues, tagged, strict=True), start=1)]


@pytest.mark.parametrize(("tagged", "settled", "left"), [
    ((0, 0, 0), "0.00", ("300.00", "300.00", "300.00")),
    ((0, 0, 0), "400.00", ("0.00", "200.00", "300.00")),  # untagged: the oldest first
    ((0, 0, 0), "900.00", ("0.00", "0.00", "0.00")),
    ((0, 300, 0), "300.00", ("300.00", "0.00", "300.00")),  # tagged to part 2: part 2 only
    ((0, 350, 0), "350.00", ("250.00", "0.00", "300.00")),  # beyond its amount: the oldest
    ((0, 300, 0), "500.00", ("100.00", "0.00", "300.00")),  # 300 tagged + 200 loose
    ((0, 0, 0), "-50.00", ("300.00", "300.00", "300.00")),  # more refunded than paid
])
def test_open_per_part(tagged, settled, left):
    result = open_per_part(parts(tuple(D(t) for t in tagged)), D(settled))
    assert result == {1: D(left[0]), 2: D(left[1]), 3: D(left[2])}


def test_due_date_order_not_the_order_given():
    shuffled = list(reversed(parts()))
    assert open_per_part(shuffled, D("300.00")) == {1: D("0.00"), 2: D("300.00"),
                                                     3: D("300.00")}


def test_overdue_open_is_past_the_due_date_and_not_covered():
    assert overdue_open(parts(), D("100.00"), date(2025, 11, 1)) == {1: D("200.00")}
    assert overdue_open(parts(), D("100.00"), date(2025, 11, 2)) == {1: D("200.00"),
                                                                     2: D("300.00")}
    assert overdue_open(parts(), D("600.00"), date(2025, 11, 2)) == {}
