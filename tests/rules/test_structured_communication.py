"""Belgian structured communication (seed 2, art. 4.5; rules.md §2)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.structured_communication import format_structured, parse_structured

BASES = st.integers(min_value=0, max_value=10**10 - 1)


@pytest.mark.parametrize(
    ("base", "text"),
    [
        (1234567890, "+++123/4567/89002+++"),  # 1234567890 = 97 x 12727504 + 2
        (0, "+++000/0000/00097+++"),  # remainder 0 is written 97
        (97, "+++000/0000/09797+++"),
        (1, "+++000/0000/00101+++"),
        (96, "+++000/0000/09696+++"),
        (9_999_999_999, "+++999/9999/99948+++"),  # 10**10 = 49 (mod 97)
    ],
)
def test_format_table(base, text):
    assert format_structured(base) == text
    assert parse_structured(text) == base


@pytest.mark.parametrize("base", [-1, 10**10, 10**12])
def test_format_out_of_range(base):
    with pytest.raises(ValueError):
        format_structured(base)


@pytest.mark.parametrize("base", ["1234567890", 1.0, D(5), True, None])
def test_format_wrong_type(base):
    with pytest.raises(TypeError):
        format_structured(base)


@pytest.mark.parametrize(
    "text",
    [
        "+++123/4567/89002+++",
        "***123/4567/89002***",
        "123/4567/89002",
        "123 4567 89002",
        "123456789002",
        "+++ 123 / 4567 / 89002 +++",
        "+++123456789002+++",
        "+++1234 5678 9002+++",  # other grouping between delimiters
        "123.4567.89002",
        "OVERSCHRIJVING VAN BE71 0961 2345 6769 MEDEDELING: +++123/4567/89002+++ JANSSENS",
        "Invoice 2027-0042 ref 123/4567/89002 thank you",
        "VCS123456789002",
        "123/4567/89001 or rather 123/4567/89002",  # first candidate has wrong check digits
    ],
)
def test_parse_finds_it(text):
    assert parse_structured(text) == 1234567890


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no communication here",
        "+++123/4567/89001+++",  # wrong check digits
        "123/4567/89003",
        "12345678900",  # 11 digits
        "1123456789002",  # 13 digits: part of a longer number
        "1234567890021",
        "+++000/0000/00000+++",  # 00 is never a valid check
        "BE71 0961 2345 6769",
    ],
)
def test_parse_none(text):
    assert parse_structured(text) is None


@pytest.mark.parametrize("text", [None, 123456789002, b"+++123/4567/89002+++"])
def test_parse_wrong_type(text):
    with pytest.raises(TypeError):
        parse_structured(text)


@settings(max_examples=80, deadline=None)
@given(BASES)
def test_round_trip(base):
    text = format_structured(base)
    assert parse_structured(text) == base
    assert parse_structured(text.replace("+", "").replace("/", "")) == base
    assert parse_structured(f"Betaling {text.replace('+', '*')} dank u") == base


@settings(max_examples=60, deadline=None)
@given(BASES, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_a_single_wrong_digit_is_detected(base, position, delta):
    digits = format_structured(base).strip("+").replace("/", "")
    wrong = str((int(digits[position]) + delta) % 10)
    assert parse_structured(digits[:position] + wrong + digits[position + 1 :]) is None
