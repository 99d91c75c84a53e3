"""Invoices and credit notes of company customers as Peppol BIS Billing 3.0 UBL 2.1 XML.

Rules.md §2: for company customers the invoice also exists as a Peppol BIS Billing 3.0 UBL file,
the buyer identified as ``0208:<enterprise number>``. The documents follow the element order of
the UBL 2.1 schemas and of the BIS examples (``vat-category-E.xml``,
``base-creditnote-correction.xml``); the choices the BIS leaves open:

* Electronic addresses (BT-34, BT-49): a Belgian party is ``schemeID="0208"`` (EAS code of the
  Belgian Crossroads Bank for Enterprises) with its 10-digit enterprise number, without ``BE``; a
  company elsewhere is addressed by its VAT number under its country's EAS VAT scheme (NL 9944,
  DE 9930, FR 9957, LU 9938); other countries are refused (`PeppolError`).
* Buyer reference (BT-10, required when there is no order reference, PEPPOL-EN16931-R003): the
  checkout the invoice came from, or ``n/a``.
* Payment (BG-16): means code 30 (credit transfer), the organizer's IBAN and BIC, and as payment
  identifier (BT-83) the Belgian structured communication as printed, ``+++123/4567/89012+++``.
  The BIS puts no format on BT-83; Belgian receivers' software recognises this notation.
* VAT: a line at 0 % is category E (exempt) with the invoice's legal mention as reason text
  (BT-120) and code VATEX-EU-132-1I (BT-121: Directive 2006/112/EC art. 132(1)(i), education and
  vocational training, which art. 44 §2 4° of the Belgian VAT code transposes); a taxed line is
  category S at its rate. A credit note has no lines of its own: its VAT is put on the S rate of
  the invoice, any remainder of its net amount on E. A late-payment charge (interest and flat
  fee, seed 2 art. 4.7) is compensation, not a supply: category O (not subject to VAT), without
  a rate, with reason code VATEX-EU-O and the charge's own mention, and without the parties' VAT
  identifiers (BR-O-02, BR-O-05, BR-O-10); its credit notes likewise.
* Amounts are the issued document's own (net, VAT, total), so the XML always agrees with the PDF.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from courses.models import DEFAULT_VAT_EXEMPTION

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ENTERPRISE_SCHEME = "0208"
VAT_SCHEMES = {"NL": "9944", "DE": "9930", "FR": "9957", "LU": "9938"}
EXEMPTION_CODE = "VATEX-EU-132-1I"
NOT_SUBJECT_CODE = "VATEX-EU-O"
CURRENCY = "EUR"
UNIT = "EA"
CENT = Decimal("0.01")
_POSTAL_LINE = re.compile(r"(?:[A-Z]{1,2}-)?(\d{4} ?[A-Z]{2}(?= )|\d{4,5})\s+(.+)")  # 9000, 1012 AB


class PeppolError(ValueError):
    """The document cannot be a Peppol document (a private person, an unknown country...)."""


def _el(parent, ns, tag, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attributes)
    if text is not None:
        element.text = str(text)
    return element


def _amount(parent, name, value):
    return _el(parent, CBC, name, f"{Decimal(value).quantize(CENT)}", currencyID=CURRENCY)


def _percent(rate: Decimal) -> str:
    return format(Decimal(rate).normalize(), "f")


def vat_number(value: str) -> str:
    """The VAT number compact with its country prefix; a bare Belgian enterprise number
    (``0403.170.701``) gets ``BE`` (BR-CO-9: a VAT identifier starts with its country)."""
    compact = re.sub(r"[\s.]", "", value or "").upper()
    return "BE" + compact if re.fullmatch(r"[01]\d{9}", compact) else compact


def enterprise_number(value: str) -> str:
    """``BE0403170701`` (or ``BE 0403.170.701``) → ``0403170701``: 10 digits whose last two are
    97 minus the first eight modulo 97."""
    digits = vat_number(value).removeprefix("BE")
    if not re.fullmatch(r"[01]\d{9}", digits) or 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise PeppolError(_("not a Belgian enterprise number: %(value)s") % {"value": value})
    return digits


def endpoint(value: str) -> tuple[str, str]:
    """The Peppol electronic address (EAS scheme, identifier) of a company by its VAT number."""
    compact = vat_number(value)
    country = compact[:2]
    if country == "BE":
        return ENTERPRISE_SCHEME, enterprise_number(compact)
    if country in VAT_SCHEMES:
        return VAT_SCHEMES[country], compact
    raise PeppolError(_("no Peppol address scheme for the VAT number %(value)s")
                      % {"value": value})


def _address(parent, text: str, country: str):
    """A postal address from the printed lines: street, further lines, "postal code city"."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if lines and re.fullmatch(r"[A-Z]{2}", lines[-1]):
        country = lines.pop()
    postal = city = None
    for index in range(len(lines) - 1, -1, -1):
        match = _POSTAL_LINE.fullmatch(lines[index])
        if match:
            postal, city = match.groups()
            lines.pop(index)
            break
    address = _el(parent, CAC, "PostalAddress")
    if lines:
        _el(address, CBC, "StreetName", lines[0])
    if len(lines) > 1:
        _el(address, CBC, "AdditionalStreetName", ", ".join(lines[1:]))
    if city:
        _el(address, CBC, "CityName", city)
        _el(address, CBC, "PostalZone", postal)
    _el(_el(address, CAC, "Country"), CBC, "IdentificationCode", country)


