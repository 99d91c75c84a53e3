"""CODA (Febelfin "Coded statement of account", version 2) into `ParsedLine`s.

CODA is a fixed-width text format of 128-character records, so the column positions below
*are* its specification (Febelfin standard 2.6, zero-based slices here). Written here rather
than taken from PyPI: febelfin-coda 0.5 checks files with `assert` (gone under `python -O`,
bare AssertionErrors otherwise), refuses the anonymised KBC sample, reads one fixed encoding
and crashes on type-9 details; pycoda 1.1 uses floats for money, is GPL-3 and installs a `coda`
package that clashes with febelfin-coda's. See the import's report for the comparison.

What it accepts: UTF-8 (two-byte accents make a record 130 bytes, but still 128 characters),
ISO-8859-1 / windows-1252, LF or CRLF, with or without a final newline, trailing spaces cut
off, several statements in one file, globalised movements. Each statement's trailer (record
count, debit and credit totals) must agree with its records: a truncated or edited file is
refused whole.
"""

import codecs
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from billing.statements.parsed import (
    FROM_CODA_STRUCTURED,
    FROM_FREE_TEXT,
    ParsedLine,
    ParsedStatement,
    StatementFormatError,
    belgian_bban_to_iban,
    collapse,
    structured_in,
)
from billing.statements.texts import Text

RECORD = 128
OGM_TYPES = {"101", "102"}  # credit transfer with (reconstituted) structured communication
# Transaction types (21, column 54): 1 and 2 are totals whose details (5, 6, 7) are the
# individual transfers, each with its own payer and communication.
GLOBALISED, DETAIL_OF_GLOBALISED = {"1", "2"}, {"5", "6", "7"}


@dataclass
class _Movement:
    record: str  # the 2.1 record
    more: list[str] = field(default_factory=list)  # its 2.2 and 2.3 records
    info_name: str = ""  # the counterparty's name from an information record 3.1, type 001

    @property
    def detail(self) -> str:
        return self.record[6:10]

    @property
    def kind(self) -> str:
        return self.record[53]

    def part(self, article: str) -> str:
        return next((r for r in self.more if r[1] == article), " " * RECORD)


@dataclass
class _Statement:
    header: str
    account: str = ""
    currency: str = ""
    sequence: str = ""
    movements: list[_Movement] = field(default_factory=list)
    counted: int = 0  # records 1, 2.x, 3.x and 8, as the trailer counts them


