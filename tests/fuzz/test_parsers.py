"""Fuzzing the pure parsers: VAT numbers, structured communications and bank statements (CODA,
camt.053). No database; the statement files are real samples (tests/samples) and files made
by tests/billing/statement_files.py, mutated: truncated, bytes flipped, garbage inserted, lines
dropped or repeated, CRLF or CR only, other encodings, NUL bytes."""

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.exceptions import ValidationError

from billing.statements import StatementFormatError, parse_statement
from billing.statements.parsed import ParsedStatement
from billing.structured_communication import format_structured, parse_structured
from billing.vat import normalise_vat
from tests.billing.statement_files import Move, camt053, coda
from tests.fuzz.strategies import FAST, INPUT, SLOW, samples_dir

OGM = re.compile(r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")

# --- VAT numbers (rules.md §2) -----------------------------------------------------------------

VAT_LIKE = st.one_of(
    INPUT,
    # Almost right: a prefix, separators and 8-12 digits, so stdnum's checks are reached.
    st.builds(
        lambda prefix, sep, digits: prefix + sep.join(digits),
        st.sampled_from(["", "BE", "be", "Be ", "NL", "DE", "EL", "XI", "FR", "US", "B", "0"]),
        st.sampled_from(["", " ", ".", "-", "/", "\t", "\u00a0"]),
        st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1, max_size=4),
    ),
)


@FAST
@given(VAT_LIKE)
def test_normalise_vat_accepts_or_refuses_with_a_validation_error(raw):
    try:
        number = normalise_vat(raw)
    except ValidationError as error:
        assert isinstance(error, ValueError)  # the form catches ValueError
        assert str(error)
        return
    assert re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,12}", number), number
    assert normalise_vat(number) == number  # compact and stable: stored as is


@pytest.mark.parametrize("raw", [None, 403170701, b"BE0403170701", ["BE0403170701"]])
def test_normalise_vat_refuses_what_is_not_text(raw):
    with pytest.raises(TypeError):
        normalise_vat(raw)


# --- Structured communications (seed 2 art. 4.5; rules.md §2) --------------------------------


@FAST
@given(st.one_of(INPUT, st.text("0123456789+*/. ", max_size=40)))
def test_parse_structured_never_raises_and_finds_only_valid_ones(text):
    base = parse_structured(text)
    if base is not None:
        assert 0 <= base < 10**10
        formatted = format_structured(base)
        assert OGM.match(formatted)
        assert parse_structured(formatted) == base


@FAST
@given(st.one_of(st.integers(), st.booleans(), st.text(max_size=12), st.floats(),
                 st.decimals(allow_nan=True)))
def test_format_structured_refuses_with_type_or_value_error(base):
    try:
        formatted = format_structured(base)
    except (TypeError, ValueError) as error:
        assert str(error)
        return
    assert type(base) is int and OGM.match(formatted)


# --- Bank statements --------------------------------------------------------------------------


def _seed_files() -> list[bytes]:
    made = [Move("100.00", ogm="000000000097"), Move("-12.50", text="Terugbetaling vrijwillig"),
            Move("450.00", text="+++123/4567/89002+++ Jan Janssens", name="Jöns Ærø")]
    files = [camt053(made), camt053(made, version="02"), coda(made), coda(made, newline="\n"),
             coda(made, encoding="utf-8")]
    folder = samples_dir()
    # the real bank files too, the small ones (the fuzzer mutates them)
    for path in sorted((folder / "coda").iterdir()) + sorted((folder / "camt053").iterdir()):
        if path.stat().st_size < 40_000:
            files.append(path.read_bytes())
    return files


SEEDS = _seed_files()


def _reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", errors="replace").encode(encoding, errors="replace")


@st.composite
def mutated_statement(draw) -> bytes:
    data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "crlf", "cr",
                                     "encoding", "nul", "drop_line", "repeat_line", "bom"]))
        size = max(len(data), 1)
        at = draw(st.integers(0, size - 1))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(max_size=40)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)):]
        elif kind == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif kind == "cr":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif kind == "encoding":
            data = _reencode(data, draw(st.sampled_from(["utf-16", "utf-16-be", "cp1252",
                                                         "latin-1", "utf-32", "cp500"])))
        elif kind == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        else:
            lines = data.split(b"\n")
            line = draw(st.integers(0, len(lines) - 1))
            if kind == "drop_line":
                del lines[line]
            else:
                lines.insert(line, lines[line])
            data = b"\n".join(lines)
    return data


def check_parsed(parsed: ParsedStatement) -> None:
    assert parsed.format in {"camt053", "coda"}
    for line in parsed.lines:
        assert line.amount is None or isinstance(line.amount, Decimal)
        if line.amount is None:
            assert line.problem, "an unreadable amount must say why"
        assert line.booked_on is None or isinstance(line.booked_on, date)
        assert line.structured is None or OGM.match(line.structured)
        for text in (line.communication, line.counterparty_name, line.counterparty_iban,
                     line.bank_reference, line.account_iban, line.currency, line.sequence):
            assert isinstance(text, str)


def test_the_seed_files_parse():
    """The mutations start from files the parsers read: otherwise the fuzzer proves little."""
    readable = 0
    for data in SEEDS:
        try:
            parsed = parse_statement(data)
        except StatementFormatError:
            continue  # a few real samples are refused on purpose (tests/billing)
        check_parsed(parsed)
        readable += 1
    assert readable >= 5


@SLOW
@given(mutated_statement())
def test_a_damaged_statement_is_read_or_refused_with_a_message(data):
    try:
        parsed = parse_statement(data)
    except StatementFormatError as error:
        message = str(error)
        assert message and len(message) < 2000
        assert "Traceback" not in message
        return
    check_parsed(parsed)


@FAST
@given(st.binary(max_size=600))
def test_random_bytes_are_refused_with_a_message(data):
    try:
        parsed = parse_statement(data)
    except StatementFormatError as error:
        assert str(error)
        return
    check_parsed(parsed)
