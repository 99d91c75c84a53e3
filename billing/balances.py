"""What is still owed on an invoice, and its status: pure (rules.md §2-3).

Balance = total - credit notes - payments. Over-payment is a negative balance: flagged for a
refund, never silently kept.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")

PAID, PARTLY_PAID, OPEN, OVERDUE = "paid", "partly_paid", "open", "overdue"


@dataclass(frozen=True)
class InvoiceBalance:
    balance: Decimal
    status: str
    overpaid: Decimal


def invoice_balance(
    total: Decimal, credited: Decimal, paid: Decimal, due_date: date, today: date
) -> InvoiceBalance:
    """Paid when nothing is owed; overdue when something is owed after the due date; partly
    paid when something was paid but not all; open otherwise."""
    owed = total - credited
    balance = owed - paid
    if balance <= 0:
        return InvoiceBalance(balance=balance, status=PAID, overpaid=-balance)
    if today > due_date:
        return InvoiceBalance(balance=balance, status=OVERDUE, overpaid=ZERO)
    if paid > 0:
        return InvoiceBalance(balance=balance, status=PARTLY_PAID, overpaid=ZERO)
    return InvoiceBalance(balance=balance, status=OPEN, overpaid=ZERO)


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
