"""Which format a file is, from its content: finance may upload `statement.txt`, `.BC2`,
`.cod`, `.xml` or a file without extension, and banks name their files as they please."""

import codecs
import re
from decimal import Decimal

from billing.statements.camt import parse_camt
from billing.statements.coda import parse_coda
from billing.statements.parsed import ParsedStatement, StatementFormatError
from billing.statements.texts import Text

# The largest amount the books hold (Payment.amount: 11 digits, 2 after the point); a line
# above it is an error line, not a database error that stops the import halfway.
MAX_AMOUNT = Decimal("999999999.99")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def as_utf8(data: bytes) -> bytes:
    """A file saved as UTF-16 with its byte-order mark (Notepad's "Unicode", some bank
    portals) as UTF-8, its XML declaration changed to say so; other bytes as they are. Also
    used on the first bytes only (the upload form), hence `errors="replace"` for a character
    cut in two at the end."""
    if not data.startswith(UTF16_BOMS):
        return data
    text = data.decode("utf-16", errors="replace")  # the mark gives the byte order
    return _XML_ENCODING.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")


def detect_format(data: bytes) -> str:
    """"camt053" or "coda"; StatementFormatError for anything else (a PDF, a spreadsheet, an
    MT940 or CSV export, another XML message...)."""
    data = as_utf8(data)
    head = data[:512]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    if head.startswith(b"%PDF"):
        raise StatementFormatError("pdf")
    if head.startswith(b"PK"):
        raise StatementFormatError("zip")
    if b"\x00" in head[:64]:
        # No statement holds NUL bytes; text in UTF-16 without its mark does, every other byte.
        raise StatementFormatError("utf16_no_bom")
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return "camt053"  # the camt parser says so when it is another XML message
    if head.startswith(b"0000") and _first_record_length(data) in (128, 129, 130):
        return "coda"
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
    data = as_utf8(data)
    if not data.strip():
        raise StatementFormatError("empty")
    parsed = parse_coda(data) if detect_format(data) == "coda" else parse_camt(data)
    for line in parsed.lines:
        if line.amount is not None and abs(line.amount) > MAX_AMOUNT:
            line.problem, line.amount = Text("amount_too_large", amount=line.amount), None
    return parsed
