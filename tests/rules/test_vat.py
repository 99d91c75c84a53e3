"""Enterprise / VAT numbers (rules.md §2; seed 1, FAQ "How do I register for a course?")."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.vat import enterprise_number_only, normalise_vat


@pytest.mark.parametrize(
    "raw",
    [
        "BE0403170701",
        "BE 0403.170.701",
        "0403.170.701",
        "403170701",
        "be0403170701",
        " be 0403 170 701 ",
        "BE403170701",
        "BE 403.170.701",
        "be-0403-170-701",
        "0403170701",
    ],
)
def test_belgian_forms(raw):
    assert normalise_vat(raw) == "BE0403170701"


def test_belgian_number_in_the_1_range():
    # Enterprise numbers starting with 1 are valid too: 10000000 + check 97 - (10000000 % 97).
    assert normalise_vat("1000.000.021") == "BE1000000021"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NL004495445B01", "NL004495445B01"),
        ("nl 0044.95.445.b01", "NL004495445B01"),
        ("DE136695976", "DE136695976"),
        ("EL094259216", "EL094259216"),
        # Greece: the ISO code GR is typed, VIES and invoices use EL.
        ("GR094259216", "EL094259216"),
        ("gr 094 259 216", "EL094259216"),
        ("FR40303265045", "FR40303265045"),
    ],
)
def test_other_eu_numbers(raw, expected):
    assert normalise_vat(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "BE0403170702",  # wrong check digits
        "0403170702",
        "403170702",
        "2403170701",  # first digit must be 0 or 1
        "BE04031707011",  # too long
        "BE04031707",  # too short
        "BE040317070A",
        "",
        "   ",
        "BE",
        "XX123456789",  # unknown country
        "DE136695977",  # wrong German check digit
        "0000000000",
    ],
)
def test_invalid(raw):
    with pytest.raises(ValueError):
        normalise_vat(raw)


@pytest.mark.parametrize("raw", [None, 403170701, b"BE0403170701"])
def test_wrong_type(raw):
    with pytest.raises(TypeError):
        normalise_vat(raw)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=19_999_999))
def test_every_typed_form_of_a_valid_number_normalises_alike(first_eight):
    digits = f"{first_eight:08d}"
    digits += f"{97 - first_eight % 97:02d}"
    expected = "BE" + digits
    dotted = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    for raw in (expected, digits, dotted, f"be {dotted}", expected.lower()):
        assert normalise_vat(raw) == expected


@pytest.mark.parametrize(("number", "status", "expected"), [
    ("BE0234567873", "invalid", True),  # a Belgian organisation without VAT registration
    ("BE0403170701", "verified", False),
    ("BE0403170701", "unverified", False),  # VIES did not answer: not known to be inactive
    ("NL004495445B01", "invalid", False),  # abroad there is no enterprise number to fall back on
])
def test_enterprise_number_only(number, status, expected):
    assert enterprise_number_only(number, status) is expected
