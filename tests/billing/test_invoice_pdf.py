"""Invoice and credit note PDFs (rules.md §2; EPC069-12); certificates: tests/certificates.

Given invoices issued the real way (billing.invoicing.issue_invoice through InvoiceFactory), when
they are rendered, then the PDF read back with `pdftotext -layout` shows the number, amounts,
structured communication, bank details and mentions, and the QR code rasterised with `pdftoppm`
and decoded with `zbarimg` carries the EPC069-12 payload.
"""

import logging
import socket
import subprocess
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from billing.invoicing import issue_credit_note
from billing.pdf import (
    html_to_pdf,
    invoice_attachment,
    render_credit_note_pdf,
    render_invoice_pdf,
    render_pdf,
    url_fetcher,
)
from billing.structured_communication import parse_structured
from courses.models import Course, Edition
from portal.outbox import render_attachment
from tests.factories import (
    CourseFactory,
    EditionFactory,
    InvoiceFactory,
    OrganizerFactory,
    RegistrationFactory,
    UserFactory,
)

TODAY = date(2026, 3, 2)
DUE = "01/04/2026"  # 30 days (the organizer's term)
ORGANIZER = "Universiteit Gënt – Academie voor Levenslang Leren"
EXEMPTION = "Vrijgesteld van btw, art. 44 §2 4° W.btw"


# Reading PDFs back -----------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")


def flat(text: str) -> str:
    """Whitespace collapsed, for phrases that a layout may spread over columns."""
    return " ".join(text.split())


def qr_payloads(pdf: bytes, tmp_path) -> list[str]:
    """Every QR code on the PDF's pages: rasterised at 200 dpi, decoded as UTF-8 bytes."""
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sbinary", *sorted(map(str, tmp_path.glob("page*.png")))],
        capture_output=True,
        timeout=60,
    )
    if decoded.returncode == 4:  # zbarimg: no symbol found
        return []
    assert decoded.returncode == 0, decoded.stderr
    return [decoded.stdout.decode("utf-8").rstrip("\n")]


def translated(language: str, message: str) -> str:
    """`message` as the document shows it in `language` (whether or not it is translated yet)."""
    with translation.override(language):
        return gettext(message)


# Given ------------------------------------------------------------------------------------------


@pytest.fixture
def organizer(db):
    return OrganizerFactory(name=ORGANIZER, contact_email="llo@example.org")


@pytest.fixture
def person(db):
    return UserFactory(
        first_name="Anna",
        last_name="Peeters",
        email="anna.peeters@example.org",
        date_of_birth=date(1985, 4, 12),
    )


def edition_of(organizer, **fields):
    course = CourseFactory(
        organizer=organizer,
        title_nl=fields.pop("title_nl", "Projectmanagement in de zorg"),
        title_en=fields.pop("title_en", "Project management in healthcare"),
        kind=fields.pop("kind", Course.Kind.SHORT),
        total_credits=fields.pop("total_credits", Decimal("0")),
    )
    defaults = {
        "start": date(2026, 5, 4),
        "end": date(2026, 6, 1),
        "location": "Het Pand, Onderbergen 1, Gent",
    }
    return EditionFactory(course=course, **{**defaults, **fields})


@pytest.fixture
def exempt_edition(organizer):
    return edition_of(organizer, code="PM-2026-1", fee_amount=Decimal("1234.50"))


@pytest.fixture
def taxed_edition(organizer):
    return edition_of(
        organizer,
        code="EXCEL-26",
        title_nl="Excel voor gevorderden",
        title_en="Advanced Excel",
        fee_amount=Decimal("450.00"),
        vat_treatment=Edition.VatTreatment.TAXED,
    )


def invoice_for(person, editions, **buyer):
    first = RegistrationFactory(user=person, edition=editions[0], registered_on=TODAY)
    registrations = [first] + [
        RegistrationFactory(
            user=person, edition=edition, checkout=first.checkout, registered_on=TODAY
        )
        for edition in editions[1:]
    ]
    return InvoiceFactory(registrations=registrations, today=TODAY, **buyer)


COMPANY = {
    "customer_kind": "company",
    "customer_name": "Zorgnet Vlaanderen vzw",
    "customer_address": "Guimardstraat 1\n1040 Brussel",
    "customer_vat_number": "BE0403170701",
    "vat_check": "verified",
}


# Invoices ---------------------------------------------------------------------------------------