def decode(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8 (ASCII is), else windows-1252, else latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def records(text: str):
    """(line number, 128-character record); blank lines are skipped. `split("\\n")` and not
    `splitlines()`, which would also split on a latin-1 NEL or form feed inside a record."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if len(line) > RECORD and line[RECORD:].strip():
            raise StatementFormatError("coda_line_length", line=number, length=len(line),
                                       record=RECORD)
        yield number, line[:RECORD].ljust(RECORD)


def parse_coda(data: bytes) -> ParsedStatement:
    statements = _read_statements(decode(data))
    result = ParsedStatement(format="coda", statement_count=len(statements))
    for statement in statements:
        result.accounts.append(statement.account)
        result.lines.extend(_lines_of(statement))
    return result


def _read_statements(text: str) -> list[_Statement]:
    statements: list[_Statement] = []
    current: _Statement | None = None
    for number, record in records(text):
        kind = record[0]
        if kind == "0":
            if current is not None:
                raise StatementFormatError("coda_unclosed", line=number)
            current = _header(number, record)
            continue
        if current is None:
            raise StatementFormatError("coda_no_header", line=number)
        if kind in "1238":
            current.counted += 1
        if kind == "1":
            _old_balance(number, record, current)
        elif kind == "2":
            _movement(number, record, current)
        elif kind == "3":
            _information(record, current)
        elif kind == "9":
            _check_trailer(number, record, current)
            statements.append(current)
            current = None
        elif kind not in "48":
            raise StatementFormatError("coda_record_type", line=number, kind=repr(kind))
    if current is not None or not statements:
        raise StatementFormatError("coda_incomplete")
    return statements


def _header(number: int, record: str) -> _Statement:
    if not record.startswith("00000"):
        raise StatementFormatError("coda_header", line=number)
    if record[127] != "2":
        raise StatementFormatError("coda_version", version=repr(record[127]))
    return _Statement(header=record)


def _old_balance(number: int, record: str, statement: _Statement) -> None:
    structure, account = record[1], record[5:42]
    if structure == "0":  # Belgian account number (BBAN)
        statement.account = belgian_bban_to_iban(account[0:12])
        statement.currency = account[13:16]
    elif structure in "123":  # foreign BBAN, Belgian IBAN, foreign IBAN
        statement.account = account[0:34].strip()
        statement.currency = account[34:37]
    else:
        raise StatementFormatError("coda_account_structure", line=number,
                                   structure=repr(structure))
    statement.sequence = record[2:5].strip()


def _movement(number: int, record: str, statement: _Statement) -> None:
    article = record[1]
    if article == "1":
        statement.movements.append(_Movement(record))
        return
    last = statement.movements[-1] if statement.movements else None
    if article not in "23" or last is None or last.record[2:10] != record[2:10]:
        raise StatementFormatError("coda_article", line=number, article=article)
    last.more.append(record)


def _information(record: str, statement: _Statement) -> None:
    """Only the counterparty's name is used (type 001), for movements without record 2.3."""
    if record[1] != "1" or record[39:43] != "1001":
        return
    for movement in reversed(statement.movements):
        if movement.record[2:6] == record[2:6]:
            movement.info_name = movement.info_name or collapse(record[43:113])
            return


def _check_trailer(number: int, record: str, statement: _Statement) -> None:
    debit, credit = Decimal(0), Decimal(0)
    for movement in statement.movements:
        if movement.detail == "0000":
            amount = _amount(movement.record[31:47]) or Decimal(0)
            debit, credit = (debit - amount, credit) if amount < 0 else (debit, credit + amount)
    expected = (_count(record[16:22]), _amount("0" + record[22:37]),
                _amount("0" + record[37:52]))
    if expected != (statement.counted, debit, credit):
        raise StatementFormatError(
            "coda_trailer", line=number, records=expected[0], debit=_money(expected[1]),
            credit=_money(expected[2]), counted=statement.counted, counted_debit=_money(debit),
            counted_credit=_money(credit))


def _money(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _amount(field_: str) -> Decimal | None:
    """Sign (0 credit, 1 debit) and 15 digits with three decimals; None when unreadable."""
    sign, digits = field_[0], field_[1:]
    if sign not in "01" or not digits.isdigit():
        return None
    try:
        value = Decimal(digits) / 1000
    except InvalidOperation:  # pragma: no cover - isdigit() already ruled this out
        return None
    return -value if sign == "1" else value


def _date(text: str) -> date | None:
    if not text.isdigit() or text == "000000":
        return None
    try:
        return date(2000 + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError:
        return None


def _lines_of(statement: _Statement):
    """The movements that are payments to match: a globalised total with individual details
    gives its details; any other movement gives itself (its details only break it down)."""
    mains = [m for m in statement.movements if m.detail == "0000"]
    details: dict[str, list[_Movement]] = {}
    for movement in statement.movements:
        if movement.detail != "0000" and movement.kind in DETAIL_OF_GLOBALISED:
            details.setdefault(movement.record[2:6], []).append(movement)
    for main in mains:
        parts = details.get(main.record[2:6]) if main.kind in GLOBALISED else None
        for movement in parts or [main]:
            yield _line(statement, movement)


def _line(statement: _Statement, movement: _Movement) -> ParsedLine:
    first, second, third = movement.record, movement.part("2"), movement.part("3")
    amount = _amount(first[31:47])
    problem = "" if amount is not None else Text("amount_not_number", text=repr(first[31:47]))
    if amount is not None and amount != amount.quantize(Decimal("0.01")):
        problem, amount = Text("amount_fractions", amount=amount), None
    if amount is not None:
        amount = amount.quantize(Decimal("0.01"))
    communication, structured, source = _communication(first, second, third)
    reference = first[10:31].strip()
    if reference and movement.detail != "0000":
        reference = f"{reference}/{movement.detail}"
    return ParsedLine(
        booked_on=_date(first[115:121]) or _date(first[47:53]),
        amount=amount,
        currency=statement.currency.strip(),
        counterparty_name=collapse(third[47:82]) or movement.info_name,
        counterparty_iban=_counterparty_account(third),
        communication=communication,
        structured=structured,
        bank_reference=reference,
        account_iban=statement.account,
        sequence=f"{statement.sequence}/{first[2:6]}/{movement.detail}",
        structured_source=source,
        reversal=second[112] in "12345",  # R-transaction: reject, return, refund, reversal
        problem=problem,
    )


def _communication(first: str, second: str, third: str) -> tuple[str, str | None, str]:
    """The communication continues from 2.1 over 2.2 into 2.3 without separators."""
    text = first[62:115] + second[10:63] + third[82:125]
    if first[61] == "1":
        code = first[62:65]
        if code in OGM_TYPES:
            digits = first[65:77]
            shown = f"+++{digits[0:3]}/{digits[3:7]}/{digits[7:12]}+++"
            found = structured_in(digits) if digits.isdigit() else None
            return shown, found, FROM_CODA_STRUCTURED if found else ""
        return f"[{code}] {collapse(text[3:])}", None, ""
    free = collapse(text)
    found = structured_in(free)
    return free, found, FROM_FREE_TEXT if found else ""


def _counterparty_account(third: str) -> str:
    if not third.strip():
        return ""
    if third[22] == " ":  # a Belgian account number, then its currency
        return belgian_bban_to_iban(third[10:22])
    return third[10:44].strip()
