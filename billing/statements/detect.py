"""Which format a file is, from its content: finance may upload `statement.txt`, `.BC2`,
`.cod`, `.xml` or a file without extension, and banks name their files as they please."""

import codecs
from decimal import Decimal

from billing.statements.camt import parse_camt
from billing.statements.coda import parse_coda
from billing.statements.parsed import ParsedStatement, StatementFormatError
from billing.statements.texts import Text

# The largest amount the books hold (Payment.amount: 11 digits, 2 after the point); a line
# above it is an error line, not a database error that stops the import halfway.
MAX_AMOUNT = Decimal("999999999.99")


def detect_format(data: bytes) -> str:
    """"camt053" or "coda"; StatementFormatError for anything else (a PDF, a spreadsheet, an
    MT940 or CSV export, another XML message...)."""
    head = data[:512]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return "camt053"  # the camt parser says so when it is another XML message
    if head.startswith(b"0000") and _first_record_length(data) in (128, 129, 130):
        return "coda"
    if head.startswith(b"%PDF"):
        raise StatementFormatError("pdf")
    if head.startswith(b"PK"):
        raise StatementFormatError("zip")
    if stripped.startswith((b":20:", b"{1:")):
        raise StatementFormatError("mt940")
    raise StatementFormatError("not_statement")


def _first_record_length(data: bytes) -> int:
    """In characters: a UTF-8 accent in the header would make it longer in bytes."""
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return len(first.decode("utf-8"))
    except UnicodeDecodeError:
        return len(first)


def parse_statement(data: bytes) -> ParsedStatement:
    """Parse a whole file, or raise StatementFormatError with a message for finance."""
    if not data.strip():
        raise StatementFormatError("empty")
    parsed = parse_coda(data) if detect_format(data) == "coda" else parse_camt(data)
    for line in parsed.lines:
        if line.amount is not None and abs(line.amount) > MAX_AMOUNT:
            line.problem, line.amount = Text("amount_too_large", amount=line.amount), None
    return parsed
