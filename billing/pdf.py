"""The PDF documents: invoice and credit note (rules.md §2); certificates are in certificates.pdf.

WeasyPrint renders a Django template to PDF in the document's language (`translation.override`):
the invoice's own language. Fonts are the
system's (DejaVu, through fontconfig); nothing is fetched over the network: the URL fetcher
serves ``data:`` URIs and files under the project's static directory and refuses the rest.
Each document is read with a fixed number of queries, whatever its number of lines.
"""

import logging
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation

from billing.epc import epc_payload, epc_qr_svg
from billing.models import CreditNote, Invoice, InvoiceLine
from billing.vat import exemption_mention
from courses.models import Edition
from courses.templatetags.portal_format import format_iban
from portal.document_names import document_filename

logger = logging.getLogger(__name__)

PDF_MIMETYPE = "application/pdf"


@cache
def static_dirs() -> tuple[Path, ...]:
    """The project's static directories (STATICFILES_DIRS): the only files a PDF may load."""
    dirs = (
        entry[1] if isinstance(entry, list | tuple) else entry
        for entry in settings.STATICFILES_DIRS
    )
    return tuple(Path(directory).resolve() for directory in dirs)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher  # imported on first use: app start-up stays light

    class LocalOnlyFetcher(URLFetcher):
        """``data:`` and ``file://`` under `roots`; anything else (http, https, ftp, other
        files) is refused before a connection is opened, and logged."""

        def __init__(self, roots):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.roots = roots

        def fetch(self, url, headers=None):
            if self.allows(url):
                return super().fetch(url, headers)
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise ValueError(f"PDF documents load no external resources: {url[:200]}")

        def allows(self, url: str) -> bool:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return True
            if scheme != "file" or parts.netloc not in ("", "localhost"):
                return False
            path = Path(url2pathname(parts.path)).resolve()
            return any(path.is_relative_to(root) for root in self.roots)

    return LocalOnlyFetcher


def url_fetcher():
    """A fetcher that never touches the network (see the module docstring)."""
    return _fetcher_class()(static_dirs())


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document; relative URLs resolve against the first static directory
    (so ``<link href="css/pdf.css">`` finds static/css/pdf.css)."""
    from weasyprint import HTML  # imported on first use: app start-up stays light

    base_url = static_dirs()[0].as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, language: str) -> bytes:
    """Render `template_name` with `context` in `language` and return the PDF bytes."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    return html_to_pdf(html)


def one_line(address: str) -> str:
    """A multi-line address on one line, for a footer."""
    return ", ".join(part.strip() for part in address.splitlines() if part.strip())


# Invoices -----------------------------------------------------------------------------------


def amount_to_transfer(invoice: Invoice) -> Decimal:
    """What the customer pays by transfer with the structured communication (rules.md §2).

    The invoice total; with the KMO-portefeuille only the VAT, because the wallet pays the
    invoice amount excluding VAT itself (quoting the invoice number) and the company pays the VAT
    directly. Zero when there is nothing to transfer (then there is no QR code).
    """
    return invoice.vat_total if invoice.kmo_portefeuille else invoice.total


def instalments_to_transfer(invoice: Invoice) -> list:
    """The invoice's instalments in order, each transferred by its own due date with its own
    structured communication (what the checkout promises); none when the invoice is paid in one
    transfer, or with the KMO-portefeuille (then only the VAT is transferred, in one go).
    Reads ``invoice.instalments`` (prefetch it for a fixed number of queries)."""
    if invoice.kmo_portefeuille:
        return []
    return sorted(invoice.instalments.all(), key=lambda instalment: instalment.number)


def epc_qr_for(invoice: Invoice, amount: Decimal, communication: str | None = None) -> str | None:
    """The EPC QR code (data URI) for `amount`, or None when there is nothing to pay by transfer
    or the organizer's bank details do not make a valid payload (logged: the invoice itself still
    shows IBAN, BIC and structured communication). `communication`: an instalment's; by default
    the invoice's."""
    if amount < Decimal("0.01"):
        return None
    try:
        payload = epc_payload(
            bic=invoice.seller_bic,
            name=invoice.seller_name,
            iban=invoice.seller_iban,
            amount=amount,
            structured_reference=communication or invoice.structured_communication,
        )
    except ValueError:
        logger.exception("Invoice %s: no EPC QR code", invoice.number)
        return None
    return epc_qr_svg(payload)