def test_an_exempt_invoice_to_a_person(person, exempt_edition, tmp_path):
    invoice = invoice_for(person, [exempt_edition], language="nl")

    pdf = render_invoice_pdf(invoice)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert invoice.number == "2026-000001"
    assert invoice.number in text
    assert "02/03/2026" in text  # invoice date
    assert DUE in text
    assert text.count("€ 1.234,50") >= 4  # amount, net, total of the line; totals; payment
    assert "€ 0,00" in text  # VAT
    assert EXEMPTION in flat(text)
    assert translated("nl", "exempt") in text
    assert translated("nl", "Not subject to VAT") in text
    assert "Anna Peeters" in text
    assert invoice.structured_communication in text
    assert parse_structured(text) is not None
    assert "BE68 5390 0754 7034" in text
    assert "GKCCBEBB" in text
    assert "Projectmanagement in de zorg" in text  # the line's description
    assert "PM-2026-1" in text
    assert "BE0248015142" in text  # the organizer's enterprise number (footer)
    assert translated("nl", "KMO-portefeuille") not in text

    digits = "".join(c for c in invoice.structured_communication if c.isdigit())
    assert qr_payloads(pdf, tmp_path) == [
        "\n".join(
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "GKCCBEBB",
                ORGANIZER,
                "BE68539007547034",
                "EUR1234.50",
                "",
                digits,
            ]
        )
    ]


def test_a_taxed_invoice_to_a_company(person, taxed_edition, tmp_path):
    invoice = invoice_for(person, [taxed_edition], language="nl", **COMPANY)

    pdf = render_invoice_pdf(invoice)

    text = pdf_text(pdf)
    assert "21 %" in text
    assert "€ 450,00" in text
    assert "€ 94,50" in text
    assert "€ 544,50" in text
    assert EXEMPTION not in flat(text)
    assert "Zorgnet Vlaanderen vzw" in text
    assert "Guimardstraat 1" in text
    assert "BE0403170701" in text
    assert translated("nl", "Not subject to VAT") not in text
    assert "not verified" not in flat(text).lower()
    assert "Anna Peeters" in text  # the participant, named next to the company
    lines = qr_payloads(pdf, tmp_path)[0].split("\n")
    assert lines[7] == "EUR544.50"
    assert lines[9] == "".join(c for c in invoice.structured_communication if c.isdigit())


def test_an_unverified_vat_number_is_noted(person, taxed_edition):
    buyer = {**COMPANY, "vat_check": "unverified"}
    invoice = invoice_for(person, [taxed_edition], language="en", **buyer)

    text = flat(pdf_text(render_invoice_pdf(invoice)))

    assert "BE0403170701" in text
    note = "VAT number not verified: the VIES service was unavailable; it is checked again later."
    assert flat(translated("en", note)) in text


def test_a_third_party_payer_and_the_kmo_portefeuille(person, taxed_edition, tmp_path):
    """The third party is on the invoice, the participant stays liable; with the KMO-portefeuille
    the wallet pays the amount excluding VAT, so the transfer (and the QR code) is the VAT."""
    invoice = invoice_for(
        person,
        [taxed_edition],
        language="en",
        **COMPANY,
        third_party_name="Stad Gent – Dienst Personeel",
        third_party_address="Botermarkt 1\n9000 Gent",
        third_party_vat_number="BE0207451227",
        kmo_portefeuille=True,
    )
    assert invoice.kmo_recognition_number == "DV.O100000"

    pdf = render_invoice_pdf(invoice)

    text = pdf_text(pdf)
    assert "Stad Gent – Dienst Personeel" in text
    assert "Botermarkt 1" in text
    assert "BE0207451227" in text
    assert translated("en", "The participant remains liable for the payment.") in flat(text)
    assert "DV.O100000" in text
    assert "€450.00" in text and "€94.50" in text and "€544.50" in text
    assert qr_payloads(pdf, tmp_path)[0].split("\n")[7] == "EUR94.50"


def test_an_exempt_kmo_invoice_has_nothing_to_transfer(person, exempt_edition, tmp_path):
    invoice = invoice_for(person, [exempt_edition], language="en", **COMPANY, kmo_portefeuille=True)

    pdf = render_invoice_pdf(invoice)

    assert translated("en", "Nothing to pay by bank transfer.") in flat(pdf_text(pdf))
    assert qr_payloads(pdf, tmp_path) == []


def test_a_free_training_has_no_qr_code(person, organizer, tmp_path):
    free = edition_of(
        organizer, code="FREE-1", fee_amount=Decimal("0"), cancellation_policy=Edition.Policy.FREE
    )
    invoice = invoice_for(person, [free], language="nl")

    pdf = render_invoice_pdf(invoice)

    text = pdf_text(pdf)
    assert invoice.number in text
    assert translated("nl", "Nothing to pay by bank transfer.") in flat(text)
    assert qr_payloads(pdf, tmp_path) == []


