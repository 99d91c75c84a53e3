"""The rows of the finance exports, per organizer and period (rules.md §2; issue "finance exports").

Each function returns a `Table`: a header and a lazy generator of tuples. Nothing is read until the
first row is asked for, and then the database is read with one query through a server-side cursor
(`iterator(chunk_size=CHUNK_SIZE)`), so 100,000 rows never sit in memory at once and the number of
queries does not grow with the number of rows. `values_list` skips building model instances.

The header is in the language of the request that asks for the export (finance reads Dutch or
English, as on every page): `table` words it in the active language, or in `language` when a task
or command builds the file for someone (pass the requester's language along). The column order is
the same in every language; the XLSX sheet is named in that language too.

Values keep their type: amounts are `Decimal`, dates are `date` (written ISO 8601, yyyy-mm-dd, by
both writers), codes are the stored codes (stable for spreadsheets and imports). The period is
inclusive at both ends and applies to the document's own date: the issue date of invoices and
credit notes, the payment date of payments, the issue date of the invoices in "open balances".
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain

from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from billing.models import CreditNote, Invoice, Payment
from billing.payments import cents, with_status

CHUNK_SIZE = 2000

INVOICES, CREDIT_NOTES, PAYMENTS, OPEN_BALANCES = (
    "invoices", "credit_notes", "payments", "open_balances",
)


# Column names, in the order of the rows (msgctxt "export column": a column name, not a label;
# the context is written out each time: xgettext reads only a literal).
HEADERS = {
    "invoices": (
        pgettext_lazy("export column", "Number"),
        pgettext_lazy("export column", "Issue date"),
        pgettext_lazy("export column", "Due date"),
        pgettext_lazy("export column", "Kind"),
        pgettext_lazy("export column", "Customer"),
        pgettext_lazy("export column", "Customer kind"),
        pgettext_lazy("export column", "VAT number"),
        pgettext_lazy("export column", "E-mail"),
        pgettext_lazy("export column", "Paid by (third party)"),
        pgettext_lazy("export column", "Structured communication"),
        pgettext_lazy("export column", "KMO-portefeuille"),
        pgettext_lazy("export column", "Net"),
        pgettext_lazy("export column", "VAT"),
        pgettext_lazy("export column", "Total"),
        pgettext_lazy("export column", "VAT mention"),
    ),
    "credit_notes": (
        pgettext_lazy("export column", "Number"),
        pgettext_lazy("export column", "Issue date"),
        pgettext_lazy("export column", "Invoice"),
        pgettext_lazy("export column", "Customer"),
        pgettext_lazy("export column", "VAT number"),
        pgettext_lazy("export column", "Reason"),
        pgettext_lazy("export column", "Net"),
        pgettext_lazy("export column", "VAT"),
        pgettext_lazy("export column", "Total"),
    ),
    "payments": (
        pgettext_lazy("export column", "Date"),
        pgettext_lazy("export column", "Invoice"),
        pgettext_lazy("export column", "Customer"),
        pgettext_lazy("export column", "Amount"),
        pgettext_lazy("export column", "Method"),
        pgettext_lazy("export column", "Reference"),
        pgettext_lazy("export column", "Payer"),
        pgettext_lazy("export column", "Instalment"),
    ),
    "open_balances": (
        pgettext_lazy("export column", "Number"),
        pgettext_lazy("export column", "Issue date"),
        pgettext_lazy("export column", "Due date"),
        pgettext_lazy("export column", "Customer"),
        pgettext_lazy("export column", "E-mail"),
        pgettext_lazy("export column", "Structured communication"),
        pgettext_lazy("export column", "Total"),
        pgettext_lazy("export column", "Credited"),
        pgettext_lazy("export column", "Paid"),
        pgettext_lazy("export column", "Balance"),
        pgettext_lazy("export column", "Status"),
        pgettext_lazy("export column", "Days overdue"),
    ),
}
# The XLSX sheet's name (at most 31 characters).
TITLES = {
    "invoices": pgettext_lazy("export sheet", "Invoices"),
    "credit_notes": pgettext_lazy("export sheet", "Credit notes"),
    "payments": pgettext_lazy("export sheet", "Payments"),
    "open_balances": pgettext_lazy("export sheet", "Open balances"),
}


def header(kind: str) -> tuple[str, ...]:
    """The column names of an export in the active language, as plain text (worded now, not
    when the streamed file is written, when the request's language may be gone)."""
    return tuple(str(name) for name in HEADERS[kind])


@dataclass(frozen=True)
class Table:
    kind: str
    header: tuple[str, ...]
    rows: Iterable[tuple]
    title: str = ""

    def all_rows(self) -> Iterator[tuple]:
        """The header, then the rows: what `stream_csv` and `write_xlsx` take."""
        return chain([self.header], self.rows)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def invoices(organizer, start: date, end: date) -> Table:
    """Every invoice the organizer issued in the period (late-payment charges included)."""
    queryset = (
        Invoice.objects.filter(organizer=organizer, issue_date__range=(start, end))
        .order_by("issue_date", "year", "sequence")
        .values_list(
            "number", "issue_date", "due_date", "kind", "customer_name", "customer_kind",
            "customer_vat_number", "customer_email", "third_party_name",
            "structured_communication", "kmo_portefeuille", "net_total", "vat_total", "total",
            "vat_mention",
        )
    )

    def rows():
        for row in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield (*row[:10], _yes_no(row[10]), *row[11:])

    return Table(INVOICES, header(INVOICES), rows(), str(TITLES[INVOICES]))


def credit_notes(organizer, start: date, end: date) -> Table:
    """Every credit note the organizer issued in the period, with the invoice it corrects."""
    queryset = (
        CreditNote.objects.filter(organizer=organizer, issue_date__range=(start, end))
        .order_by("issue_date", "year", "sequence")
        .values_list(
            "number", "issue_date", "invoice__number", "invoice__customer_name",
            "invoice__customer_vat_number", "reason", "net_total", "vat_total", "total",
        )
    )
    return Table(CREDIT_NOTES, header(CREDIT_NOTES), queryset.iterator(chunk_size=CHUNK_SIZE),
                 str(TITLES[CREDIT_NOTES]))


def payments(organizer, start: date, end: date) -> Table:
    """Every payment received in the period on the organizer's invoices."""
    queryset = (
        Payment.objects.filter(invoice__organizer=organizer, paid_on__range=(start, end))
        .order_by("paid_on", "pk")
        .values_list(
            "paid_on", "invoice__number", "invoice__customer_name", "amount", "method",
            "reference", "payer_name", "instalment__number",
        )
    )
    return Table(PAYMENTS, header(PAYMENTS), queryset.iterator(chunk_size=CHUNK_SIZE),
                 str(TITLES[PAYMENTS]))


def open_balances(organizer, start: date, end: date, today: date | None = None) -> Table:
    """The organizer's invoices issued in the period whose balance is not zero today.

    Balance = total - credit notes - payments (billing.balances, rules.md §2-3), summed in the
    query by `with_status`; a negative balance is an over-payment, to be refunded. Status and days
    overdue are as of `today`, in the same query: on an invoice in instalments it is overdue only
    while a part past its due date is left open, and the days are counted from the oldest such
    part's due date (billing.balances.invoice_balance).
    """
    today = today or timezone.localdate()
    queryset = (
        with_status(Invoice.objects.filter(organizer=organizer, issue_date__range=(start, end)),
                    today)
        .exclude(balance=0)
        .order_by("issue_date", "year", "sequence")
        .values_list(
            "number", "issue_date", "due_date", "customer_name", "customer_email",
            "structured_communication", "total", "credited", "paid", "balance", "status",
            "overdue_since",
        )
    )

    def rows():
        for *row, since in queryset.iterator(chunk_size=CHUNK_SIZE):
            # credited, paid and balance are computed: to the cent on SQLite too (cents)
            row[7:10] = [cents(amount) for amount in row[7:10]]
            yield (*row, (today - since).days if since else 0)

    return Table(OPEN_BALANCES, header(OPEN_BALANCES), rows(), str(TITLES[OPEN_BALANCES]))


TABLES = {
    INVOICES: invoices,
    CREDIT_NOTES: credit_notes,
    PAYMENTS: payments,
    OPEN_BALANCES: open_balances,
}


def table(kind: str, organizer, start: date, end: date, language: str | None = None) -> Table:
    """The export of one kind, its header and sheet name in `language` (by default the active
    language: the request's); raises `ValueError` for an unknown kind or an inverted period."""
    if kind not in TABLES:
        raise ValueError(f"unknown export: {kind!r}")
    if start > end:
        raise ValueError("the period ends before it starts")
    if language is None:
        return TABLES[kind](organizer, start, end)
    with translation.override(language):
        return TABLES[kind](organizer, start, end)
