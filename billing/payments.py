"""Recording payments and reading balances (the use cases over billing.balances)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from audit.trail import Change, record_many, values_of
from billing.balances import OPEN, OVERDUE, PAID, PARTLY_PAID, InvoiceBalance, invoice_balance
from billing.instalment_allocation import Part
from billing.models import CreditNote, Instalment, Invoice, Payment, Refund

MONEY = DecimalField(max_digits=13, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
CENT = Decimal("0.01")


def _sum_of(model, field="amount", link="invoice", outer="pk"):
    rows = (
        model.objects.filter(**{link: OuterRef(outer)})
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
    """One invoice's balance and status by the pure rule (billing.balances), its parts read
    with what was paid to each (two queries). Lists use `with_status` and `state_of`."""
    today = today or timezone.localdate()
    invoice = with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()
    parts = [Part.of(part) for part in instalments_of([invoice.pk])[invoice.pk]]
    return invoice_balance(invoice.total, invoice.credited, invoice.paid, invoice.due_date, today,
                           parts)


# The status in SQL, for lists, filters and sums over many invoices (a fixed number of queries).
# It is billing.balances.invoice_balance with billing.instalment_allocation, written once more
# in SQL; tests/billing/test_invoice_status.py checks the two agree case by case.

def _left():
    """On an instalment annotated with `tagged`: what its own payments left of it."""
    return Greatest(F("amount") - F("tagged"), ZERO, output_field=MONEY)


def _total_of(parts, expression):
    """The sum of `expression` over `parts` (instalments of one invoice), 0.00 when none."""
    rows = parts.order_by().values("invoice").annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(rows, output_field=MONEY), ZERO, output_field=MONEY)


def _tagged_parts(**link):
    return Instalment.objects.filter(**link).annotate(tagged=_sum_of(Payment, link="instalment"))


def _loose(invoice: str, settled):
    """What is not tagged to a part, or was paid to a part beyond its amount: it pays the oldest
    parts first (billing.instalment_allocation.open_per_part's `loose`)."""
    capped = _total_of(_tagged_parts(invoice=OuterRef(invoice)),
                       Least(F("amount"), F("tagged"), output_field=MONEY))
    return settled - capped


def parts_with_open(instalments):
    """Instalments annotated with `open`: what is left of each by the allocation rule
    (open_per_part): its own payments first, then the loose money in due-date order, so a part
    is open by what the loose money does not reach of its `left` after the parts before it."""
    settled = (_sum_of(Payment, outer="invoice_id")
               - _sum_of(Refund, link="credit_note__invoice", outer="invoice_id")
               + _sum_of(CreditNote, "total", outer="invoice_id"))
    before = _total_of(
        _tagged_parts(invoice=OuterRef("invoice_id")).filter(
            Q(due_date__lt=OuterRef("due_date"))
            | Q(due_date=OuterRef("due_date"), number__lt=OuterRef("number"))),
        _left())
    return instalments.annotate(tagged=_sum_of(Payment, link="instalment")).annotate(
        left=_left(), loose=_loose("invoice_id", settled), before=before,
    ).annotate(open=Greatest(
        Least(F("left"), F("before") + F("left") - Greatest(F("loose"), ZERO, output_field=MONEY),
              output_field=MONEY),
        ZERO, output_field=MONEY))


def overdue_of_parts(today: date):
    """On invoices annotated by `with_amounts`: what is open of their parts past their due date
    (0.00 without parts). Those parts come first in due-date order, so the loose money covers
    them first, and what it leaves of them is max(0, their left - max(0, loose)): open_per_part
    summed over them, without reading each part's place in the order."""
    late_left = _total_of(_tagged_parts(invoice=OuterRef("pk"), due_date__lt=today), _left())
    loose = _loose("pk", F("credited") + F("paid"))
    return Greatest(late_left - Greatest(loose, ZERO, output_field=MONEY), ZERO,
                    output_field=MONEY)


def with_status(queryset, today: date):
    """`with_amounts` plus `balance`, `amount_overdue`, `overdue_since` and `status` as of
    `today`, in SQL (invoice_balance's rule). On an invoice in instalments what is overdue is
    the open amount of the parts past their due date (`overdue_of_parts`), since the oldest of
    them still open."""
    in_parts = Exists(Instalment.objects.filter(invoice=OuterRef("pk")))
    oldest_open = (parts_with_open(Instalment.objects.filter(invoice=OuterRef("pk"),
                                                              due_date__lt=today))
                   .filter(open__gt=0).order_by("due_date", "number").values("due_date")[:1])
    return with_amounts(queryset).annotate(
        balance=F("total") - F("credited") - F("paid"),
        in_parts=in_parts,
    ).annotate(amount_overdue=Case(
        When(balance__lte=0, then=ZERO),
        When(in_parts=True, then=overdue_of_parts(today)),
        When(due_date__lt=today, then=F("balance")),
        default=ZERO, output_field=MONEY,
    )).annotate(overdue_since=Case(
        When(amount_overdue__lte=0, then=None),
        When(in_parts=True, then=Subquery(oldest_open, output_field=DateField())),
        default=F("due_date"), output_field=DateField(),
    ), status=Case(
        When(balance__lte=0, then=Value(PAID)),
        When(amount_overdue__gt=0, then=Value(OVERDUE)),
        When(paid__gt=0, then=Value(PARTLY_PAID)),
        default=Value(OPEN), output_field=CharField(),
    ))


def cents(amount: Decimal) -> Decimal:
    """An amount computed in SQL, to the cent: SQLite (the embedded default) returns a
    difference of sums without its scale (Decimal("395") for 395.00); PostgreSQL keeps it."""
    return amount.quantize(CENT)


def state_of(invoice) -> InvoiceBalance:
    """The InvoiceBalance of an invoice read through `with_status` (no query)."""
    balance = cents(invoice.balance)
    return InvoiceBalance(balance=balance, status=invoice.status,
                          overpaid=max(-balance, Decimal("0.00")),
                          overdue=cents(invoice.amount_overdue),
                          overdue_since=invoice.overdue_since)


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