def _party(parent, role, *, name, address, vat, vat_registered=True):
    party = _el(_el(parent, CAC, role), CAC, "Party")
    scheme, identifier = endpoint(vat)
    _el(party, CBC, "EndpointID", identifier, schemeID=scheme)
    _el(_el(party, CAC, "PartyName"), CBC, "Name", name)
    vat = vat_number(vat)
    _address(party, address, vat[:2])
    if vat_registered:  # a buyer without VAT registration has no VAT identifier (BT-48)
        tax_scheme = _el(party, CAC, "PartyTaxScheme")
        _el(tax_scheme, CBC, "CompanyID", vat)
        _el(_el(tax_scheme, CAC, "TaxScheme"), CBC, "ID", "VAT")
    legal = _el(party, CAC, "PartyLegalEntity")
    _el(legal, CBC, "RegistrationName", name)
    if scheme == ENTERPRISE_SCHEME:
        _el(legal, CBC, "CompanyID", identifier, schemeID=ENTERPRISE_SCHEME)


def _parties(root, invoice):
    if invoice.customer_kind != "company" or not invoice.customer_vat_number:
        raise PeppolError(_("%(number)s: Peppol documents are for company customers only")
                          % {"number": invoice.number})
    vat_ids = not _not_subject(invoice)  # BR-O-02: no VAT identifiers outside the scope of VAT
    _party(root, "AccountingSupplierParty", name=invoice.seller_name,
           address=invoice.seller_address, vat=invoice.seller_vat_number, vat_registered=vat_ids)
    _party(root, "AccountingCustomerParty", name=invoice.customer_name,
           address=invoice.customer_address, vat=invoice.customer_vat_number,
           vat_registered=vat_ids and invoice.vat_check != "invalid")


def _not_subject(invoice) -> bool:
    """A late-payment charge: compensation for late payment, outside the scope of VAT."""
    return invoice.kind == "late_charge"


def _tax_category(parent, element, category, rate, mention=None):
    tax = _el(parent, CAC, element)
    _el(tax, CBC, "ID", category)
    if category != "O":  # BR-O-05/BR-O-11: not subject to VAT has no rate
        _el(tax, CBC, "Percent", _percent(rate))
    if mention is not None:
        code = NOT_SUBJECT_CODE if category == "O" else EXEMPTION_CODE
        _el(tax, CBC, "TaxExemptionReasonCode", code)
        _el(tax, CBC, "TaxExemptionReason", mention)
    _el(_el(tax, CAC, "TaxScheme"), CBC, "ID", "VAT")


def _category(rate: Decimal) -> str:
    return "S" if rate > 0 else "E"


def _totals(root, breakdown, mention, net, vat, total):
    """TaxTotal with one subtotal per (category, rate), then LegalMonetaryTotal (BR-CO-15)."""
    tax_total = _el(root, CAC, "TaxTotal")
    _amount(tax_total, "TaxAmount", vat)
    for (category, rate), (taxable, tax) in sorted(breakdown.items()):
        subtotal = _el(tax_total, CAC, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", taxable)
        _amount(subtotal, "TaxAmount", tax)
        _tax_category(subtotal, "TaxCategory", category, rate,
                      mention if category in ("E", "O") else None)
    money = _el(root, CAC, "LegalMonetaryTotal")
    _amount(money, "LineExtensionAmount", net)
    _amount(money, "TaxExclusiveAmount", net)
    _amount(money, "TaxInclusiveAmount", total)
    _amount(money, "PayableAmount", total)


def _line(root, element, quantity_name, number, *, name, net, rate, gross=None, discount=None,
          category=None):
    line = _el(root, CAC, element)
    _el(line, CBC, "ID", number)
    _el(line, CBC, quantity_name, "1", unitCode=UNIT)
    _amount(line, "LineExtensionAmount", net)
    item = _el(line, CAC, "Item")
    _el(item, CBC, "Name", name)
    _tax_category(item, "ClassifiedTaxCategory", category or _category(rate), rate)
    price = _el(line, CAC, "Price")
    _amount(price, "PriceAmount", net)
    if discount:  # BT-147/148: the net price is the gross price less the discount (R046)
        allowance = _el(price, CAC, "AllowanceCharge")
        _el(allowance, CBC, "ChargeIndicator", "false")
        _amount(allowance, "Amount", discount)
        _amount(allowance, "BaseAmount", gross)


def _root(namespace, tag, document_number, issue_date):
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace, "cac": CAC, "cbc": CBC})
    _el(root, CBC, "CustomizationID", CUSTOMIZATION_ID)
    _el(root, CBC, "ProfileID", PROFILE_ID)
    _el(root, CBC, "ID", document_number)
    _el(root, CBC, "IssueDate", issue_date.isoformat())
    return root