def test_an_invalid_iban_leaves_the_qr_code_out_but_not_the_invoice(person, db, tmp_path, caplog):
    organizer = OrganizerFactory(iban="BE69 5390 0754 7034")  # wrong check digits
    invoice = invoice_for(person, [edition_of(organizer, code="BAD-IBAN")], language="nl")

    with caplog.at_level(logging.ERROR, logger="billing.pdf"):
        pdf = render_invoice_pdf(invoice)

    assert invoice.number in pdf_text(pdf)
    assert qr_payloads(pdf, tmp_path) == []
    assert any("no EPC QR code" in record.getMessage() for record in caplog.records)


def all_qr_payloads(pdf: bytes, tmp_path) -> list[str]:
    """Each EPC QR code on the PDF's pages, one payload each (zbarimg prints them one after
    the other; every EPC payload starts with its service tag "BCD")."""
    [joined] = qr_payloads(pdf, tmp_path)
    return sorted("BCD\n" + part.rstrip("\n") for part in joined.split("BCD\n")[1:])


def test_an_invoice_in_instalments_shows_each_part_with_its_own_qr_code(person, exempt_edition,
                                                                        tmp_path):
    """Three instalments, a month apart from the invoice's due date, each with its own amount,
    structured communication and EPC QR code (what the checkout promises); the invoice's own
    communication and a QR code for the whole total are not offered: paying them would not
    match any instalment."""
    from billing.invoicing import add_instalments

    invoice = invoice_for(person, [exempt_edition], language="nl")
    parts = add_instalments(invoice, 3)

    pdf = render_invoice_pdf(invoice)

    text = pdf_text(pdf)
    assert [(p.amount, p.due_date.isoformat()) for p in parts] == [
        (Decimal("411.50"), "2026-04-01"), (Decimal("411.50"), "2026-05-01"),
        (Decimal("411.50"), "2026-06-01")]
    for part, due in zip(parts, ["01/04/2026", "01/05/2026", "01/06/2026"], strict=True):
        [row] = [line for line in text.splitlines() if part.structured_communication in line]
        assert f"{part.number}/3" in row and due in row and "€ 411,50" in row
    assert invoice.structured_communication not in text
    assert "€ 1.234,50" in text  # the invoice's total is still the total
    assert "BE68 5390 0754 7034" in text and "GKCCBEBB" in text
    assert all_qr_payloads(pdf, tmp_path) == sorted(
        "\n".join(["BCD", "002", "1", "SCT", "GKCCBEBB", ORGANIZER, "BE68539007547034",
                   "EUR411.50", "", "".join(c for c in p.structured_communication if c.isdigit())])
        for p in parts
    )


def test_with_the_kmo_portefeuille_the_vat_is_transferred_in_one_go(person, taxed_edition,
                                                                    tmp_path):
    """The wallet pays the amount excluding VAT; the company transfers the VAT once, with the
    invoice's communication, even if the invoice was split (the split is of the total)."""
    from billing.invoicing import add_instalments

    invoice = invoice_for(person, [taxed_edition], language="en", **COMPANY,
                          kmo_portefeuille=True)
    parts = add_instalments(invoice, 2)

    pdf = render_invoice_pdf(invoice)

    text = pdf_text(pdf)
    assert invoice.structured_communication in text
    assert not any(part.structured_communication in text for part in parts)
    assert qr_payloads(pdf, tmp_path)[0].split("\n")[7] == "EUR94.50"


def test_the_invoice_language_formats_amounts_and_describes_the_course(person, exempt_edition):
    dutch = pdf_text(render_invoice_pdf(invoice_for(person, [exempt_edition], language="nl")))
    other = UserFactory(first_name="John", last_name="Smith")
    english = pdf_text(render_invoice_pdf(invoice_for(other, [exempt_edition], language="en")))

    assert "€ 1.234,50" in dutch and "€1,234.50" not in dutch
    assert "€1,234.50" in english and "€ 1.234,50" not in english
    assert "Projectmanagement in de zorg" in dutch and "Project management" not in dutch
    assert "Project management in healthcare" in english
    assert translated("en", "Invoice").upper() in english


def test_several_lines_and_a_fixed_number_of_queries(person, organizer, exempt_edition):
    editions = [exempt_edition] + [
        edition_of(organizer, code=f"EXTRA-{n}", fee_amount=Decimal("100.00")) for n in range(3)
    ]
    one = invoice_for(person, [exempt_edition], language="nl")
    four = invoice_for(UserFactory(), editions, language="nl")

    with CaptureQueriesContext(connection) as single:
        render_invoice_pdf(one)
    with CaptureQueriesContext(connection) as several:
        text = pdf_text(render_invoice_pdf(four))

    assert len(single) == len(several) == 3  # invoice, lines, instalments
    assert "€ 1.534,50" in text  # 1,234.50 + 3 x 100.00
    for n in range(3):
        assert f"EXTRA-{n}" in text


