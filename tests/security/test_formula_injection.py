"""CSV/XLSX formula injection is neutralised (issue 10), whatever a customer types.

tests/billing/test_exports.py checks the finance exports end to end (the NASTY names read back
as text, amounts as numbers); this adds property tests of the two writers in
billing/exports/csv_stream.py and billing/exports/xlsx.py over arbitrary text."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from billing.exports.csv_stream import FORMULA_TRIGGERS, stream_csv
from billing.exports.xlsx import write_xlsx

# Text that starts like a formula, or anything at all.
texts = st.one_of(
    st.builds(lambda head, tail: head + tail, st.sampled_from(FORMULA_TRIGGERS), st.text()),
    st.text(),
)


def dangerous(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_no_csv_cell_starts_like_a_formula(values):
    content = b"".join(stream_csv([["header"] * len(values), values])).decode("utf-8")
    read = list(csv.reader(io.StringIO(content[1:], newline=""), delimiter=";"))
    assert len(read) == 2
    for typed, cell in zip(values, read[1], strict=True):
        assert not dangerous(cell)
        assert cell == ("'" + typed if dangerous(typed) else typed)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_no_xlsx_cell_is_a_formula(values):
    buffer = io.BytesIO()
    write_xlsx([["header"] * len(values), values], buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    for cell in sheet[2]:
        assert cell.data_type != "f"
        assert cell.value is None or not dangerous(str(cell.value))
