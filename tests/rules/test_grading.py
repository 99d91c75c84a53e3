"""Weighted percentage, passing and grade of merit (seed 2, art. 9; rules.md §6)."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exams.grading import (
    DEFAULT_GRADE_THRESHOLDS,
    GRADE_LABELS_NL,
    GradeThreshold,
    grade_of_merit,
    programme_passed,
    unit_passed,
    weighted_percentage,
)


@pytest.mark.parametrize(
    ("results", "percentage"),
    [
        ([(14, 6), (12, 4)], 66),  # rules.md: (84 + 48) / 200 x 100
        ([(14, 6), (12, 4), ("V", 5)], 66),  # exemption counts in neither sum
        ([(14, 6), ("A", 3), (12, 4)], 66),
        ([(14, 6), (None, 3), (12, 4)], 66),  # no result yet
        ([(13, 1), (14, 1)], 68),  # 67.5 -> up
        ([(D("13.49"), 1)], 67),  # 67.45: first decimal 4 -> down
        ([(D("13.499"), 1)], 67),  # 67.495
        ([(D("13.5"), 1)], 68),  # 67.5
        ([(10, D("2.5")), (11, D("7.5"))], 54),  # 53.75
        ([(0, 5)], 0),
        ([(20, 5), (20, 1)], 100),
        ([(10, 3)], 50),
    ],
)
def test_weighted_percentage(results, percentage):
    assert weighted_percentage(results) == percentage


@pytest.mark.parametrize("results", [[], [("V", 6)], [("A", 3), ("V", 2)], [(None, 4)]])
def test_weighted_percentage_none(results):
    assert weighted_percentage(results) is None


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([(14.0, 6)], TypeError),
        ([(True, 6)], TypeError),
        ([(14, 6.0)], TypeError),
        ([(14, "6")], TypeError),
        ([(D("20.01"), 6)], ValueError),
        ([(21, 6)], ValueError),
        ([(-1, 6)], ValueError),
        ([(D("NaN"), 6)], ValueError),
        ([("14", 6)], ValueError),  # a mark stored as text is not a code
        ([("13,5", 6)], ValueError),
        ([("", 6)], ValueError),
        ([(14, 0)], ValueError),
        ([(14, -3)], ValueError),
        ([("V", 0)], ValueError),
    ],
)
def test_weighted_percentage_invalid(results, error):
    with pytest.raises(error):
        weighted_percentage(results)


RESULTS = st.one_of(
    st.integers(0, 20),
    st.decimals(min_value=0, max_value=20, places=2),
    st.sampled_from(["V", "A", None]),
)
CREDITS = st.one_of(st.integers(1, 60), st.decimals(min_value=D("0.5"), max_value=60, places=1))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(RESULTS, CREDITS), max_size=8))
def test_weighted_percentage_in_range_and_exact(results):
    percentage = weighted_percentage(results)
    numeric = [(Fraction(r), Fraction(c)) for r, c in results if r not in ("V", "A", None)]
    if not numeric:
        assert percentage is None
        return
    assert 0 <= percentage <= 100
    exact = sum(r * c for r, c in numeric) * 100 / (20 * sum(c for _, c in numeric))
    assert percentage == int(exact + Fraction(1, 2))  # half-up, computed exactly


@pytest.mark.parametrize(
    ("result", "passed"),
    [
        (10, True),
        (D("10.00"), True),
        (20, True),
        (9, False),
        (D("9.99"), False),
        (0, False),
        ("V", True),
        ("v", True),
        ("A", False),
        ("NA", False),
        (None, False),
    ],
)
def test_unit_passed(result, passed):
    assert unit_passed(result) is passed


def test_programme_passed():
    assert programme_passed([(10, 6), (15, 4), ("V", 3)])
    assert not programme_passed([(10, 6), (9, 4)])
    assert not programme_passed([(10, 6), ("A", 4)])
    assert not programme_passed([(10, 6), (None, 4)])
    assert not programme_passed([])
    assert programme_passed([(10, 6), (9, 4)], favourable_deviation=True)
    assert programme_passed([], favourable_deviation=True)
    assert programme_passed([(10, 6), ("VR", 4)], exemption_codes=frozenset({"VR"}))
    with pytest.raises(TypeError):
        programme_passed([(9.5, 6)])
    with pytest.raises(ValueError):
        programme_passed([(10, 0)], favourable_deviation=True)


@pytest.mark.parametrize(
    ("percentage", "grade"),
    [
        (100, "greatest_distinction"),
        (85, "greatest_distinction"),
        (84, "great_distinction"),
        (77, "great_distinction"),
        (76, "distinction"),
        (68, "distinction"),
        (67, "satisfaction"),
        (50, "satisfaction"),
        (49, None),
        (0, None),
    ],
)
def test_grade_of_merit(percentage, grade):
    assert grade_of_merit(percentage) == grade


def test_grade_of_merit_thresholds_are_data():
    table = [GradeThreshold(60, "pass_plus"), GradeThreshold(90, "summa")]
    assert grade_of_merit(95, table) == "summa"
    assert grade_of_merit(60, table) == "pass_plus"
    assert grade_of_merit(59, table) is None
    assert {t.grade for t in DEFAULT_GRADE_THRESHOLDS} == set(GRADE_LABELS_NL)


@pytest.mark.parametrize(
    ("percentage", "error"),
    [
        (D("85"), TypeError),
        (85.0, TypeError),
        (True, TypeError),
        (101, ValueError),
        (-1, ValueError),
    ],
)
def test_grade_of_merit_invalid(percentage, error):
    with pytest.raises(error):
        grade_of_merit(percentage)