def test_render_time_of_one_invoice(person, exempt_edition):
    invoice = invoice_for(person, [exempt_edition], language="nl")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        render_invoice_pdf(invoice)
        timings.append(time.perf_counter() - started)
    print(
        f"\ninvoice PDF render: first {timings[0] * 1000:.0f} ms, "
        f"then {min(timings[1:]) * 1000:.0f} ms"
    )


def test_the_outbox_attaches_the_invoice(person, exempt_edition):
    invoice = invoice_for(person, [exempt_edition], language="nl")

    filename, content, mimetype = render_attachment({"kind": "invoice_pdf", "id": invoice.pk})

    assert filename == "factuur-2026-000001.pdf"  # the invoice is in Dutch
    assert mimetype == "application/pdf"
    assert invoice.number in pdf_text(content)
    assert invoice_attachment(invoice.pk)[0] == filename


# Credit notes -----------------------------------------------------------------------------------


def test_a_credit_note(person, exempt_edition):
    invoice = invoice_for(person, [exempt_edition], language="nl")
    credit_note = issue_credit_note(
        invoice=invoice, net=Decimal("1111.05"), vat=Decimal("0.00"), reason="Annulering (beleid B)"
    )

    text = pdf_text(render_credit_note_pdf(credit_note))

    assert credit_note.number in text
    assert invoice.number in text
    assert "Annulering (beleid B)" in text
    assert "€ 1.111,05" in text
    assert EXEMPTION in flat(text)
    _, content, _ = render_attachment({"kind": "credit_note_pdf", "id": credit_note.pk})
    assert credit_note.number in pdf_text(content)


# No network ---------------------------------------------------------------------------------------


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to resolve or connect is recorded and fails."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


REMOTE = """{% extends "pdf/base.html" %}
{% block content %}
  <style>@import url("https://example.com/theme.css");</style>
  <link rel="stylesheet" href="http://example.com/x.css">
  <p>Remote resources</p>
  <img src="http://example.com/x.png" alt="">
  <img src="file:///etc/passwd" alt="">
  <img src="ftp://example.com/y.png" alt="">
{% endblock %}
"""


def test_a_template_with_remote_resources_renders_without_fetching(
    settings, tmp_path, no_sockets, caplog
):
    (tmp_path / "remote.html").write_text(REMOTE)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    with caplog.at_level(logging.WARNING, logger="billing.pdf"):
        pdf = render_pdf("remote.html", {}, "en")

    assert pdf.startswith(b"%PDF")
    assert "Remote resources" in pdf_text(pdf)
    assert no_sockets == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "billing.pdf")
    for url in (
        "http://example.com/x.png",
        "http://example.com/x.css",
        "https://example.com/theme.css",
        "file:///etc/passwd",
        "ftp://example.com/y.png",
    ):
        assert url in refused


def test_html_to_pdf_fetches_nothing_remote(no_sockets):
    pdf = html_to_pdf('<p>x</p><img src="http://example.com/x.png">')
    assert pdf.startswith(b"%PDF")
    assert no_sockets == []


def test_the_fetcher_allows_the_static_directory_and_data_only(settings):
    fetcher = url_fetcher()
    static = settings.BASE_DIR / "static"
    assert fetcher.allows((static / "css" / "pdf.css").as_uri())
    assert fetcher.allows("data:image/svg+xml;charset=utf-8,%3Csvg%3E")
    assert not fetcher.allows(f"file://{static}/../pyproject.toml")
    assert not fetcher.allows((settings.BASE_DIR / "pyproject.toml").as_uri())
    assert not fetcher.allows(f"file://example.com{static}/css/pdf.css")
    assert not fetcher.allows("http://example.com/x.png")
    assert not fetcher.allows("https://example.com/x.png")


def test_a_company_without_vat_registration_is_named_by_its_enterprise_number(
        person, exempt_edition):
    """rules.md §2 "enterprise or VAT number": VIES called the number inactive, so it is not a VAT
    number; the invoice gives it as the enterprise number (0403.170.701)."""
    invoice = invoice_for(person, [exempt_edition], language="en",
                          **{**COMPANY, "vat_check": "invalid"})

    text = pdf_text(render_invoice_pdf(invoice))

    assert f'{translated("en", "Enterprise number")}: 0403.170.701' in text
    assert "BE0403170701" not in text
