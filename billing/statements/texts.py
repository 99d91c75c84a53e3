"""What the import says to finance about a file or a line, worded when it is read.

Parsers, rules and the importer produce a `Text`: a code and its parameters (plain values).
The database stores the code and the parameters next to the English wording (kept for old
readers and searches), and the admin words them in the reader's language (`shown`). Rows
stored before codes existed have no code: their stored English is shown as it is.
"""

from django.utils.translation import gettext, gettext_noop

TEXTS = {
    # The file as a whole (nothing imported)
    "empty": gettext_noop("The file is empty."),
    "not_statement": gettext_noop("This is not a camt.053 or CODA file."),
    "pdf": gettext_noop("This is not a camt.053 or CODA file. It is a PDF: ask the bank for "
                        "the electronic statement (CODA or camt.053)."),
    "zip": gettext_noop("This is not a camt.053 or CODA file. It is a ZIP or spreadsheet "
                        "file."),
    "utf16_no_bom": gettext_noop("The file is saved as UTF-16 text without a byte-order "
                                 "mark: upload the file as the bank delivered it, or save it "
                                 "again as UTF-8."),
    "mt940": gettext_noop("This is not a camt.053 or CODA file. It looks like an MT940 "
                          "statement."),
    "unreadable": gettext_noop("The file could not be read (an unexpected error was logged)."),
    "coda_line_length": gettext_noop("Line %(line)s has %(length)s characters; a CODA record "
                                     "has %(record)s."),
    "coda_unclosed": gettext_noop("Line %(line)s: a new statement starts before the previous "
                                  "one ended (no record 9)."),
    "coda_no_header": gettext_noop("Line %(line)s: a CODA statement starts with a record 0 "
                                   "(header)."),
    "coda_record_type": gettext_noop("Line %(line)s: %(kind)s is not a CODA record type."),
    "coda_incomplete": gettext_noop("The file ends in the middle of a statement (no record 9): "
                                    "it is incomplete."),
    "coda_header": gettext_noop("Line %(line)s: a CODA header starts with 00000."),
    "coda_version": gettext_noop("CODA version %(version)s is not supported; ask the bank for "
                                 "CODA version 2."),
    "coda_account_structure": gettext_noop("Line %(line)s: unknown account structure "
                                           "%(structure)s."),
    "coda_article": gettext_noop("Line %(line)s: record 2.%(article)s does not follow its "
                                 "movement (record 2.1)."),
    "coda_trailer": gettext_noop(
        "Line %(line)s: the trailer announces %(records)s records, debit %(debit)s and credit "
        "%(credit)s, but the statement has %(counted)s records, debit %(counted_debit)s and "
        "credit %(counted_credit)s: the file is incomplete or was changed. Ask the bank for it "
        "again."),
    "xml_syntax": gettext_noop("The file is not well-formed XML: %(detail)s."),
    "iso_other": gettext_noop("This is an ISO 20022 %(message)s file, not a camt.053 bank "
                              "statement."),
    "xml_other": gettext_noop("This XML file is not a camt.053 bank statement."),
    "camt_no_statement": gettext_noop("This camt.053 file contains no statement (Stmt)."),
    # One line that cannot be read
    "amount_not_number": gettext_noop("The amount %(text)s is not a number."),
    "amount_fractions": gettext_noop("The amount %(amount)s has fractions of a cent."),
    "indicator": gettext_noop("Credit or debit indicator %(sign)s is not CRDT or DBIT."),
    "no_amount": gettext_noop("The entry has no amount."),
    "amount_no_dot": gettext_noop("The amount %(text)s is not a decimal number with a dot."),
    "amount_not_cents": gettext_noop("The amount %(text)s is not an amount in cents."),
    "amount_too_large": gettext_noop("The amount %(amount)s is larger than the portal can "
                                     "record: check this movement by hand."),
    "line_failed": gettext_noop("This line could not be imported (%(error)s); the error was "
                                "logged. Check the movement and match it by hand."),
    # What became of a line
    "already_imported": gettext_noop("Already imported (statement %(name)s, line "
                                     "%(position)s, invoice %(number)s): nothing new."),
    "already_imported_here": gettext_noop("Already imported (earlier in this file): nothing "
                                          "new."),
    "already_imported_unmatched": gettext_noop(
        "Already imported (statement %(name)s, line %(position)s), not matched yet: match it "
        "there."),
    "lookalike": gettext_noop(
        "Invoice %(number)s already has a bank payment of %(amount)s on that day (statement "
        "%(name)s, line %(position)s). The same movement in another file? If the customer paid "
        "twice, match it by hand."),
    "reversal": gettext_noop("A returned or reversed movement, not a payment: check it by "
                             "hand."),
    "debit": gettext_noop("Outgoing transfer (debit): not a payment, nothing recorded."),
    "zero_amount": gettext_noop("Zero amount: nothing to record."),
    "currency": gettext_noop("Amount in %(currency)s: only payments in euro are recorded."),
    "no_booking_date": gettext_noop("The movement has no booking date."),
    "no_structured": gettext_noop("No structured communication."),
    "wrong_check_digits": gettext_noop("The structured communication has wrong check "
                                       "digits."),
    "unknown_structured": gettext_noop("Structured communication %(ogm)s is not one of our "
                                       "invoices."),
    "other_account": gettext_noop(
        "%(ogm)s is invoice %(number)s of %(organizer)s, payable to %(seller_iban)s, not to "
        "this account (%(account)s): not recorded."),
    "paid": gettext_noop("Paid invoice %(number)s."),
    "paid_part": gettext_noop("Paid invoice %(number)s, part %(part)s."),
    "matched_by_hand": gettext_noop("Matched by hand with invoice %(number)s by %(user)s."),
}
# Added to an unmatched line's text when one open invoice fits it (parameter "suggested").
SUGGESTION = gettext_noop("Suggestion: invoice %(suggested)s (same amount, similar name); "
                          "check it and match it by hand.")


def _plain(value):
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else str(value)


class Text:
    """A message as a code and its parameters (ints and strings, stored as JSON); `str()` is
    its English wording, `shown()` its wording in the active language."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, **params):
        if code not in TEXTS:
            raise KeyError(code)
        self.code = code
        self.params = {name: _plain(value) for name, value in params.items()}

    def with_params(self, **params) -> "Text":
        return Text(self.code, **self.params, **params)

    def __str__(self) -> str:
        return _word(self.code, self.params, translate=False)

    def __repr__(self) -> str:
        return f"Text({self.code!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return (isinstance(other, Text) and (self.code, self.params) == (other.code, other.params))

    def __hash__(self) -> int:
        return hash(self.code)

    def shown(self) -> str:
        return _word(self.code, self.params, translate=True)


def _word(code: str, params: dict, translate: bool) -> str:
    say = gettext if translate else str
    text = say(TEXTS[code]) % params
    if params.get("suggested"):
        text = f"{text} {say(SUGGESTION) % params}"
    return text


def shown(code: str, params, stored: str) -> str:
    """A stored message in the reader's language; a row without a (known) code, stored before
    codes existed, shows its stored English."""
    if code not in TEXTS:
        return stored
    try:
        return _word(code, params or {}, translate=True)
    except (KeyError, TypeError, ValueError):  # parameters of another version: as stored
        return stored
