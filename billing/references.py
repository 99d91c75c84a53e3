"""Invoice numbers and the base of each invoice's structured communication: pure functions.

Rules.md §2: one continuous series per organizer (e.g. `2026-000123`) and a structured
communication unique per invoice (see billing/structured_communication.py for the check digits;
new communications are handed out by billing.invoicing.new_communications).
"""

from datetime import date, timedelta

MAX_ORGANIZERS = 100
MAX_SEQUENCE = 999_999


def invoice_number(year: int, sequence: int) -> str:
    """`2026-000123`: the year and the sequence within the organizer's series for that year."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError("the sequence must be between 1 and 999999")
    return f"{year:04d}-{sequence:06d}"


def credit_note_number(year: int, sequence: int) -> str:
    """Credit notes are numbered in a series of their own, `CN2026-000007`."""
    return "CN" + invoice_number(year, sequence)


def structured_base(year: int, organizer_id: int, sequence: int, part: int = 0) -> int:
    """The base of the communications issued before billing migration 0007: last digit of the
    year (1) + organizer (2) + sequence (6) + part (1).

    Not used for new documents: it repeats after ten years and for organizers a hundred ids
    apart, so the unique constraint refused the second checkout. New communications come from
    `billing.invoicing.new_communications`; migration 0007 starts them above every base of this
    form that was issued. Kept for the benchmark fixtures, which build invoices directly.
    """
    if not 0 <= organizer_id < MAX_ORGANIZERS:
        raise ValueError("organizer ids above 99 need a wider base")
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError("the sequence must be between 0 and 999999")
    if not 0 <= part <= 9:
        raise ValueError("the part must be between 0 and 9")
    return ((year % 10) * 100 + organizer_id) * 10_000_000 + sequence * 10 + part


def due_date(issue_date: date, days: int) -> date:
    """The organizer's payment term in calendar days after the invoice date."""
    if days < 0:
        raise ValueError("the term cannot be negative")
    return issue_date + timedelta(days=days)
