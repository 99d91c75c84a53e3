"""The EPC QR code ("SEPA credit transfer QR") printed on an invoice: pure, no Django.

Rules.md §2: the invoice carries an EPC QR code so a banking app pays it in one scan. The payload
follows EPC069-12 (European Payments Council, "Quick Response Code: Guidelines to Enable Data
Capture for the Initiation of a SEPA Credit Transfer"), version 002, one element per line:

    1  BCD          service tag
    2  002          version
    3  1            character set: 1 = UTF-8
    4  SCT          identification: SEPA credit transfer
    5  BIC          of the beneficiary's bank (optional within the EEA in version 002)
    6  name         of the beneficiary, at most 70 characters
    7  IBAN         of the beneficiary, at most 34 characters
    8  EUR<amount>  EUR0.01 to EUR999999999.99
    9  purpose      four-letter code, optional: left empty
    10 reference    remittance information, structured (creditor reference, at most 35)
    11 text         remittance information, unstructured (at most 140): not used
    12 information  beneficiary to originator (at most 70): not used

EPC069-12 allows the structured *or* the unstructured remittance, never both, and says the last
populated element is not followed by a separator. With the structured reference as the last
populated element, an invoice's payload is therefore exactly 10 lines, without a trailing line
feed: elements 11 and 12 are omitted, not sent empty. The whole payload is at most 331 bytes
(version 13 of the QR code at error correction level M).

Reading for the Belgian structured communication (OGM/VCS, ``+++123/4567/89012+++``): it goes in
the structured reference (element 10) as its 12 digits, without the ``+++`` and the slashes. That
is how Belgian banks carry an OGM in a structured creditor reference (12 digits, of which the last
two are the check digits), and the banking apps show it back as ``+++123/4567/89012+++``; the
decorated form is only how it is printed for people.
"""

import re
from decimal import Decimal, InvalidOperation

import segno

from billing.structured_communication import check_digits

MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_NAME = 70
MAX_PAYLOAD_BYTES = 331

_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{1,30}")
_OGM_DECORATION = re.compile(r"[+*/.\s]")


def compact_iban(iban: str) -> str:
    """The IBAN in its electronic form: no spaces, upper case (``BE68 5390 ...`` → ``BE68539...``).

    Raises ``ValueError`` when it is not an IBAN: country, two check digits and 1-30 letters or
    digits, with the ISO 13616 check (the rearranged number modulo 97 is 1).
    """
    compact = re.sub(r"\s", "", iban or "").upper()
    if not _IBAN.fullmatch(compact):
        raise ValueError(f"not an IBAN: {iban!r}")
    rearranged = compact[4:] + compact[:4]
    if int("".join(str(int(char, 36)) for char in rearranged)) % 97 != 1:
        raise ValueError(f"wrong IBAN check digits: {iban!r}")
    return compact


def ogm_digits(structured_reference: str) -> str:
    """The 12 digits of a Belgian structured communication, checked (rules.md §2).

    Accepts ``+++123/4567/89012+++``, ``***123/4567/89012***`` or the bare 12 digits; raises
    ``ValueError`` when it is not 12 digits or the check digits (base mod 97, 97 for 0) are wrong.
    """
    digits = _OGM_DECORATION.sub("", structured_reference or "")
    if len(digits) != 12 or not digits.isdigit():
        raise ValueError(f"not a structured communication: {structured_reference!r}")
    if check_digits(int(digits[:10])) != int(digits[10:]):
        raise ValueError(f"wrong check digits: {structured_reference!r}")
    return digits


def format_amount(amount: Decimal) -> str:
    """``EUR`` and the amount with two decimals and a dot: ``EUR1234.50`` (EPC069-12 element 8).

    Raises ``ValueError`` outside EUR0.01 - EUR999999999.99 or when the amount has fractions of a
    cent (an invoice amount is already rounded: rounding here would hide an error).
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not Decimal(amount).is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    try:
        cents = Decimal(amount).quantize(MIN_AMOUNT)
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {amount!r}") from error
    if cents != amount:
        raise ValueError(f"the amount has fractions of a cent: {amount}")
    if not MIN_AMOUNT <= cents <= MAX_AMOUNT:
        raise ValueError(f"the amount must be between {MIN_AMOUNT} and {MAX_AMOUNT}: {amount}")
    return f"EUR{cents:.2f}"


def _name(name: str) -> str:
    """One line of at most 70 characters (a line feed would break the payload)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("the beneficiary needs a name")
    return name[:MAX_NAME].rstrip()


def _bic(bic: str) -> str:
    bic = re.sub(r"\s", "", bic or "").upper()
    if bic and not _BIC.fullmatch(bic):
        raise ValueError(f"not a BIC: {bic!r}")
    return bic


def epc_payload(
    *, bic: str, name: str, iban: str, amount: Decimal, structured_reference: str
) -> str:
    """The EPC069-12 version 002 payload of a credit transfer with a structured reference.

    Ten lines joined by ``\\n``, no trailing line feed (see the module docstring); the name is cut
    at 70 characters, the IBAN compacted, the amount written ``EUR1234.50``. Raises
    ``ValueError`` for an amount outside EUR0.01-EUR999999999.99, an invalid BIC, IBAN or
    structured communication, or a payload over 331 bytes.
    """
    elements = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        _bic(bic),
        _name(name),
        compact_iban(iban),
        format_amount(amount),
        "",  # purpose
        ogm_digits(structured_reference),
    ]
    payload = "\n".join(elements)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError("the EPC payload is longer than 331 bytes")
    return payload


def epc_qr(payload: str) -> segno.QRCode:
    """The QR code of a payload: byte mode, UTF-8, error correction level M (EPC069-12)."""
    return segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)


def epc_qr_svg(payload: str) -> str:
    """The QR code as a ``data:image/svg+xml`` URI, for an ``<img>`` in the invoice template.

    WeasyPrint renders the SVG as vectors; the quiet zone of four modules is included. The
    template sets the printed size (EPC069-12 advises at least 2 × 2 cm).
    """
    return epc_qr(payload).svg_data_uri(border=4, omitsize=True, xmldecl=False, nl=False)
