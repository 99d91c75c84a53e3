"""Recording payments and reading balances (the use cases over billing.balances)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.trail import record, values_of
from billing.balances import InvoiceBalance, invoice_balance
from billing.models import CreditNote, Invoice, Payment, Refund

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


def balance_of(invoice: Invoice, today: date | None = None) -> InvoiceBalance:
    """Uses `paid`/`credited` annotations when present (lists), else asks the database."""
    today = today or timezone.localdate()
    if not hasattr(invoice, "paid"):
        invoice = with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()
    return invoice_balance(invoice.total, invoice.credited, invoice.paid, invoice.due_date, today)


@transaction.atomic
def record_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    method: str,
    reference: str = "",
    payer_name: str = "",
    recorded_by=None,
    instalment=None,
    statement_line=None,
) -> Payment:
    """A payment against an invoice (or one of its instalments). Partial payments and
    over-payments are accepted: the balance shows what is left, or what is to be refunded."""
    if amount <= 0:
        raise ValueError("a payment is a positive amount")
    if instalment is not None and instalment.invoice_id != invoice.pk:
        raise ValueError("the instalment belongs to another invoice")
    payment = Payment.objects.create(
        invoice=invoice,
        instalment=instalment,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference[:200],
        payer_name=payer_name[:200],
        recorded_by=recorded_by,
        statement_line=statement_line,
    )
    record("payment.recorded", payment, organizer=invoice.organizer_id, actor=recorded_by,
           after=values_of(payment, "invoice_id", "instalment_id", "amount", "paid_on", "method",
                           "statement_line_id"))
    from billing.dunning_flags import lift_flags_when_paid

    lift_flags_when_paid(invoice)
    return payment
