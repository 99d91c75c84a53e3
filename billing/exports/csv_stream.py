"""Writing export rows as CSV (streamed), safely; the XLSX writer (billing.exports.xlsx) shares
`neutralise`.

CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and a leading tab, carriage return or line feed can hide one (the cell
looks empty or starts on its second line; some spreadsheets skip the leading white space before
they look for the ``=``). Every *text* value that starts with one of those characters, or with
the full-width ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20) that a spreadsheet in a Japanese,
Chinese or Korean locale folds to their ASCII forms as it reads a cell, gets a ``'`` in front, in
CSV and XLSX alike (an XLSX text cell is never a formula, but a user who edits the cell would turn
it into one); numbers and dates are written as numbers and dates, so amounts stay summable and a
negative amount (``Decimal("-12.50")``, a negative balance) stays a number, unprefixed. A value is
a number by its type, never by its look: the text ``"-12.50"`` (a phone number, a reference...)
is text and is prefixed.

CSV dialect, chosen for finance in Belgium, who open the file in Excel with a Belgian (nl-BE /
fr-BE) locale: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Windows-1252),
``;`` as the separator (the list separator of those locales: with ``,`` Excel shows one column)
and a decimal comma (``1234,50``; a decimal point would be read as a thousands separator or as
text). Dates are ISO 8601 (``2026-09-21``), which Excel recognises in every locale. Software that
imports the file takes the XLSX, which has none of these locale questions, or
``stream_csv(rows, delimiter=",", decimal_comma=False)``.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

# OWASP's list (= + - @, tab, carriage return), line feed, and the full-width forms of the four
# signs (a precaution: dropping them costs an apostrophe on a rare text, missing them a formula).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def neutralise(value):
    """A text value that a spreadsheet would run as a formula, made inert with a leading ``'``.

    Only strings change: ``"=HYPERLINK(...)"`` becomes ``"'=HYPERLINK(...)"``, ``"-5"`` becomes
    ``"'-5"``; ``Decimal("-5")``, ints, dates and ``None`` come back as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_text(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def stream_csv(
    rows: Iterable[Iterable], *, delimiter: str = ";", decimal_comma: bool = True
) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks for a `StreamingHttpResponse`: the BOM, then a few hundred
    lines at a time (one chunk per row would make 100,000 tiny writes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write(BOM)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value, decimal_comma) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
