"""Changes and cancellations by the organizer (seed 2, art. 6; rules.md §5).

Pure functions over dates and Decimals; no Django import.

Reading of "binnen veertien (14) dagen na de kennisgeving" (within 14 days of the notice): the
term starts the day after the notice and includes its last day, the usual Belgian way of counting
a term in days (the day of the event is not counted, the expiry day is). A notice given on
1 March can be answered up to and including 15 March; on 16 March the change counts as accepted.
The expiry day is not moved when it falls on a weekend or public holiday: the seed does not ask
for it, and the caller can pass a longer term if an organizer wants that.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from registrations.split import Split, fee_in_cents

FREE_CANCELLATION_DAYS = 14


def _day(value: object, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def free_cancellation_deadline(notice_date: date, days: int = FREE_CANCELLATION_DAYS) -> date:
    """The last day on which a participant may cancel free of charge after a change notice.

    Seed 2, art. 6.2 (rules.md §5): when the organizer changes the time, date or location before
    the start, the participant may cancel free of charge "within 14 days of the notice". Day 14
    is included: ``notice_date + 14 days`` (see the module docstring for this reading).
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 0:
        raise ValueError("days must not be negative")
    return _day(notice_date, "notice_date") + timedelta(days=days)


def may_cancel_free(
    notice_date: date, request_date: date, days: int = FREE_CANCELLATION_DAYS
) -> bool:
    """Whether a cancellation received on ``request_date`` is free after a change notice.

    Seed 2, art. 6.2: true from the day of the notice up to and including the 14th day after it.
    A request received before the notice is not an answer to it (false: the participant's own
    cancellation policy applies).
    """
    request_date = _day(request_date, "request_date")
    return notice_date <= request_date <= free_cancellation_deadline(notice_date, days)


def change_deemed_accepted(
    notice_date: date, today: date, days: int = FREE_CANCELLATION_DAYS
) -> bool:
    """Whether the change counts as accepted for a participant who has not answered.

    Seed 2, art. 6.2, last sentence: without a written answer within the term, the participant is
    deemed to have accepted the change irrevocably: true from the day after the deadline.
    """
    return _day(today, "today") > free_cancellation_deadline(notice_date, days)


def organizer_cancelled(paid: Decimal) -> Split:
    """The organizer cancels the edition: everything paid is refunded, no damages.

    Seed 2, art. 6.1 (rules.md §5). Also the split for a free cancellation after a change
    (art. 6.2), with ``paid`` the amount paid for the sessions concerned.
    """
    paid = fee_in_cents(paid, "paid")
    return Split.refund(paid, paid)
