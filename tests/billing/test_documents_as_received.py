"""Invoices and credit notes as the person receives them (documents audit): the file name of the
attachment and the download in the document's language, the VAT exemption mention in the
invoice's language, a late-payment charge's lines not called "exempt", the footer read in one
piece. Every check reads the real rendered PDF (pdftotext) or the real response.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.invoicing import issue_credit_note
from billing.latepayment import run_late_payment_job
from billing.pdf import invoice_context, render_credit_note_pdf, render_invoice_pdf
from courses.models import DEFAULT_VAT_EXEMPTION
from portal.outbox import render_attachment
from tests.billing.test_dunning import CHARGED, REMINDED, charge_of, overdue
from tests.billing.test_invoice_pdf import COMPANY, edition_of, flat, invoice_for, pdf_text
from tests.factories import OrganizerFactory, UserFactory

ENGLISH_EXEMPTION = "Exempt from VAT, article 44 §2 4° of the Belgian VAT Code"


@pytest.fixture
def organizer(db):
    # A short name: the footer used to break after its first word ("Academy" / "20 · ...").
    return OrganizerFactory(name="Academy 20", contact_email="info@academy.example.org")


@pytest.fixture
def person(db):
    return UserFactory(first_name="Anna", last_name="Peeters", email="anna@example.org")


@pytest.fixture
def edition(organizer):
    return edition_of(organizer, code="PM-2026-1", fee_amount=Decimal("1234.50"))


@pytest.mark.parametrize(("language", "invoice_name", "note_name"), [
    ("nl", "factuur-2026-000001.pdf", "creditnota-CN2026-000001.pdf"),
    ("en", "invoice-2026-000001.pdf", "credit-note-CN2026-000001.pdf"),
])
def test_the_attachments_are_named_in_the_documents_language(
        person, edition, language, invoice_name, note_name):
    invoice = invoice_for(person, [edition], language=language)
    note = issue_credit_note(invoice=invoice, net=Decimal("100.00"), vat=Decimal("0.00"),
                             reason="Correctie")

    assert render_attachment({"kind": "invoice_pdf", "id": invoice.pk})[0] == invoice_name
    assert render_attachment({"kind": "credit_note_pdf", "id": note.pk})[0] == note_name


def test_the_downloads_are_named_in_the_documents_language(client, person, edition):
    invoice = invoice_for(person, [edition], language="nl")
    note = issue_credit_note(invoice=invoice, net=Decimal("100.00"), vat=Decimal("0.00"),
                             reason="Correctie")
    client.force_login(person)

    invoice_response = client.get(reverse("invoice_pdf", args=[invoice.pk]))
    note_response = client.get(reverse("credit_note_pdf", args=[note.pk]))

    assert invoice_response["Content-Disposition"] == (
        'attachment; filename="factuur-2026-000001.pdf"')
    assert note_response["Content-Disposition"] == (
        'attachment; filename="creditnota-CN2026-000001.pdf"')


def test_an_english_invoice_states_the_exemption_in_english(person, edition):
    assert edition.vat_exemption_mention == DEFAULT_VAT_EXEMPTION  # the Dutch default
    invoice = invoice_for(person, [edition], language="en")
    note = issue_credit_note(invoice=invoice, net=Decimal("100.00"), vat=Decimal("0.00"),
                             reason="Correction")

    for text in (flat(pdf_text(render_invoice_pdf(invoice))),
                 flat(pdf_text(render_credit_note_pdf(note)))):
        assert ENGLISH_EXEMPTION in text
        assert "Vrijgesteld" not in text


def test_an_english_invoice_issued_with_the_dutch_mention_prints_it_in_english(person, edition):
    """Invoices issued before the fix hold the Dutch text; they never change, their PDF does."""
    invoice = invoice_for(person, [edition], language="en")
    invoice.vat_mention = DEFAULT_VAT_EXEMPTION  # as the old code stored it (never saved)

    assert invoice_context(invoice)["vat_mention"] == ENGLISH_EXEMPTION


def test_a_dutch_invoice_keeps_the_dutch_mention_and_a_custom_one_is_printed_as_written(
        person, organizer):
    dutch = invoice_for(person, [edition_of(organizer, code="A-1")], language="nl")
    custom = edition_of(organizer, code="B-1", vat_exemption_mention="Vrijgesteld (art. 44 §2 4°)")
    english = invoice_for(UserFactory(), [custom], language="en")

    assert DEFAULT_VAT_EXEMPTION in flat(pdf_text(render_invoice_pdf(dutch)))
    assert "Vrijgesteld (art. 44 §2 4°)" in flat(pdf_text(render_invoice_pdf(english)))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_footer_reads_in_one_piece(person, edition, language):
    invoice = invoice_for(person, [edition], language=language)
    note = issue_credit_note(invoice=invoice, net=Decimal("100.00"), vat=Decimal("0.00"),
                             reason="Correctie")

    for pdf in (render_invoice_pdf(invoice), render_credit_note_pdf(note)):
        lines = [line.strip() for line in pdf_text(pdf).splitlines() if line.strip()]
        assert any(line.startswith("Academy 20 · Sint-Pietersnieuwstraat") for line in lines), (
            lines[-3:])


def test_a_late_charge_line_is_not_subject_to_vat_rather_than_exempt(db):
    """The charge's mention says interest and fee are not subject to VAT; its lines said
    "vrijgesteld" (exempt), which is another VAT treatment."""
    invoice = overdue(Decimal("1000.00"))
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = charge_of(invoice)

    text = pdf_text(render_invoice_pdf(charge))

    assert "vrijgesteld" not in text.lower()
    assert text.count("niet onderworpen") == 2  # the interest and the fee
    assert "zij zijn niet aan btw onderworpen" in flat(text)
    assert render_attachment({"kind": "invoice_pdf", "id": charge.pk})[0] == (
        f"factuur-{charge.number}.pdf")


def test_the_credit_note_names_the_company_as_its_invoice_does(person, edition):
    """A company VIES calls inactive is invoiced under its enterprise number; its credit note
    gave the same number as a "VAT number"."""
    invoice = invoice_for(person, [edition], language="en", **{**COMPANY, "vat_check": "invalid"})
    note = issue_credit_note(invoice=invoice, net=Decimal("100.00"), vat=Decimal("0.00"),
                             reason="Correction")

    text = pdf_text(render_credit_note_pdf(note))

    assert "Enterprise number: 0403.170.701" in text
    assert "BE0403170701" not in text
