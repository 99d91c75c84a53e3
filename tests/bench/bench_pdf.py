"""Invoice PDF render time as a ratio to a bare one-line WeasyPrint page.

    .venv/bin/python -m tests.bench.run pdf
    .venv/bin/python -m tests.bench.run pdf --pdf-repeats 20

- The invoices: made by the real checkout (add_to_cart + checkout) for one participant: one
  with one line, one with LINES lines (one checkout of LINES editions of the organizer).
- Invoice: `billing.pdf.render_invoice_pdf` as the download view and the outbox attachment
  call it (2 queries, the context with the EPC QR code, the template, WeasyPrint).
- Bare: `billing.pdf.html_to_pdf` (the same WeasyPrint call, base URL and local-only fetcher)
  of a one-line document without a stylesheet: the fixed cost of WeasyPrint itself.
- The invoice's time is split: reading + context + template (everything before WeasyPrint)
  and WeasyPrint on that HTML.

One warm-up of each first (fonts, the stylesheet, imports), then `--pdf-repeats` runs of each,
interleaved so a change in the machine's load hits both alike; medians are compared. Checks:
every result is a PDF whose text (pypdf) holds the invoice number.
"""

import io
import os
import statistics
import sys
import time
from datetime import timedelta

from tests.bench.run import BenchmarkFailed, Outcome, Row

NAME = "pdf"
LINES = 5
BARE_HTML = "<!doctype html><html><body><p>Lifelong Learning Portal</p></body></html>"


def make_invoices():
    """(one-line invoice, LINES-line invoice) issued by the real checkout."""
    from django.utils import timezone

    from billing.models import Invoice
    from registrations.models import Cart
    from registrations.services.cart import add_to_cart
    from registrations.services.checkout import BillingDetails, checkout
    from tests.factories import EditionFactory, OrganizerFactory, UserFactory

    organizer = OrganizerFactory()
    start = timezone.localdate() + timedelta(days=60)
    editions = [
        EditionFactory(course__organizer=organizer, start=start + timedelta(days=index))
        for index in range(LINES + 1)
    ]
    invoices = []
    for person, group in ((UserFactory(), editions[:1]), (UserFactory(), editions[1:])):
        for edition in group:
            add_to_cart(user=person, edition_id=edition.pk)
        token = Cart.objects.get(user=person).checkout_token
        record = checkout(user=person, token=token, billing=BillingDetails())
        invoices.append(Invoice.objects.get(checkout=record))
    return invoices


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def _html_of(invoice) -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    from billing.pdf import _invoice_with_lines, invoice_context

    full = _invoice_with_lines(invoice.pk)
    with translation.override(full.language):
        return render_to_string("billing/invoice_pdf.html", invoice_context(full))


def run(args) -> Outcome:
    from billing.pdf import html_to_pdf, render_invoice_pdf

    repeats = args.pdf_repeats
    invoices = make_invoices()
    html_to_pdf(BARE_HTML)  # warm-up: WeasyPrint, fonts
    for invoice in invoices:
        pdf = render_invoice_pdf(invoice)
        if not pdf.startswith(b"%PDF") or invoice.number not in _text(pdf):
            raise BenchmarkFailed(f"the PDF of invoice {invoice.number} does not show its number")
    bare_pdf = html_to_pdf(BARE_HTML)
    if "Lifelong Learning Portal" not in _text(bare_pdf):
        raise BenchmarkFailed("the bare PDF does not show its line")

    load_before = "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    bare, rendered, before, weasy = [], {}, {}, {}
    for invoice in invoices:
        rendered[invoice.pk], before[invoice.pk], weasy[invoice.pk] = [], [], []
    for _repeat in range(repeats):
        bare.append(_timed(html_to_pdf, BARE_HTML)[0])
        for invoice in invoices:
            rendered[invoice.pk].append(_timed(render_invoice_pdf, invoice)[0])
            seconds, html = _timed(_html_of, invoice)
            before[invoice.pk].append(seconds)
            weasy[invoice.pk].append(_timed(html_to_pdf, html)[0])
    load_after = "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())

    reference = statistics.median(bare)
    rows = [
        Row(NAME, f"bare one-line WeasyPrint page (median of {repeats})",
            f"{reference * 1000:.1f} ms", "1.00"),
    ]
    for invoice in invoices:
        lines = invoice.lines.count()
        pdf = render_invoice_pdf(invoice)
        median = statistics.median(rendered[invoice.pk])
        rows.append(Row(
            NAME,
            f"invoice PDF, {lines} line{'s' if lines > 1 else ''} "
            f"({_pages(pdf)} page, {len(pdf) / 1024:.0f} kB; median of {repeats})",
            f"{median * 1000:.1f} ms",
            f"{median / reference:.2f}",
        ))
        rows.append(Row(
            NAME,
            "  of which: queries + context (EPC QR) + template, before WeasyPrint",
            f"{statistics.median(before[invoice.pk]) * 1000:.1f} ms",
            f"{statistics.median(before[invoice.pk]) / reference:.2f}",
        ))
        rows.append(Row(
            NAME,
            "  of which: WeasyPrint on the invoice's HTML",
            f"{statistics.median(weasy[invoice.pk]) * 1000:.1f} ms",
            f"{statistics.median(weasy[invoice.pk]) / reference:.2f}",
        ))
    rows.append(Row(NAME, "load average 1/5/15 min, before / after",
                    f"{load_before} -> {load_after}"))
    return Outcome(rows=rows)


if __name__ == "__main__":
    from tests.bench.run import main

    sys.exit(main([NAME, *sys.argv[1:]]))
