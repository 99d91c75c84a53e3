"""Recording payments and reading balances (the use cases over billing.balances)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.trail import Change, record_many, values_of
from billing.balances import InvoiceBalance, invoice_balance
from billing.models import CreditNote, Instalment, Invoice, Payment, Refund

MONEY = DecimalField(max_digits=13, decimal_places=2)


def _sum_of(model, field="amount", link="invoice"):
    rows = (
        model.objects.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(Decimal("0.00")),
                    output_field=MONEY)


def with_amounts(queryset):
    """Annotate `paid` (payments less refunds), `credited` and `refunded`, one subquery each
    (no row multiplication)."""
    return queryset.annotate(
        received=_sum_of(Payment),
        refunded=_sum_of(Refund, link="credit_note__invoice"),
        credited=_sum_of(CreditNote, "total"),
    ).annotate(paid=F("received") - F("refunded"))


def instalments_of(invoice_ids) -> dict[int, list[Instalment]]:
    """The instalments of these invoices by invoice, each annotated with `tagged`: what was paid
    with its own structured communication (one query)."""
    tagged = _sum_of(Payment, link="instalment")
    parts = defaultdict(list)
    for part in Instalment.objects.filter(invoice_id__in=list(invoice_ids)).annotate(
            tagged=tagged):
        parts[part.invoice_id].append(part)
    return parts


def balance_of(invoice: Invoice, today: date | None = None) -> InvoiceBalance:
    """Uses `paid`/`credited` annotations when present (lists), else asks the database."""
    today = today or timezone.localdate()
    if not hasattr(invoice, "paid"):
        invoice = with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()
    return invoice_balance(invoice.total, invoice.credited, invoice.paid, invoice.due_date, today)


@dataclass(frozen=True)
class PaymentIn:
    """One payment to record (the arguments of `record_payment`)."""

    invoice: Invoice
    amount: Decimal
    paid_on: date
    method: str
    reference: str = ""
    payer_name: str = ""
    recorded_by: object = None
    instalment: object = None
    statement_line: object = None


def record_payment(*, invoice: Invoice, amount: Decimal, paid_on: date, method: str,
                   reference: str = "", payer_name: str = "", recorded_by=None,
                   instalment=None, statement_line=None) -> Payment:
    """A payment against an invoice (or one of its instalments). Partial payments and
    over-payments are accepted: the balance shows what is left, or what is to be refunded."""
    (payment,) = record_payments([PaymentIn(
        invoice=invoice, amount=amount, paid_on=paid_on, method=method, reference=reference,
        payer_name=payer_name, recorded_by=recorded_by, instalment=instalment,
        statement_line=statement_line,
    )])
    return payment


@transaction.atomic
def record_payments(payments: list[PaymentIn]) -> list[Payment]:
    """The payments, with their audit entries, the unpaid flags of the invoices on which they
    leave nothing late lifted and the late charges (on an invoice or on one of its parts) they
    show were not owed withdrawn: five statements whatever their number when nothing was
    flagged or charged (a statement import records
    hundreds at once; tests/bench/README.md, statement_import). All or nothing."""
    from billing.dunning_flags import lift_flags_when_settled
    from billing.late_charge_withdrawal import withdraw_charges_paid_in_time

    for item in payments:
        if item.amount <= 0:
            raise ValueError("a payment is a positive amount")
        if item.instalment is not None and item.instalment.invoice_id != item.invoice.pk:
            raise ValueError("the instalment belongs to another invoice")
    if not payments:
        return []
    created = Payment.objects.bulk_create([
        Payment(invoice=item.invoice, instalment=item.instalment, amount=item.amount,
                paid_on=item.paid_on, method=item.method, reference=item.reference[:200],
                payer_name=item.payer_name[:200], recorded_by=item.recorded_by,
                statement_line=item.statement_line)
        for item in payments
    ])
    by_actor: dict[object, list[Change]] = {}
    for item, payment in zip(payments, created, strict=True):
        by_actor.setdefault(item.recorded_by, []).append(Change(
            payment, organizer_id=item.invoice.organizer_id,
            after=values_of(payment, "invoice_id", "instalment_id", "amount", "paid_on",
                            "method", "statement_line_id")))
    for actor, changes in by_actor.items():  # one INSERT per person recording (usually one)
        record_many("payment.recorded", changes, actor=actor)
    invoice_ids = {item.invoice.pk for item in payments}
    lift_flags_when_settled(invoice_ids)
    # A transfer made within the reminder's term but recorded after the charge (seed 2 art. 4.7),
    # for a whole invoice or for one part of it.
    withdraw_charges_paid_in_time(invoice_ids)
    return created
