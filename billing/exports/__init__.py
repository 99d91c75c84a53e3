"""Finance exports per organizer and period (issue "finance exports"; rules.md §2): invoices,
credit notes, payments and open balances as CSV or XLSX (billing.exports.rows,
billing.exports.csv_xlsx), the Peppol documents of a period as one ZIP (below; the documents
themselves are billing.peppol), and `download`, the HTTP response of an export. The SEPA refund
files are billing.sepa."""

import tempfile
import zipfile

from django.http import FileResponse, StreamingHttpResponse

from billing.exports import rows
from billing.exports.csv_xlsx import stream_csv, write_xlsx
from billing.models import CreditNote, Invoice
from billing.peppol import credit_note_xml, invoice_xml

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


def write_zip(invoices, credit_notes, fileobj) -> int:
    """Write one XML per document into a ZIP (``invoice-<number>.xml``,
    ``credit-note-<number>.xml``); documents are read one chunk at a time. Returns the count."""
    count = 0
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            archive.writestr(f"invoice-{invoice.number}.xml", invoice_xml(invoice))
            count += 1
        for note in credit_notes:
            archive.writestr(f"credit-note-{note.number}.xml", credit_note_xml(note))
            count += 1
    return count


def _file_response(write, filename, content_type):
    """Write into a temporary file (not memory) and stream it from there."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=content_type)


def download(*, organizer, start, end, kind, fmt):
    """The export as a download: CSV streamed as it is written (`StreamingHttpResponse`), XLSX
    and the Peppol ZIP written to a temporary file first (a ZIP is only complete at its end)
    and then streamed from it (`FileResponse`), so no export is ever held in memory whole."""
    name = f"{organizer.slug}-{kind.replace('_', '-')}-{start}-{end}"
    if fmt == "peppol":
        invoices = company_invoices(organizer, start, end) if kind == rows.INVOICES else []
        notes = company_credit_notes(organizer, start, end) if kind == rows.CREDIT_NOTES else []
        return _file_response(lambda spool: write_zip(invoices, notes, spool),
                              f"{name}-peppol.zip", "application/zip")
    table = rows.table(kind, organizer, start, end)
    if fmt == "xlsx":
        return _file_response(lambda spool: write_xlsx(table.all_rows(), spool, title=kind),
                              f"{name}.xlsx", XLSX)
    response = StreamingHttpResponse(stream_csv(table.all_rows()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
