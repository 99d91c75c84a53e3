"""The finance exports speak the staff member's language: the CSV and XLSX headers (and the XLSX
sheet's name) follow the language of the request, or the language passed along by whoever builds
the file outside a request; the columns keep their order in every language, so a spreadsheet
that reads a column by position reads the same column."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from billing import exports
from billing.exports import rows
from tests.billing.test_exports import END, START, invoice, read_csv
from tests.factories import EditionFactory, OrganizerFactory

# What finance reads, column by column, in both languages.
EXPECTED = {
    rows.INVOICES: [
        ("Number", "Nummer"), ("Issue date", "Uitgiftedatum"), ("Due date", "Vervaldag"),
        ("Kind", "Soort"), ("Customer", "Klant"), ("Customer kind", "Soort klant"),
        ("VAT number", "Btw-nummer"), ("E-mail", "E-mail"),
        ("Paid by (third party)", "Betaald door (derde)"),
        ("Structured communication", "Gestructureerde mededeling"),
        ("KMO-portefeuille", "KMO-portefeuille"), ("Net", "Netto"), ("VAT", "Btw"),
        ("Total", "Totaal"), ("VAT mention", "Btw-vermelding"),
    ],
    rows.CREDIT_NOTES: [
        ("Number", "Nummer"), ("Issue date", "Uitgiftedatum"), ("Invoice", "Factuur"),
        ("Customer", "Klant"), ("VAT number", "Btw-nummer"), ("Reason", "Reden"),
        ("Net", "Netto"), ("VAT", "Btw"), ("Total", "Totaal"),
    ],
    rows.PAYMENTS: [
        ("Date", "Datum"), ("Invoice", "Factuur"), ("Customer", "Klant"), ("Amount", "Bedrag"),
        ("Method", "Betaalwijze"), ("Reference", "Referentie"), ("Payer", "Betaler"),
        ("Instalment", "Schijf"),
    ],
    rows.OPEN_BALANCES: [
        ("Number", "Nummer"), ("Issue date", "Uitgiftedatum"), ("Due date", "Vervaldag"),
        ("Customer", "Klant"), ("E-mail", "E-mail"),
        ("Structured communication", "Gestructureerde mededeling"), ("Total", "Totaal"),
        ("Credited", "Gecrediteerd"), ("Paid", "Betaald"), ("Balance", "Saldo"),
        ("Status", "Status"), ("Days overdue", "Dagen na vervaldag"),
    ],
}
SHEETS = {rows.INVOICES: ("Invoices", "Facturen"), rows.CREDIT_NOTES: ("Credit notes",
                                                                        "Creditnota's"),
          rows.PAYMENTS: ("Payments", "Betalingen"),
          rows.OPEN_BALANCES: ("Open balances", "Openstaande saldi")}


@pytest.fixture
def edition(db):
    return EditionFactory(course__organizer=OrganizerFactory(slug="ugent"))


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_header_in_both_languages_in_the_same_order(edition, kind):
    organizer = edition.course.organizer
    with translation.override("en"):
        english = rows.table(kind, organizer, START, END)
    with translation.override("nl"):
        dutch = rows.table(kind, organizer, START, END)
    assert list(zip(english.header, dutch.header, strict=True)) == EXPECTED[kind]
    assert (english.title, dutch.title) == SHEETS[kind]


def test_the_language_passed_along_wins_over_the_active_one(edition):
    """A task or command builds the file for someone: it passes the requester's language."""
    organizer = edition.course.organizer
    with translation.override("en"):
        table = rows.table(rows.PAYMENTS, organizer, START, END, language="nl")
        assert table.header[:4] == ("Datum", "Factuur", "Klant", "Bedrag")
        response = exports.download(organizer=organizer, start=START, end=END,
                                    kind=rows.PAYMENTS, fmt="csv", language="nl")
        assert translation.get_language() == "en"  # only for the file
    assert read_csv(response.streaming_content)[0][:2] == ["Datum", "Factuur"]


def _download(client, organizer, language, fmt):
    client.cookies["django_language"] = language
    return client.post(reverse("admin:billing_refund_exports"), {
        "organizer": organizer.pk, "start": START.isoformat(), "end": END.isoformat(),
        "kind": rows.INVOICES, "format": fmt})


@pytest.mark.parametrize(("language", "column"), [("nl", 1), ("en", 0)])
def test_csv_download_in_the_staff_members_language(client, finance_user,
                                                    edition, language, column):
    made = invoice(edition, date(2026, 3, 10), name="=1+1")
    client.force_login(finance_user)
    header, line = read_csv(_download(client, edition.course.organizer, language, "csv")
                            .streaming_content)
    assert header == [pair[column] for pair in EXPECTED[rows.INVOICES]]
    assert line[0] == made.number and line[4] == "'=1+1" and line[13] == "450,00"


@pytest.mark.parametrize(("language", "column"), [("nl", 1), ("en", 0)])
def test_xlsx_download_in_the_staff_members_language(client, finance_user,
                                                     edition, language, column):
    invoice(edition, date(2026, 3, 10))
    client.force_login(finance_user)
    response = _download(client, edition.course.organizer, language, "xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == SHEETS[rows.INVOICES][column]
    assert [cell.value for cell in sheet[1]] == [pair[column] for pair in EXPECTED[rows.INVOICES]]
    total = sheet.cell(row=2, column=14)
    assert total.value == 450 and total.data_type == "n"
