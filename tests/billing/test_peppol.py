"""Peppol BIS Billing 3.0 documents of company invoices and credit notes (rules.md §2).

Every generated document is validated against the OASIS UBL 2.1 schemas (vendored from a PyPI
wheel, see tests/billing/schemas/README.md), compared with the element order of the official BIS
examples in shared/samples/peppol, and checked against the BIS business rules that apply to them.
"""

import zipfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from lxml import etree

from billing.exports import company_credit_notes, company_invoices, write_zip
from billing.invoicing import issue_credit_note
from billing.peppol import PeppolError, credit_note_xml, endpoint, invoice_xml
from tests.factories import (
    CheckoutFactory,
    EditionFactory,
    InvoiceFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UBL = Path(__file__).parent / "schemas" / "ubl-2.1" / "maindoc"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "peppol"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
D = Decimal


@pytest.fixture(scope="module")
def schemas():
    return {name: etree.XMLSchema(etree.parse(str(UBL / f"UBL-{name}-2.1.xsd")))
            for name in ("Invoice", "CreditNote")}


def valid(schemas, xml: bytes):
    """The parsed document, after the UBL 2.1 schema of its root accepted it."""
    document = etree.fromstring(xml)
    schema = schemas[etree.QName(document).localname]
    if not schema.validate(document):
        pytest.fail(f"not valid UBL 2.1: {schema.error_log}")
    return document


def text(document, path):
    return document.findtext(path, namespaces=NS)


def amount(document, path):
    return D(text(document, path))


def company_invoice(*editions, discount="0.00", vat_number="BE0403170701", **buyer):
    user = UserFactory()
    checkout = CheckoutFactory(user=user, invoice_to="company", vat_number=vat_number)
    registrations = [
        RegistrationFactory(user=user, checkout=checkout, edition=edition,
                            discount=D(discount) if index == 0 else D("0.00"))
        for index, edition in enumerate(editions or [EditionFactory()])
    ]
    details = {"customer_kind": "company", "customer_name": "Acme NV",
               "customer_vat_number": vat_number, "customer_address": "Kouter 1\n9000 Gent",
               "vat_check": "verified", **buyer}
    return InvoiceFactory(registrations=registrations, **details)


def taxed_edition(fee="500.00"):
    return EditionFactory(vat_treatment="taxed", vat_rate_percent=D("21.00"), fee_amount=D(fee))


def test_a_buyer_without_vat_registration_has_its_enterprise_number_and_no_vat_id(schemas):
    invoice = company_invoice(vat_check="invalid")
    document = valid(schemas, invoice_xml(invoice))
    buyer = document.find("cac:AccountingCustomerParty/cac:Party", NS)
    endpoint = buyer.find("cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0208", "0403170701")
    assert buyer.find("cac:PartyTaxScheme", NS) is None
    assert document.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS) \
        is not None