def _buyer_reference(invoice) -> str:
    return str(invoice.checkout_id) if invoice.checkout_id else "n/a"


def _mention(invoice) -> str:
    return invoice.vat_mention or DEFAULT_VAT_EXEMPTION


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def invoice_xml(invoice) -> bytes:
    """The UBL 2.1 Invoice (type 380) of an issued invoice of a company customer."""
    lines = list(invoice.lines.all())
    root = _root(INVOICE_NS, "Invoice", invoice.number, invoice.issue_date)
    _el(root, CBC, "DueDate", invoice.due_date.isoformat())
    _el(root, CBC, "InvoiceTypeCode", "380")
    _el(root, CBC, "DocumentCurrencyCode", CURRENCY)
    _el(root, CBC, "BuyerReference", _buyer_reference(invoice))
    _parties(root, invoice)
    means = _el(root, CAC, "PaymentMeans")
    _el(means, CBC, "PaymentMeansCode", "30", name="Credit transfer")
    _el(means, CBC, "PaymentID", invoice.structured_communication)
    account = _el(means, CAC, "PayeeFinancialAccount")
    _el(account, CBC, "ID", invoice.seller_iban.replace(" ", "").upper())
    _el(account, CBC, "Name", invoice.seller_name)
    _el(_el(account, CAC, "FinancialInstitutionBranch"), CBC, "ID", invoice.seller_bic)
    instalments = list(invoice.instalments.all())
    if instalments:
        terms = "; ".join(f"{part.number}: {part.amount} EUR by {part.due_date.isoformat()} "
                          f"({part.structured_communication})" for part in instalments)
        _el(_el(root, CAC, "PaymentTerms"), CBC, "Note", f"Instalments {terms}")
    breakdown = {}
    category = "O" if _not_subject(invoice) else None
    for line in lines:
        key = (category or _category(line.vat_rate_percent), line.vat_rate_percent)
        taxable, tax = breakdown.get(key, (Decimal(0), Decimal(0)))
        breakdown[key] = (taxable + line.net, tax + line.vat)
    _totals(root, breakdown, _mention(invoice), invoice.net_total, invoice.vat_total,
            invoice.total)
    for number, line in enumerate(lines, start=1):
        _line(root, "InvoiceLine", "InvoicedQuantity", number, name=line.description,
              net=line.net, rate=line.vat_rate_percent, gross=line.amount,
              discount=line.discount, category=category)
    return _serialise(root)


def _credit_breakdown(credit_note, invoice_lines):
    """{(category, rate): (taxable, tax)}: the VAT on the invoice's S rate, the rest exempt."""
    rates = sorted({line.vat_rate_percent for line in invoice_lines if line.vat_rate_percent > 0})
    net, vat = credit_note.net_total, credit_note.vat_total
    if _not_subject(credit_note.invoice):
        return {("O", Decimal(0)): (net, Decimal(0))}
    if vat <= 0:
        return {("E", Decimal(0)): (net, Decimal(0))}
    if not rates:
        raise PeppolError(_("%(number)s: VAT credited on an invoice without VAT")
                          % {"number": credit_note.number})
    rate = rates[-1]  # one taxed rate in practice (21 %); with several, the highest
    taxable = min(net, (vat * 100 / rate).quantize(CENT))
    breakdown = {("S", rate): (taxable, vat)}
    if net > taxable:
        breakdown[("E", Decimal(0))] = (net - taxable, Decimal(0))
    return breakdown


def credit_note_xml(credit_note) -> bytes:
    """The UBL 2.1 CreditNote (type 381) of a credit note on a company customer's invoice,
    referring to that invoice (BG-3 BillingReference)."""
    invoice = credit_note.invoice
    root = _root(CREDIT_NOTE_NS, "CreditNote", credit_note.number, credit_note.issue_date)
    _el(root, CBC, "CreditNoteTypeCode", "381")
    _el(root, CBC, "Note", credit_note.reason)
    _el(root, CBC, "DocumentCurrencyCode", CURRENCY)
    _el(root, CBC, "BuyerReference", _buyer_reference(invoice))
    reference = _el(_el(root, CAC, "BillingReference"), CAC, "InvoiceDocumentReference")
    _el(reference, CBC, "ID", invoice.number)
    _el(reference, CBC, "IssueDate", invoice.issue_date.isoformat())
    _parties(root, invoice)
    _el(_el(root, CAC, "PaymentTerms"), CBC, "Note",
        f"Credit on invoice {invoice.number}: refunded or set off against it.")
    breakdown = _credit_breakdown(credit_note, list(invoice.lines.all()))
    _totals(root, breakdown, _mention(invoice), credit_note.net_total, credit_note.vat_total,
            credit_note.total)
    for number, ((category, rate), (taxable, _tax)) in enumerate(sorted(breakdown.items()), 1):
        _line(root, "CreditNoteLine", "CreditedQuantity", number,
              name=f"{credit_note.reason} ({invoice.number})", net=taxable, rate=rate,
              category=category)
    return _serialise(root)
