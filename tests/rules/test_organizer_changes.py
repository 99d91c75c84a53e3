"""Changes and cancellations by the organizer (seed 2, art. 6; rules.md §5)."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from registrations.organizer_changes import (
    change_deemed_accepted,
    free_cancellation_deadline,
    may_cancel_free,
    organizer_cancelled,
)
from registrations.split import Split

NOTICE = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("notice", "deadline"),
    [
        (date(2027, 3, 1), date(2027, 3, 15)),
        (date(2027, 2, 20), date(2027, 3, 6)),
        (date(2028, 2, 20), date(2028, 3, 5)),  # leap year
        (date(2026, 12, 25), date(2027, 1, 8)),
    ],
)
def test_deadline_includes_day_fourteen(notice, deadline):
    assert free_cancellation_deadline(notice) == deadline


@pytest.mark.parametrize(
    ("request_date", "free"),
    [
        (date(2027, 2, 28), False),  # before the notice: not an answer to it
        (date(2027, 3, 1), True),  # the day of the notice
        (date(2027, 3, 14), True),
        (date(2027, 3, 15), True),  # day 14
        (date(2027, 3, 16), False),  # day 15
    ],
)
def test_may_cancel_free(request_date, free):
    assert may_cancel_free(NOTICE, request_date) is free


@pytest.mark.parametrize(
    ("today", "accepted"),
    [(date(2027, 3, 1), False), (date(2027, 3, 15), False), (date(2027, 3, 16), True)],
)
def test_change_deemed_accepted(today, accepted):
    assert change_deemed_accepted(NOTICE, today) is accepted


def test_custom_term():
    assert free_cancellation_deadline(NOTICE, 0) == NOTICE
    assert may_cancel_free(NOTICE, date(2027, 3, 31), days=30)


def test_invalid():
    with pytest.raises(ValueError):
        free_cancellation_deadline(NOTICE, -1)
    with pytest.raises(TypeError):
        free_cancellation_deadline(NOTICE, 14.0)
    with pytest.raises(TypeError):
        free_cancellation_deadline("2027-03-01")
    with pytest.raises(TypeError):
        may_cancel_free(NOTICE, datetime(2027, 3, 2, 10))


@pytest.mark.parametrize("paid", ["0.00", "2400.00", "0.01"])
def test_organizer_cancelled_refunds_everything(paid):
    assert organizer_cancelled(D(paid)) == Split(kept=D("0.00"), refunded=D(paid))


def test_organizer_cancelled_invalid():
    with pytest.raises(TypeError):
        organizer_cancelled(10.0)
    with pytest.raises(ValueError):
        organizer_cancelled(D("-10.00"))
