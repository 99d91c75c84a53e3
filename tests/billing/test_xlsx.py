"""billing.exports.xlsx: the streamed workbook read back with openpyxl and, part by part, as XML."""

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from openpyxl import load_workbook

from billing.exports.xlsx import ROWS_PER_CHUNK, sheet_name, stream_xlsx, write_xlsx

BRUSSELS = ZoneInfo("Europe/Brussels")


def workbook(rows, title="Export"):
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, title=title)
    buffer.seek(0)
    return load_workbook(buffer)


def test_every_part_is_well_formed_xml_and_the_types_are_declared():
    content = b"".join(stream_xlsx([["a"], [1]]))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        for name in names:
            etree.fromstring(archive.read(name))  # raises on malformed XML
        declared = archive.read("[Content_Types].xml").decode()
        assert all(f'PartName="/{name}"' in declared for name in names
                   if name.startswith("xl/") and not name.endswith(".rels"))


def test_cell_types_formats_and_the_frozen_bold_header():
    rows = [
        ["Text", "Amount", "Int", "Float", "Day", "Moment", "Yes", "Nothing"],
        ["Acme & <Sons>", Decimal("-1234.50"), 42, 0.25, date(2026, 2, 28),
         datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC")), True, None],
    ]
    sheet = workbook(rows, title="invoices").active
    assert sheet.title == "invoices" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    text, amount, integer, real, day, moment, yes, nothing = sheet[2]
    assert text.value == "Acme & <Sons>" and text.data_type == "s"
    assert amount.value == Decimal("-1234.50") and amount.number_format == "#,##0.00"
    assert (integer.value, real.value) == (42, 0.25)
    assert day.value == datetime(2026, 2, 28) and day.number_format == "yyyy-mm-dd"
    # 01:30 UTC on the night the clocks go forward is 03:30 in Brussels.
    assert moment.value == datetime(2026, 3, 29, 3, 30) and moment.is_date
    assert yes.value is True and nothing.value is None


@pytest.mark.parametrize(("value", "expected"), [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
    ("-5", "'-5"),
    ("\n=1+1", "'\n=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
    ("\x00=1+1", "'=1+1"),  # the NUL goes, and what is left is neutralised
    ("bell\x07 and nul\x00", "bell and nul"),
    ("  spaces kept  ", "  spaces kept  "),
    ("line\nbreak\ttab", "line\nbreak\ttab"),
    ("émigré €", "émigré €"),
])
def test_text_is_inert_clean_and_kept_as_typed(value, expected):
    sheet = workbook([["h"], [value]]).active
    assert sheet["A2"].value == expected and sheet["A2"].data_type == "s"


def test_many_rows_are_numbered_and_leave_before_they_are_all_read():
    count, read = ROWS_PER_CHUNK * 40 + 7, []

    def rows():
        yield ["n", "amount", "reference"]
        for n in range(count):
            read.append(n)
            yield [n, Decimal(n) / 100, random.Random(n).randbytes(12).hex()]

    chunks = stream_xlsx(rows())
    first = next(chunks)
    assert len(read) < count
    chunks = [first, *chunks]
    sheet = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == count + 1
    assert values[-1][:2] == (count - 1, float(Decimal(count - 1) / 100))  # Excel: doubles


def test_no_rows_at_all_is_an_empty_sheet():
    assert workbook([]).active.max_row == 1 and workbook([]).active["A1"].value is None


@pytest.mark.parametrize(("title", "expected"), [
    ("open_balances", "open_balances"),
    ("a/b:c*d?[e]\\f", "a b c d  e  f"),
    ("x" * 40, "x" * 31),
    ("", "Export"),
])
def test_sheet_names_follow_excels_rules(title, expected):
    assert sheet_name(title) == expected
    assert workbook([["h"]], title=title).active.title == expected
