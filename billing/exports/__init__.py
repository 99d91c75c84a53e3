"""Finance exports per organizer and period (issue "finance exports"; rules.md §2): invoices,
credit notes, payments and open balances as CSV or XLSX (billing.exports.rows,
billing.exports.csv_xlsx), the Peppol documents of a period as one ZIP (below; the documents
themselves are billing.peppol), and `download`, the HTTP response of an export. The SEPA refund
files are billing.sepa."""

from collections.abc import Iterator
from contextlib import nullcontext
from itertools import chain

from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from billing.exports import rows
from billing.exports.csv_stream import stream_csv
from billing.exports.xlsx import stream_xlsx
from billing.models import CreditNote, Invoice
from billing.peppol import PeppolError, credit_note_xml, invoice_xml
from portal.zipstream import stream_zip

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def company_invoices(organizer, start, end, chunk_size=200):
    """The organizer's invoices to companies issued in the period, for `write_zip`: read a chunk
    at a time, with their lines and instalments (three queries per chunk)."""
    return (
        Invoice.objects.filter(organizer=organizer, issue_date__range=(start, end),
                               customer_kind="company")
        .order_by("issue_date", "year", "sequence")
        .prefetch_related("lines", "instalments")
        .iterator(chunk_size=chunk_size)
    )


def company_credit_notes(organizer, start, end, chunk_size=200):
    """The organizer's credit notes on invoices to companies issued in the period."""
    return (
        CreditNote.objects.filter(organizer=organizer, issue_date__range=(start, end),
                                  invoice__customer_kind="company")
        .select_related("invoice")
        .order_by("issue_date", "year", "sequence")
        .prefetch_related("invoice__lines")
        .iterator(chunk_size=chunk_size)
    )


def _skipped_heading() -> str:
    return _("These documents could not be written as Peppol documents:")


def peppol_members(invoices, credit_notes, written: list[str],
                   heading: str | None = None) -> Iterator[tuple[str, list]]:
    """One XML per document (``invoice-<number>.xml``, ``credit-note-<number>.xml``), read one
    chunk at a time; the names are added to `written`. A document that cannot be a Peppol
    document (a customer in a country without a Peppol scheme...) is left out and listed with
    the reason in ``errors.txt``, the last member, instead of breaking the whole archive.
    `heading` is that list's first line, worded by the caller while the request's language is
    active (this generator runs while the response is sent)."""
    heading = heading or _skipped_heading()
    skipped = []
    for make, prefix, document in chain(
        ((invoice_xml, "invoice", invoice) for invoice in invoices),
        ((credit_note_xml, "credit-note", note) for note in credit_notes),
    ):
        try:
            content = make(document)
        except PeppolError as error:
            skipped.append(f"{document.number}: {error}")
            continue
        name = f"{prefix}-{document.number}.xml"
        written.append(name)
        yield name, [content]
    if skipped:
        lines = [heading, *skipped]
        yield "errors.txt", [("\r\n".join(lines) + "\r\n").encode("utf-8")]


def stream_peppol_zip(invoices, credit_notes) -> Iterator[bytes]:
    return stream_zip(peppol_members(invoices, credit_notes, [], _skipped_heading()))


def write_zip(invoices, credit_notes, fileobj) -> int:
    """`stream_peppol_zip` into a file; returns the number of documents written."""
    written: list[str] = []
    for chunk in stream_zip(peppol_members(invoices, credit_notes, written)):
        fileobj.write(chunk)
    return len(written)


def _attachment(chunks, filename, content_type) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download(*, organizer, start, end, kind, fmt, language=None):
    """The export as a download, streamed as it is written (`StreamingHttpResponse`): the first
    bytes leave at once and nothing is held in memory or a temporary file whole, however long
    the period (CSV, XLSX and the Peppol ZIP alike; portal.zipstream). The header and sheet
    name are in `language`, by default the request's (billing.exports.rows); the column order
    is the same in every language."""
    with translation.override(language) if language else nullcontext():
        return _download(organizer, start, end, kind, fmt)


def _download(organizer, start, end, kind, fmt):
    # Everything worded here is worded now, in the active language; the generators only write.
    name = f"{organizer.slug}-{kind.replace('_', '-')}-{start}-{end}"
    if fmt == "peppol":
        invoices = company_invoices(organizer, start, end) if kind == rows.INVOICES else []
        notes = company_credit_notes(organizer, start, end) if kind == rows.CREDIT_NOTES else []
        return _attachment(stream_peppol_zip(invoices, notes), f"{name}-peppol.zip",
                           "application/zip")
    table = rows.table(kind, organizer, start, end)
    if fmt == "xlsx":
        return _attachment(stream_xlsx(table.all_rows(), title=table.title or kind),
                           f"{name}.xlsx", XLSX)
    return _attachment(stream_csv(table.all_rows()), f"{name}.csv", "text/csv; charset=utf-8")
