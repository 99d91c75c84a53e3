"""What a parser hands to the importer: plain data, no Django, no database.

Both formats (camt.053 and CODA) end up as the same `ParsedLine`s, so the importer (and its
benchmark) does not care where a line came from, and a parser can be timed on its own.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.statements.texts import Text
from billing.structured_communication import format_structured, parse_structured

# Where a line's structured communication was found (shown to finance with the result).
FROM_CREDITOR_REFERENCE = "creditor reference"  # camt CdtrRefInf, Cd SCOR, Issr BBA
FROM_CODA_STRUCTURED = "structured communication"  # CODA record 2.1, type 1, code 101/102
FROM_FREE_TEXT = "free text"  # a valid OGM typed into the free communication


class StatementFormatError(ValueError):
    """The file as a whole cannot be read as a statement; nothing of such a file is imported.
    It carries a `Text` (a code and its parameters: `StatementFormatError("empty")`), stored
    with the statement and worded for finance in their language; `str()` is the English."""

    def __init__(self, code: str, **params):
        self.text = Text(code, **params)
        super().__init__(str(self.text))


@dataclass(slots=True)
class ParsedLine:
    """One bank movement. `amount` is signed (credits positive, debits negative) and None when
    the file's amount could not be read; then `problem` (a `Text`) says why and the line is an
    error."""

    booked_on: date | None
    amount: Decimal | None
    currency: str
    counterparty_name: str
    counterparty_iban: str
    communication: str
    structured: str | None  # "+++ddd/dddd/ddddd+++" with valid check digits, else None
    bank_reference: str
    account_iban: str
    sequence: str  # where the line is in the file, for people ("2/0003/0000")
    structured_source: str = ""
    reversal: bool = False  # a returned or reversed movement: never a customer's payment
    problem: Text | str = ""


@dataclass(slots=True)
class ParsedStatement:
    format: str  # BankStatement.Format value
    lines: list[ParsedLine] = field(default_factory=list)
    statement_count: int = 0
    accounts: list[str] = field(default_factory=list)


def structured_in(text: str) -> str | None:
    """The OGM in a text, formatted as the invoices store it, when its check digits are
    right (`parse_structured` decides: +++ or ***, slashes, dots, spaces, inside free text)."""
    base = parse_structured(text) if text else None
    return None if base is None else format_structured(base)


def collapse(text: str) -> str:
    """Fixed-width and pretty-printed files pad with spaces: one space between words."""
    return " ".join(text.split())


def belgian_bban_to_iban(bban: str) -> str:
    """A Belgian account number of 12 digits (old CODA account structure 0) as its IBAN, so
    it compares with the organizers' IBANs. Anything else is returned unchanged."""
    digits = "".join(ch for ch in bban if ch.isdigit())
    if len(digits) != 12:
        return bban
    check = 98 - int(digits + "111400") % 97  # "BE00" moved to the end, B=11, E=14
    return f"BE{check:02d}{digits}"


def normalise_iban(value: str) -> str:
    return "".join(value.split()).upper()
