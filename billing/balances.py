"""What is still owed on an invoice, and its status: pure (rules.md §2-3).

Balance = total - credit notes - payments. Over-payment is a negative balance: flagged for a
refund, never silently kept. On an invoice in instalments what is overdue is what the allocation
rule (``billing.instalment_allocation``) leaves open of the parts past their due date; the lists
compute the same in SQL (``billing.payments.with_status``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing.instalment_allocation import Part, overdue_open

ZERO = Decimal("0.00")

PAID, PARTLY_PAID, OPEN, OVERDUE = "paid", "partly_paid", "open", "overdue"


@dataclass(frozen=True)
class InvoiceBalance:
    balance: Decimal
    status: str
    overpaid: Decimal
    overdue: Decimal = ZERO  # what is owed past its due date (of the overdue parts)
    overdue_since: date | None = None  # the due date of the oldest of it


def invoice_balance(
    total: Decimal, credited: Decimal, paid: Decimal, due_date: date, today: date,
    parts: Iterable[Part] = (),
) -> InvoiceBalance:
    """Paid when nothing is owed; overdue when something owed is past its due date; partly
    paid when something was paid but not all; open otherwise.

    ``parts``: the instalments of an invoice paid in instalments (``Part.of``). Then only a part
    past its own due date that the allocation rule leaves open is overdue (seed 2 art. 4.7: a
    part not yet due is not late, whatever the invoice's or the first part's due date); that
    part's open amount is what is overdue, since its due date. A part due today is not late."""
    balance = total - credited - paid
    if balance <= 0:
        return InvoiceBalance(balance=balance, status=PAID, overpaid=-balance)
    parts = list(parts)
    if parts:
        late = overdue_open(parts, credited + paid, today)
        overdue = sum(late.values(), ZERO)
        since = min((part.due_date for part in parts if part.number in late), default=None)
    elif today > due_date:
        overdue, since = balance, due_date
    else:
        overdue, since = ZERO, None
    if overdue > 0:
        status = OVERDUE
    elif paid > 0:
        status = PARTLY_PAID
    else:
        status = OPEN
    return InvoiceBalance(balance=balance, status=status, overpaid=ZERO, overdue=overdue,
                          overdue_since=since)


def instalment_schedule(total: Decimal, parts: int, first_due: date, months_apart: int = 1):
    """Split `total` into `parts` instalments of whole cents that add up exactly; the first
    parts carry the extra cents. Due dates a month apart (clamped to the month's last day)."""
    if parts < 1 or parts > 9:
        raise ValueError("between 1 and 9 instalments")
    if total <= 0:
        raise ValueError("only a positive total is split")
    cents = int((total * 100).to_integral_value())
    if Decimal(cents) / 100 != total:
        raise ValueError("the total must be whole cents")
    base, extra = divmod(cents, parts)
    schedule = []
    for index in range(parts):
        amount = Decimal(base + (1 if index < extra else 0)) / 100
        schedule.append((amount.quantize(Decimal("0.01")), _add_months(first_due,
                                                                        index * months_apart)))
    return schedule


def _add_months(day: date, months: int) -> date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
