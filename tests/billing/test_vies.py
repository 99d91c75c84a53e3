"""The VIES look-up against a fake VIES on 127.0.0.1: the real zeep client, real HTTP, real SOAP.

Nothing of ours is mocked; the fake (tests/billing/fake_vies.py) stands in for VIES only.
"""

import hashlib
import json
import time
from pathlib import Path

import pytest
from lxml import etree

from billing.vies import VatLookup, clear_client_cache, get_client, lookup_vat
from tests.billing.fake_vies import (
    RECORDED_INVALID_INPUT,
    RECORDED_VALID,
    SOAP_ENV,
    TYPES,
    run_fake_vies,
)

WSDL = Path(__file__).resolve().parents[2] / "billing" / "wsdl" / "checkVatService.wsdl"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "vies"
SAMPLE_WSDL = SAMPLES / "EU-Vat-Validation-Server_checkVatService.wsdl"
# git blob id of checkVatService.wsdl in UsamaAhmed2002/EU-Vat-Validation-Server @ 3b42fd8
UPSTREAM_BLOB = "9b6ff2b4107e16d9ab1dc8d87b5ea0fb808bea3e"

UNREGISTERED = "BE0123456749"  # correct check digits, not in the fake's table


def test_verified_fills_in_name_and_address(fake_vies):
    result = lookup_vat("BE0403170701")

    assert result == VatLookup(
        number="BE0403170701",
        status="verified",
        name="KU LEUVEN",
        address="Oude Markt 13\n3000 Leuven",
    )


def test_a_greek_number_typed_with_gr_is_asked_with_el(fake_vies):
    fake_vies.registry["EL094259216"] = ("ATHENS SA", "Odos 1\n10431 Athina")

    result = lookup_vat("GR094259216")

    assert (result.number, result.status, result.name) == ("EL094259216", "verified",
                                                          "ATHENS SA")
    assert fake_vies.requests == [("EL", "094259216")]


def test_the_recorded_vies_answer_is_read(fake_vies):
    result = lookup_vat("BE0829071668")

    assert result.status == "verified"
    assert result.name == "SPRL BIGUP"
    assert result.address == "RUE LONGUE 93\n1320 BEAUVECHAIN"
    assert result.detail == ""


def test_undisclosed_name_and_address_become_empty(fake_vies):
    fake_vies.registry[UNREGISTERED] = ("---", "---")

    result = lookup_vat(UNREGISTERED)

    assert (result.status, result.name, result.address) == ("verified", "", "")


def test_a_number_vies_does_not_know_is_invalid(fake_vies):
    result = lookup_vat(UNREGISTERED)

    assert result == VatLookup(number=UNREGISTERED, status="invalid")
    assert fake_vies.requests == [("BE", "0123456749")]


@pytest.mark.parametrize(
    ("fault", "http_status"),
    [
        ("MS_UNAVAILABLE", 500),
        ("MS_MAX_CONCURRENT_REQ", 500),
        ("GLOBAL_MAX_CONCURRENT_REQ", 500),
        ("SERVICE_UNAVAILABLE", 500),
        ("TIMEOUT", 500),
        ("INVALID_INPUT", 200),  # as recorded: VIES sent this fault with HTTP 200
    ],
)
def test_a_soap_fault_leaves_the_number_unverified(fake_vies, fault, http_status):
    fake_vies.fault, fake_vies.fault_status = fault, http_status

    result = lookup_vat("BE0403170701")

    assert result.status == "unverified"
    assert result.detail == f"VIES fault {fault}"
    assert (result.name, result.address) == ("", "")


def test_the_recorded_invalid_input_fault_reaches_zeep_as_a_fault(fake_vies):
    """A country VIES does not know never gets this far (normalise_vat refuses it first)."""
    from zeep.exceptions import Fault

    with pytest.raises(ValueError):
        lookup_vat("US0829071668")
    assert fake_vies.requests == []

    with pytest.raises(Fault, match="INVALID_INPUT"):
        get_client().checkVat(countryCode="US", vatNumber="0829071668")


@pytest.mark.parametrize(
    ("mode", "page", "detail"),
    [
        ("malformed", None, "VIES answer malformed: not XML"),
        ("busy", None, "VIES answered HTTP 503"),
        # Well-formed XML with an error status: zeep makes it a Fault("Unknown fault occured").
        (
            "busy",
            b"<html><body>Busy</body></html>",
            "VIES answer malformed: an error without a SOAP fault",
        ),
    ],
)
def test_a_broken_answer_leaves_the_number_unverified(fake_vies, mode, page, detail):
    fake_vies.mode = mode
    if page is not None:
        fake_vies.busy_page = page

    result = lookup_vat("BE0403170701")

    assert (result.status, result.detail) == ("unverified", detail)


