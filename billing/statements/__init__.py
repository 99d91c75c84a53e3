"""Bank statements (camt.053 and CODA): parsing, separate from importing.

`parse_statement(data)` turns the bytes of an uploaded file into plain `ParsedLine`s without
touching the database, so it can be tested, timed and reused on its own; `importer` matches
those lines to invoices and records the payments.
"""

from billing.statements.detect import detect_format, parse_statement
from billing.statements.parsed import ParsedLine, ParsedStatement, StatementFormatError

__all__ = [
    "ParsedLine",
    "ParsedStatement",
    "StatementFormatError",
    "detect_format",
    "parse_statement",
]
