"""The EPC QR payload (EPC069-12 version 002; rules.md §2): pure table tests, no database."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from billing.epc import (
    compact_iban,
    epc_payload,
    epc_qr,
    epc_qr_svg,
    format_amount,
    ogm_digits,
)

ROOT = Path(__file__).resolve().parents[2]

KNOWN = {
    "bic": "GKCCBEBB",
    "name": "Academie Levenslang Leren",
    "iban": "BE68 5390 0754 7034",
    "amount": Decimal("1234.50"),
    "structured_reference": "+++123/4567/89002+++",
}


def payload(**changes):
    return epc_payload(**{**KNOWN, **changes})


def test_the_exact_payload_of_a_known_invoice():
    assert payload() == (
        "BCD\n002\n1\nSCT\nGKCCBEBB\nAcademie Levenslang Leren\nBE68539007547034\n"
        "EUR1234.50\n\n123456789002"
    )


def test_ten_lines_ending_with_the_structured_reference_and_no_trailing_line_feed():
    """EPC069-12: structured or unstructured remittance, not both; nothing after the last
    populated element. So elements 11 (text) and 12 (information) are left out."""
    lines = payload().split("\n")
    assert len(lines) == 10
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[8] == ""  # purpose
    assert lines[9] == "123456789002"
    assert not payload().endswith("\n")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0.01"), "EUR0.01"),
        (Decimal("1"), "EUR1.00"),
        (Decimal("12.5"), "EUR12.50"),
        (Decimal("1234.50"), "EUR1234.50"),
        (5, "EUR5.00"),
        (Decimal("999999999.99"), "EUR999999999.99"),
    ],
)
def test_amounts_are_written_with_two_decimals_and_a_dot(amount, expected):
    assert format_amount(amount) == expected
    assert payload(amount=amount).split("\n")[7] == expected


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0.00"),
        Decimal("0"),
        Decimal("-0.01"),
        Decimal("-5"),
        Decimal("1000000000.00"),
        Decimal("1E+9"),
        Decimal("12.345"),  # fractions of a cent are an error, not rounded away
        Decimal("NaN"),
        Decimal("Infinity"),
    ],
)
def test_amounts_outside_the_range_are_refused(amount):
    with pytest.raises(ValueError):
        payload(amount=amount)


@pytest.mark.parametrize("amount", [12.5, "12.50", None, True])
def test_amounts_must_be_decimals(amount):
    with pytest.raises(TypeError):
        payload(amount=amount)


def test_the_name_is_cut_at_70_characters():
    name = "Universiteit " + "x" * 80
    line = payload(name=name).split("\n")[5]
    assert len(line) == 70
    assert line == name[:70]


def test_the_name_is_one_line():
    assert payload(name="  Academie\nLevenslang   Leren ").split("\n")[5] == (
        "Academie Levenslang Leren"
    )


def test_a_name_is_required():
    with pytest.raises(ValueError):
        payload(name="  ")


def test_utf8_names_are_kept_and_the_payload_stays_within_331_bytes():
    text = payload(name="Université de Liège — Formation continue")
    assert "Université de Liège — Formation continue" in text
    with pytest.raises(ValueError, match="331"):
        payload(name="\N{GRINNING FACE}" * 70)  # 280 bytes of name alone


@pytest.mark.parametrize(
    "iban",
    ["BE68539007547034", "BE68 5390 0754 7034", "be68 5390 0754 7034", " BE68\t5390 0754 7034 "],
)
def test_the_iban_is_compacted(iban):
    assert compact_iban(iban) == "BE68539007547034"
    assert payload(iban=iban).split("\n")[6] == "BE68539007547034"


@pytest.mark.parametrize(
    "iban",
    ["", "5390 0754 7034", "BE6X539007547034", "BE68-5390-0754", "BE69539007547034", "NL00BANK"],
)
def test_an_invalid_iban_is_refused(iban):
    """Including wrong ISO 13616 check digits (BE69... instead of BE68...)."""
    with pytest.raises(ValueError):
        payload(iban=iban)


def test_the_bic_is_upper_case_and_optional_in_version_002():
    assert payload(bic="gkcc bebb").split("\n")[4] == "GKCCBEBB"
    assert payload(bic="GEBABEBBXXX").split("\n")[4] == "GEBABEBBXXX"
    assert payload(bic="").split("\n")[4] == ""


@pytest.mark.parametrize("bic", ["GKCC", "GKCCBEBB1", "12CCBEBB"])
def test_an_invalid_bic_is_refused(bic):
    with pytest.raises(ValueError):
        payload(bic=bic)


@pytest.mark.parametrize(
    "reference",
    ["+++123/4567/89002+++", "***123/4567/89002***", "123/4567/89002", "123456789002"],
)
def test_the_structured_communication_is_sent_as_its_12_digits(reference):
    assert ogm_digits(reference) == "123456789002"
    assert payload(structured_reference=reference).split("\n")[9] == "123456789002"


def test_base_zero_has_check_digits_97():
    assert ogm_digits("+++000/0000/00097+++") == "000000000097"


@pytest.mark.parametrize(
    "reference",
    ["+++123/4567/89003+++", "+++123/4567/8900+++", "", "RF18539007547034", "12345678900a"],
)
def test_a_wrong_structured_communication_is_refused(reference):
    with pytest.raises(ValueError):
        payload(structured_reference=reference)


def test_the_qr_code_uses_error_correction_m_and_fits_version_13():
    code = epc_qr(payload())
    assert code.error == "M"
    assert code.version <= 13
    longest = payload(name="x" * 70, bic="GEBABEBBXXX", amount=Decimal("999999999.99"))
    assert epc_qr(longest).version <= 13


def test_the_svg_is_a_data_uri_that_scales():
    uri = epc_qr_svg(payload())
    assert uri.startswith("data:image/svg+xml")
    assert "viewBox" in uri


def test_the_qr_code_decodes_to_the_payload(tmp_path):
    text = payload(name="Université de Liège")
    png = tmp_path / "qr.png"
    epc_qr(text).save(png, scale=6)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sbinary", str(png)],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    assert decoded.decode("utf-8").rstrip("\n") == text


def test_the_module_is_pure():
    """billing/epc.py imports no Django (the architecture's pure rule modules)."""
    code = (
        "import sys, billing.epc; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
