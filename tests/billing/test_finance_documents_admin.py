"""Finance opens the documents it issues from the admin: the invoice and credit-note PDFs and
the Peppol document, linked from their pages; a document that cannot be Peppol is said in words
on the invoice's page. The finance dashboard is finance's: course administrators, who read
invoices for late registrations, do not see it."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from billing.invoicing import issue_credit_note
from tests.factories import (
    CheckoutFactory,
    EditionFactory,
    InvoiceFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def company_invoice():
    user = UserFactory()
    checkout = CheckoutFactory(user=user, invoice_to="company", vat_number="BE0403170701")
    registration = RegistrationFactory(user=user, checkout=checkout, edition=EditionFactory())
    return InvoiceFactory(registrations=[registration], customer_kind="company",
                          customer_name="Acme NV", customer_vat_number="BE0403170701",
                          customer_address="Kouter 1\n9000 Gent", vat_check="verified")


def test_finance_downloads_the_invoice_and_credit_note_pdfs_from_their_pages(
    client, finance_user
):
    invoice = InvoiceFactory()
    note = issue_credit_note(invoice=invoice, net=D("10.00"), vat=D("0.00"), reason="Korting")
    client.force_login(finance_user)

    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    pdf_url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])
    assert pdf_url in page.content.decode()
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Named in the document's language (the factory's invoices are Dutch).
    assert invoice.language == "nl"
    assert f"factuur-{invoice.number}.pdf" in response["Content-Disposition"]

    page = client.get(reverse("admin:billing_creditnote_change", args=[note.pk]))
    note_url = reverse("admin:billing_creditnote_pdf", args=[note.pk])
    assert note_url in page.content.decode()
    response = client.get(note_url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"creditnota-{note.number}.pdf" in response["Content-Disposition"]


def test_the_invoice_page_shows_what_is_open_and_its_credit_notes(client, finance_user):
    invoice = InvoiceFactory()
    note = issue_credit_note(invoice=invoice, net=D("10.00"), vat=D("0.00"), reason="Korting")
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert note.number in page and "Korting" in page
    open_amount = f"{invoice.total - D('10.00'):.2f}"
    assert open_amount in page or open_amount.replace(".", ",") in page


def test_the_peppol_link_is_offered_for_company_invoices_only(client, finance_user):
    company, person = company_invoice(), InvoiceFactory()
    client.force_login(finance_user)
    peppol = reverse("admin:billing_peppol_invoice", args=[company.pk])
    assert peppol in client.get(
        reverse("admin:billing_invoice_change", args=[company.pk])).content.decode()
    assert reverse("admin:billing_peppol_invoice", args=[person.pk]) not in client.get(
        reverse("admin:billing_invoice_change", args=[person.pk])).content.decode()


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Peppol documents are for company customers only"),
    ("nl", "Peppol-documenten bestaan enkel voor bedrijven"),
])
def test_a_document_that_cannot_be_peppol_is_said_in_words_not_a_bare_404(
    client, finance_user, language, words
):
    person = InvoiceFactory()
    client.force_login(finance_user)
    response = client.get(reverse("admin:billing_peppol_invoice", args=[person.pk]),
                          HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:billing_invoice_change",
                                                     args=[person.pk])
    assert words in response.content.decode()


@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member"])
def test_only_finance_downloads_the_pdfs(client, role, request):
    invoice = InvoiceFactory()
    note = issue_credit_note(invoice=invoice, net=D("10.00"), vat=D("0.00"), reason="x")
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("admin:billing_invoice_pdf", args=[invoice.pk]),
                reverse("admin:billing_creditnote_pdf", args=[note.pk])):
        response = client.get(url)
        assert response.status_code == 403 and not response.content.startswith(b"%PDF")


def test_course_administrators_do_not_see_the_finance_dashboard(client, course_admin):
    InvoiceFactory()
    client.force_login(course_admin)
    assert client.get(reverse("admin:billing_finance_dashboard")).status_code == 403
    listing = client.get(reverse("admin:billing_invoice_changelist"))
    assert listing.status_code == 200  # they read invoices for late registrations
    assert reverse("admin:billing_finance_dashboard") not in listing.content.decode()


# Stored for the machine, never a label finance reads on a page (the admin shows the message
# and error in the reader's language through their codes).
INTERNAL = {"id", "xml", "sha256", "error", "error_code", "error_params", "dedup_key",
            "message", "message_code", "message_params"}


def test_every_billing_field_finance_reads_has_a_translatable_label():
    """Labels without one showed in English on the Dutch pages ("Seller name", "Customer
    kind", filters "Op year", "Op vat check")."""
    from django.apps import apps
    from django.utils.functional import Promise

    unlabelled = [f"{model.__name__}.{field.name}"
                  for model in apps.get_app_config("billing").get_models()
                  for field in model._meta.concrete_fields
                  if field.name not in INTERNAL and not isinstance(field.verbose_name, Promise)]
    assert unlabelled == []


def test_the_invoice_page_and_filters_read_in_dutch(client, finance_user):
    invoice = company_invoice()
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]),
                      HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for words in ("Soort klant", "Adres van de verkoper", "VIES-controle", "Volgnummer",
                  "Factuur (PDF)", "Peppol UBL (xml)"):
        assert words in page
    for english in ("Seller name", "Customer kind", "Vat check", "Sequence"):
        assert english not in page
    listing = client.get(reverse("admin:billing_invoice_changelist"),
                         HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Op jaar" in listing and "Op soort klant" in listing and "Op year" not in listing