def _invoice_with_lines(pk: int) -> Invoice:
    """The invoice, its organizer and participant, its lines with their editions and its
    instalments: 3 queries."""
    lines = InvoiceLine.objects.select_related("registration__edition").order_by("pk")
    return (
        Invoice.objects.select_related("organizer", "user")
        .prefetch_related(Prefetch("lines", queryset=lines), "instalments")
        .get(pk=pk)
    )


def _line_is_exempt(line: InvoiceLine, invoice: Invoice) -> bool:
    if line.registration is not None:
        return line.registration.edition.vat_treatment == Edition.VatTreatment.EXEMPT
    return not line.vat_rate_percent and bool(invoice.vat_mention)


def invoice_context(invoice: Invoice) -> dict:
    amount = amount_to_transfer(invoice)
    # A late-payment charge's interest and fee are outside the scope of VAT (its mention says
    # so), not exempt: its lines say "not subject", not "exempt".
    outside_scope = invoice.kind == Invoice.Kind.LATE_CHARGE
    lines = [
        {"line": line, "exempt": _line_is_exempt(line, invoice), "outside_scope": outside_scope}
        for line in invoice.lines.all()
    ]
    rates = sorted({row["line"].vat_rate_percent for row in lines if not row["exempt"]})
    # In instalments each part has its own QR code: each is a transfer of its own.
    instalments = [
        {"instalment": instalment,
         "qr": epc_qr_for(invoice, instalment.amount, instalment.structured_communication)}
        for instalment in instalments_to_transfer(invoice)
    ]
    return {
        "invoice": invoice,
        "organizer": invoice.organizer,
        "seller_address_line": one_line(invoice.seller_address),
        "seller_iban": format_iban(invoice.seller_iban),  # groups of four, as on paper
        "vat_mention": exemption_mention(invoice.vat_mention, invoice.language),
        "lines": lines,
        "vat_rates": rates,
        "amount_to_transfer": amount,
        "instalments": instalments,
        "qr": None if instalments else epc_qr_for(invoice, amount),
    }


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as issued, in its own language (rules.md §2; EPC069-12 QR code)."""
    invoice = _invoice_with_lines(invoice.pk)
    return render_pdf("billing/invoice_pdf.html", invoice_context(invoice), invoice.language)


def invoice_filename(invoice: Invoice) -> str:
    """``factuur-2026-000001.pdf`` or ``invoice-2026-000001.pdf``: in the invoice's language,
    like the document itself."""
    return document_filename("invoice", invoice.number, invoice.language)


def credit_note_filename(credit_note: CreditNote) -> str:
    """In the language of the invoice it corrects, like the document itself."""
    return document_filename("credit_note", credit_note.number, credit_note.invoice.language)


def invoice_attachment(invoice_id: int) -> tuple[str, bytes, str]:
    """The outbox renderer of kind ``invoice_pdf``: (filename, PDF bytes, mimetype)."""
    invoice = _invoice_with_lines(invoice_id)
    pdf = render_pdf("billing/invoice_pdf.html", invoice_context(invoice), invoice.language)
    return invoice_filename(invoice), pdf, PDF_MIMETYPE


# Credit notes -------------------------------------------------------------------------------


def render_credit_note_pdf(credit_note: CreditNote) -> bytes:
    """A credit note against an invoice, in the invoice's language (rules.md §2, §4)."""
    credit_note = CreditNote.objects.select_related("invoice", "organizer").get(pk=credit_note.pk)
    return render_pdf("billing/credit_note_pdf.html", credit_note_context(credit_note),
                      credit_note.invoice.language)


def credit_note_context(credit_note: CreditNote) -> dict:
    """The template's context; reads ``invoice`` and ``organizer`` (select them with it)."""
    invoice = credit_note.invoice
    return {
        "credit_note": credit_note,
        "invoice": invoice,
        "organizer": credit_note.organizer,
        "seller_address_line": one_line(invoice.seller_address),
        "vat_mention": exemption_mention(invoice.vat_mention, invoice.language),
    }


def credit_note_attachment(credit_note_id: int) -> tuple[str, bytes, str]:
    """The outbox renderer of kind ``credit_note_pdf``."""
    credit_note = CreditNote.objects.select_related("invoice").get(pk=credit_note_id)
    return credit_note_filename(credit_note), render_credit_note_pdf(credit_note), PDF_MIMETYPE
