"""Ageing of open invoices for the finance dashboard: pure."""

from datetime import date

BUCKETS = ("not_due", "0-30", "31-60", "61-90", ">90")


def ageing_bucket(due_date: date, today: date) -> str:
    """Days past the due date: not yet due, 0-30, 31-60, 61-90, more than 90."""
    late = (today - due_date).days
    if late <= 0:
        return "not_due"
    if late <= 30:
        return "0-30"
    if late <= 60:
        return "31-60"
    if late <= 90:
        return "61-90"
    return ">90"