def test_hanging_vies_gives_unverified_within_the_timeout_plus_one_second(hanging_vies):
    started = time.monotonic()
    result = lookup_vat("BE0403170701", timeout=1.0)
    elapsed = time.monotonic() - started

    assert result.status == "unverified"
    assert result.detail == "VIES did not answer within 1 s"
    assert elapsed < 2.0
    assert hanging_vies.requests == [("BE", "0403170701")]  # it did get the request


def test_a_trickling_answer_is_cut_off_at_the_deadline(settings):
    """Each byte comes before the socket timeout: only the overall deadline stops the wait."""
    with run_fake_vies("trickling") as fake:
        settings.VIES_ENDPOINT = fake.url
        clear_client_cache()
        started = time.monotonic()
        result = lookup_vat("BE0403170701", timeout=1.0)
        elapsed = time.monotonic() - started

    assert result.status == "unverified"
    assert result.detail.startswith("VIES did not answer within")
    assert elapsed < 2.0


def test_vies_down_gives_unverified_at_once(down_vies):
    started = time.monotonic()
    result = lookup_vat("BE0403170701")  # the default timeout (4 s) is not what ends it
    elapsed = time.monotonic() - started

    assert (result.status, result.detail) == ("unverified", "VIES unreachable (connection failed)")
    assert elapsed < 1.0


def test_the_request_is_a_real_soap_envelope_over_http(fake_vies):
    lookup_vat("BE0403170701")

    [envelope] = fake_vies.envelopes
    root = etree.fromstring(envelope)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    check = root.find(f"{{{SOAP_ENV}}}Body/{{{TYPES}}}checkVat")
    assert check.findtext(f"{{{TYPES}}}countryCode") == "BE"
    assert check.findtext(f"{{{TYPES}}}vatNumber") == "0403170701"
    [headers] = fake_vies.headers
    assert headers["Content-Type"].startswith("text/xml")
    assert headers["SOAPAction"] == '""'  # soapAction="" in the WSDL's binding
    assert headers["User-Agent"].startswith("Zeep/")


def test_a_number_in_user_form_is_normalised_before_the_call(fake_vies):
    result = lookup_vat("be 0403.170.701")

    assert result.number == "BE0403170701"
    assert fake_vies.requests == [("BE", "0403170701")]


def test_a_number_normalise_vat_refuses_raises_without_asking_vies(fake_vies):
    with pytest.raises(ValueError):
        lookup_vat("BE0403170702")  # wrong check digits
    assert fake_vies.requests == []


def test_the_client_is_built_once_and_reused(fake_vies):
    client = get_client()
    lookup_vat("BE0403170701")
    lookup_vat("BE0829071668")

    assert get_client() is client
    assert len(fake_vies.requests) == 2


def test_another_endpoint_or_timeout_gets_its_own_client(fake_vies, settings):
    client = get_client()

    assert get_client(timeout=1.0) is not client
    with run_fake_vies() as other:
        settings.VIES_ENDPOINT = other.url
        assert get_client() is not client
        assert lookup_vat("BE0403170701").status == "verified"
        assert other.requests == [("BE", "0403170701")]
    assert fake_vies.requests == []


def test_the_shipped_wsdl_is_the_commissions_byte_for_byte():
    """Copied unchanged (no XML declaration, CRLF, no final newline): zeep reads it as is."""
    content = WSDL.read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False)

    assert blob.hexdigest() == UPSTREAM_BLOB
    assert not content.startswith(b"<?xml")
    assert b"\r\n" in content
    assert content == SAMPLE_WSDL.read_bytes()


@pytest.mark.parametrize(
    ("cassette", "body"),
    [
        ("european_vat_vies_valid.json", RECORDED_VALID),
        ("european_vat_vies_invalid_country.json", RECORDED_INVALID_INPUT),
    ],
)
def test_the_fake_sends_the_recorded_answers_unchanged(cassette, body):
    [exchange] = json.loads((SAMPLES / cassette).read_text())

    assert body == exchange["response"]["body"].encode()


def test_without_a_fake_no_request_leaves_this_machine(settings):
    """The autouse guard in conftest points VIES at a closed local port."""
    assert settings.VIES_ENDPOINT.startswith("http://127.0.0.1:")

    result = lookup_vat("BE0403170701")

    assert (result.status, result.detail) == ("unverified", "VIES unreachable (connection failed)")
