"""Exam chances and the second-chance enrolment window (seed 2, art. 8; rules.md §6)."""

from datetime import date, datetime

import pytest

from exams.windows import (
    may_enrol_for_second_chance,
    may_examine_again,
    result_without_enrolment,
    second_chance_window,
)


def test_window():
    assert second_chance_window(2027) == (date(2027, 7, 11), date(2027, 8, 8))


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (date(2027, 7, 10), False),
        (date(2027, 7, 11), True),
        (date(2027, 7, 31), True),
        (date(2027, 8, 8), True),
        (date(2027, 8, 9), False),
        (date(2027, 1, 15), False),
    ],
)
def test_may_enrol_for_second_chance(on, allowed):
    assert may_enrol_for_second_chance(on) is allowed


@pytest.mark.parametrize(
    ("failed", "enrolled_on", "result"),
    [
        (True, None, "A"),
        (True, date(2027, 7, 10), "A"),  # before the window: does not count
        (True, date(2027, 7, 11), None),
        (True, date(2027, 8, 8), None),
        (True, date(2027, 8, 9), "A"),
        (True, date(2026, 7, 20), "A"),  # last year's window
        (False, None, None),
    ],
)
def test_result_without_enrolment(failed, enrolled_on, result):
    assert result_without_enrolment(failed, enrolled_on, 2027) == result


def test_custom_window():
    assert second_chance_window(2027, (7, 1), (7, 31)) == (date(2027, 7, 1), date(2027, 7, 31))
    assert may_enrol_for_second_chance(date(2027, 8, 20), closes=(8, 31))
    with pytest.raises(ValueError):
        second_chance_window(2027, (8, 9), (8, 8))


@pytest.mark.parametrize(
    ("once_a_year", "used", "allowed"),
    [(False, 0, True), (False, 1, True), (False, 2, False), (True, 0, True), (True, 1, False)],
)
def test_may_examine_again(once_a_year, used, allowed):
    assert may_examine_again(once_a_year, used) is allowed


def test_invalid():
    with pytest.raises(ValueError):
        may_examine_again(False, -1)
    with pytest.raises(TypeError):
        may_examine_again(0, 1)
    with pytest.raises(TypeError):
        may_examine_again(False, 1.0)
    with pytest.raises(TypeError):
        may_enrol_for_second_chance(datetime(2027, 7, 20, 10))
    with pytest.raises(TypeError):
        second_chance_window("2027")
    with pytest.raises(TypeError):
        result_without_enrolment(True, "2027-07-20", 2027)