def test_exempt_company_invoice_is_valid_ubl_with_the_belgian_identifiers(schemas):
    invoice = company_invoice()
    document = valid(schemas, invoice_xml(invoice))
    assert text(document, "cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    assert text(document, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(document, "cbc:ID") == invoice.number
    assert text(document, "cbc:InvoiceTypeCode") == "380"
    assert text(document, "cbc:DueDate") == invoice.due_date.isoformat()
    assert text(document, "cbc:BuyerReference") == str(invoice.checkout_id)
    buyer = document.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (buyer.get("schemeID"), buyer.text) == ("0208", "0403170701")
    seller = document.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert (seller.get("schemeID"), seller.text) == ("0208", "0248015142")
    assert text(document, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/"
                          "cbc:CompanyID") == "BE0248015142"
    assert text(document, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/"
                          "cbc:PostalZone") == "9000"
    assert text(document, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert text(document, "cac:PaymentMeans/cbc:PaymentID") == invoice.structured_communication
    assert text(document, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == (
        "BE68539007547034")
    category = document.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert text(category, "cbc:ID") == "E"
    assert text(category, "cbc:TaxExemptionReasonCode") == "VATEX-EU-132-1I"
    assert text(category, "cbc:TaxExemptionReason") == invoice.vat_mention  # BR-E-10
    assert amount(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == invoice.total


def test_taxed_invoice_with_a_discount_and_mixed_vat_adds_up(schemas):
    invoice = company_invoice(taxed_edition(), EditionFactory(), discount="50.00")
    document = valid(schemas, invoice_xml(invoice))
    subtotals = {text(sub, "cac:TaxCategory/cbc:ID"): (amount(sub, "cbc:TaxableAmount"),
                                                       amount(sub, "cbc:TaxAmount"))
                 for sub in document.findall("cac:TaxTotal/cac:TaxSubtotal", NS)}
    assert subtotals == {"S": (D("450.00"), D("94.50")), "E": (D("450.00"), D("0.00"))}
    assert text(document, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='S']/"
                          "cbc:Percent") == "21"
    # BR-CO-10/13/15: the lines make the net total, net + VAT the total.
    lines = [amount(line, "cbc:LineExtensionAmount")
             for line in document.findall("cac:InvoiceLine", NS)]
    totals = document.find("cac:LegalMonetaryTotal", NS)
    assert sum(lines) == amount(totals, "cbc:LineExtensionAmount") == invoice.net_total
    assert amount(totals, "cbc:TaxInclusiveAmount") == (
        amount(totals, "cbc:TaxExclusiveAmount") + amount(document, "cac:TaxTotal/cbc:TaxAmount"))
    # PEPPOL-EN16931-R046: net price = gross price - price discount.
    price = document.find("cac:InvoiceLine/cac:Price", NS)
    assert amount(price, "cbc:PriceAmount") == D("450.00")
    assert amount(price, "cac:AllowanceCharge/cbc:BaseAmount") - amount(
        price, "cac:AllowanceCharge/cbc:Amount") == D("450.00")


def test_credit_note_refers_to_its_invoice_and_is_valid(schemas):
    invoice = company_invoice(taxed_edition())
    note = issue_credit_note(invoice=invoice, net=D("100.00"), vat=D("21.00"),
                             reason="Cancelled 14 days before the start")
    document = valid(schemas, credit_note_xml(note))
    assert etree.QName(document).localname == "CreditNote"
    assert text(document, "cbc:CreditNoteTypeCode") == "381"
    assert text(document, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == (
        invoice.number)
    assert text(document, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "S"
    assert amount(document, "cac:TaxTotal/cbc:TaxAmount") == D("21.00")
    assert amount(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == D("121.00")
    assert amount(document, "cac:CreditNoteLine/cbc:LineExtensionAmount") == D("100.00")


def test_credit_note_on_an_exempt_invoice_is_exempt(schemas):
    note = issue_credit_note(invoice=company_invoice(), net=D("450.00"), vat=D("0.00"),
                             reason="Edition cancelled")
    document = valid(schemas, credit_note_xml(note))
    assert text(document, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
                          "cbc:TaxExemptionReasonCode") == "VATEX-EU-132-1I"


def test_the_schema_check_is_not_vacuous(schemas):
    document = etree.fromstring(invoice_xml(company_invoice()))
    document.remove(document.find("cbc:IssueDate", NS))
    assert not schemas["Invoice"].validate(document)


def _orders(element):
    """Local names of the children, consecutive repeats once."""
    names = []
    for child in element:
        if isinstance(child.tag, str) and (not names or names[-1] != etree.QName(child).localname):
            names.append(etree.QName(child).localname)
    return names


def _sample(name):
    return etree.parse(str(SAMPLES / name)).getroot()


def _same_order(ours, sample, path):
    mine, theirs = ours.find(path, NS), sample.find(path, NS)
    mine_names, their_names = _orders(mine), _orders(theirs)
    common = set(mine_names) & set(their_names)
    assert [n for n in mine_names if n in common] == [n for n in their_names if n in common], path


@pytest.mark.parametrize("path", [
    ".", "cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party",
    "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress", "cac:PaymentMeans",
    "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", "cac:LegalMonetaryTotal", "cac:InvoiceLine",
    "cac:InvoiceLine/cac:Item",
])
def test_invoice_follows_the_order_of_the_bis_examples(path):
    ours = etree.fromstring(invoice_xml(company_invoice()))
    # vat-category-E.xml has no PaymentID: the order of PaymentMeans comes from the other example.
    name = "base-creditnote-correction.xml" if path == "cac:PaymentMeans" else "vat-category-E.xml"
    _same_order(ours, _sample(name), path)


@pytest.mark.parametrize("path", [
    ".", "cac:BillingReference/cac:InvoiceDocumentReference",
    "cac:AccountingSupplierParty/cac:Party", "cac:LegalMonetaryTotal", "cac:CreditNoteLine",
    "cac:CreditNoteLine/cac:Item",
])
def test_credit_note_follows_the_order_of_the_bis_example(path):
    note = issue_credit_note(invoice=company_invoice(), net=D("10.00"), vat=D("0.00"),
                             reason="Goodwill")
    ours = etree.fromstring(credit_note_xml(note))
    _same_order(ours, _sample("base-creditnote-correction.xml"), path)


def test_private_persons_have_no_peppol_document():
    with pytest.raises(PeppolError):
        invoice_xml(InvoiceFactory())


@pytest.mark.parametrize(("vat", "expected"), [
    ("BE 0403.170.701", ("0208", "0403170701")), ("0403170701", ("0208", "0403170701")),
    ("NL859048139B01", ("9944", "NL859048139B01")),
])
def test_endpoints(vat, expected):
    assert endpoint(vat) == expected


@pytest.mark.parametrize("vat", ["US123456789", "BE0403170702", "BE403170701"])
def test_unknown_schemes_and_wrong_check_digits_are_refused(vat):
    with pytest.raises(PeppolError):
        endpoint(vat)


def test_period_zip_holds_the_company_documents_only(schemas):
    invoice = company_invoice()
    InvoiceFactory()  # a person: no Peppol document
    organizer = invoice.organizer
    note = issue_credit_note(invoice=invoice, net=D("50.00"), vat=D("0.00"), reason="Discount")
    day = invoice.issue_date
    archive = BytesIO()
    count = write_zip(company_invoices(organizer, day, day),
                      company_credit_notes(organizer, day, day), archive)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        for name in names:
            valid(schemas, opened.read(name))
    assert count == 2
    assert names == [f"invoice-{invoice.number}.xml", f"credit-note-{note.number}.xml"]


def test_a_document_that_cannot_be_peppol_is_listed_in_errors_txt_not_a_broken_zip(schemas):
    belgian = company_invoice()
    spanish = company_invoice(EditionFactory(course=belgian.lines.get().registration.edition
                                             .course), vat_number="ESA12345674")
    day = belgian.issue_date
    archive = BytesIO()
    with translation.override("en"):  # finance's language
        count = write_zip(company_invoices(belgian.organizer, day, day), [], archive)
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == [f"invoice-{belgian.number}.xml", "errors.txt"]
        valid(schemas, opened.read(f"invoice-{belgian.number}.xml"))
        errors = opened.read("errors.txt").decode("utf-8")
    assert count == 1
    assert errors.startswith("These documents could not be written as Peppol documents:")
    assert f"{spanish.number}: no Peppol address scheme" in errors


def test_finance_downloads_one_document(client, finance_user, schemas):
    invoice = company_invoice()
    client.force_login(finance_user)
    response = client.get(reverse("admin:billing_peppol_invoice", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.xml"'
    valid(schemas, response.content)
    person = InvoiceFactory(registrations=[RegistrationFactory(
        edition=EditionFactory(course=invoice.lines.get().registration.edition.course))])
    # No document for a person: said on the invoice's page (test_finance_documents_admin.py).
    refused = client.get(reverse("admin:billing_peppol_invoice", args=[person.pk]))
    assert refused.status_code == 302 and b"<Invoice" not in refused.content


@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member", "participant"])
def test_others_cannot_download_peppol(client, role, request):
    invoice = company_invoice()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:billing_peppol_invoice", args=[invoice.pk]))
    assert response.status_code in (302, 403)
    assert b"<Invoice" not in response.content


def test_finance_downloads_the_period_zip(client, finance_user, schemas):
    invoice = company_invoice()
    day = invoice.issue_date.isoformat()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_refund_exports"), {
        "organizer": invoice.organizer_id, "start": day, "end": day, "kind": "invoices",
        "format": "peppol"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(BytesIO(b"".join(response.streaming_content))) as opened:
        assert opened.namelist() == [f"invoice-{invoice.number}.xml"]
        valid(schemas, opened.read(opened.namelist()[0]))


def test_the_zip_reads_documents_with_a_fixed_number_of_queries():
    first = company_invoice()
    organizer, day = first.organizer, first.issue_date

    def queries():
        with CaptureQueriesContext(connection) as captured:
            write_zip(company_invoices(organizer, day, day), [], BytesIO())
        return len(captured)

    with_one = queries()
    edition = first.lines.get().registration.edition
    for _ in range(5):
        company_invoice(EditionFactory(course=edition.course))
    assert queries() == with_one


def test_a_late_charge_is_not_subject_to_vat_and_carries_no_vat_identifiers(schemas):
    """Late interest and the flat fee (seed 2 art. 4.7) compensate late payment: category O,
    no rate, reason code VATEX-EU-O, no VAT identifier of either party (BR-O-02/05/10)."""
    from billing.latepayment import run_late_payment_job
    from billing.models import Invoice
    from tests.billing.test_dunning import CHARGED, REMINDED, overdue

    invoice = overdue(customer_kind="company", customer_name="Acme NV",
                      customer_vat_number="BE0403170701", customer_address="Kouter 1\n9000 Gent",
                      vat_check="verified")
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)
    charge = Invoice.objects.get(charged_for=invoice)
    note = issue_credit_note(invoice=charge, net=charge.total, vat=Decimal("0.00"),
                             reason="Paid in time")

    for document in (valid(schemas, invoice_xml(charge)), valid(schemas, credit_note_xml(note))):
        assert document.findall(".//cac:PartyTaxScheme", NS) == []
        categories = (document.findall(".//cac:TaxCategory", NS)
                      + document.findall(".//cac:ClassifiedTaxCategory", NS))
        assert categories and {text(c, "cbc:ID") for c in categories} == {"O"}
        assert all(c.find("cbc:Percent", NS) is None for c in categories)
        total_category = document.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
        assert text(total_category, "cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
        assert text(total_category, "cbc:TaxExemptionReason") == charge.vat_mention
        assert amount(document, "cac:TaxTotal/cbc:TaxAmount") == Decimal("0.00")
    # The invoice it charges for stays exempt (E) with both parties' VAT identifiers.
    document = valid(schemas, invoice_xml(invoice))
    assert len(document.findall(".//cac:PartyTaxScheme", NS)) == 2
