"""Property tests of formula neutralisation in the CSV and XLSX writers (billing.exports),
against OWASP's CSV-injection list written out here, not imported from the code under test:
no text cell a spreadsheet reads back starts like a formula, every other text is kept as typed,
and amounts, counts and dates stay what they are (numbers are numbers by their type, so a
negative amount or balance is never prefixed and still sums in XLSX)."""

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook

from billing.exports.csv_stream import neutralise, stream_csv
from billing.exports.xlsx import ILLEGAL_XML_CHARACTERS, write_xlsx
from tests.fuzz.strategies import FAST, SLOW, TYPED

# OWASP "CSV Injection": = + - @, tab (0x09), carriage return (0x0D); and line feed (0x0A) and
# the full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), see billing/exports/csv_stream.py.
OWASP = ("=", "+", "-", "@", "\t", "\r")
TRIGGERS = (*OWASP, "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

FORMULA_LIKE = st.builds(lambda head, tail: head + tail, st.sampled_from(TRIGGERS), TYPED)
TEXT = st.one_of(FORMULA_LIKE, TYPED, st.sampled_from(["-12.50", "+32 9 264 11 11", "\n=1+1"]))
AMOUNT = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2,
                     allow_nan=False, allow_infinity=False)
VALUE = st.one_of(TEXT, AMOUNT, st.integers(-10**6, 10**6),
                  st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.none())


def expected_text(value: str) -> str:
    return "'" + value if value.startswith(TRIGGERS) else value


@FAST
@given(TEXT)
@example("\n=HYPERLINK(\"http://evil.example\")")
@example("\uff1d1+1")
def test_neutralised_text_never_starts_like_a_formula(value):
    assert neutralise(value) == expected_text(value)
    assert not neutralise(value).startswith(TRIGGERS)


@FAST
@given(st.one_of(AMOUNT, st.integers(), st.dates(), st.none()))
def test_numbers_and_dates_are_left_as_they_are(value):
    assert neutralise(value) == value


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return expected_text(value)
    return str(value)


@FAST
@given(st.lists(VALUE, min_size=1, max_size=6))
@example([Decimal("-12.50"), -3, "-12.50", "\n=1+1"])
def test_csv_cells_read_back_inert_with_numbers_unprefixed(values):
    content = b"".join(stream_csv([["h"] * len(values), values])).decode("utf-8")
    read = list(csv.reader(io.StringIO(content[1:], newline=""), delimiter=";"))
    assert len(read) == 2
    assert read[1] == [csv_cell(value) for value in values]
    for value, cell in zip(values, read[1], strict=True):
        if isinstance(value, str):
            assert not cell.startswith(TRIGGERS)
        elif isinstance(value, Decimal | int):
            assert not cell.startswith("'")


@SLOW
@given(st.lists(VALUE, min_size=1, max_size=6))
@example([Decimal("-12.50"), Decimal("-0.01"), -3, "-12.50", "\r=1+1", "\uff20SUM(A1)"])
def test_xlsx_text_is_inert_and_numbers_stay_numbers(values):
    buffer = io.BytesIO()
    write_xlsx([["h"] * len(values), values], buffer)
    buffer.seek(0)
    cells = load_workbook(buffer).active[2]
    for value, cell in zip(values, cells, strict=True):
        assert cell.data_type != "f"
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            assert cell.data_type == "n" and Decimal(str(cell.value)) == value
        elif isinstance(value, str):
            clean = ILLEGAL_XML_CHARACTERS.sub("", value)
            assert (cell.value or "") == expected_text(clean)
            assert cell.value is None or not cell.value.startswith(TRIGGERS)
        elif isinstance(value, date):
            assert cell.value.date() == value
        else:
            assert cell.value is None
