"""Exam committee (LEC) and management team (LMT) sizes (seed 2, art. 10.1, 11.1)."""

from decimal import Decimal as D

import pytest

from exams.committees import size_error, size_limits


@pytest.mark.parametrize(
    ("kind", "ects", "limits"),
    [
        ("LEC", 0, (1, None)),
        ("LEC", 19, (1, None)),
        ("LEC", D("19.9"), (1, None)),
        ("LEC", D("19.99"), (1, None)),
        ("LEC", 20, (3, None)),
        ("LEC", D("20.0"), (3, None)),
        ("LEC", 60, (3, None)),
        ("LMT", D("19.9"), (1, None)),
        ("LMT", 20, (2, 5)),
        ("LMT", 21, (2, 5)),
    ],
)
def test_size_limits(kind, ects, limits):
    assert size_limits(kind, ects) == limits


@pytest.mark.parametrize(
    ("kind", "ects", "members", "error"),
    [
        ("LEC", 20, 2, "too_few_members"),
        ("LEC", 20, 3, None),
        ("LEC", 20, 12, None),
        ("LEC", 10, 0, "too_few_members"),
        ("LEC", 10, 1, None),
        ("LMT", 20, 1, "too_few_members"),
        ("LMT", 20, 2, None),
        ("LMT", 20, 5, None),
        ("LMT", 20, 6, "too_many_members"),
        ("LMT", D("19.9"), 6, None),
    ],
)
def test_size_error(kind, ects, members, error):
    assert size_error(kind, ects, members) == error


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("XYZ", 20, 3), ValueError),
        (("LEC", -1, 3), ValueError),
        (("LEC", D("NaN"), 3), ValueError),
        (("LEC", 20.0, 3), TypeError),
        (("LEC", "20", 3), TypeError),
        (("LEC", 20, -1), ValueError),
        (("LEC", 20, 3.0), TypeError),
    ],
)
def test_invalid(args, error):
    with pytest.raises(error):
        size_error(*args)
