"""Which part of an invoice in instalments the money paid is for: pure (rules.md §2-3; seed 2
art. 4.6-4.7). No Django import.

The one rule that decides whether a part is still open, used by the daily late-payment job
(``billing.latepayment``: reminder and charge per overdue part), by the withdrawal of a charge
paid in time (``billing.late_charge_withdrawal``: the same rule on the payments made by the end
of the part's reminder term) and by the unpaid flags (``billing.dunning_flags``), so they can
never disagree:

* a payment made with a part's own structured communication pays that part, up to its amount;
* all other money (payments without a part, what a part was paid beyond its amount, credit
  notes, less refunds) pays the parts in due-date order, the oldest first, each up to what its
  own payments left open.

So part 2 is covered by untagged money only once part 1 is; a payment tagged to part 2 covers
part 2 even while part 1 is open.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Part:
    """One instalment as the rule sees it: ``tagged`` is what was paid with its communication."""

    number: int
    amount: Decimal
    due_date: date
    tagged: Decimal = ZERO

    @classmethod
    def of(cls, instalment) -> "Part":
        """An ``Instalment`` annotated with ``tagged`` (``billing.payments.instalments_of``)."""
        return cls(instalment.number, instalment.amount, instalment.due_date, instalment.tagged)


def open_per_part(parts: Iterable[Part], settled: Decimal) -> dict[int, Decimal]:
    """What is left of each part (by number, never negative). ``settled`` is everything that
    counts against the invoice: payments, tagged ones included, less refunds, plus credit notes.
    """
    parts = sorted(parts, key=lambda part: (part.due_date, part.number))
    loose = settled - sum((min(part.tagged, part.amount) for part in parts), ZERO)
    result = {}
    for part in parts:
        left = max(part.amount - part.tagged, ZERO)
        applied = min(max(loose, ZERO), left)
        loose -= applied
        result[part.number] = left - applied
    return result


def overdue_open(parts: Iterable[Part], settled: Decimal, today: date) -> dict[int, Decimal]:
    """The parts past their due date (``due_date < today``) with something left, and what."""
    parts = list(parts)
    left = open_per_part(parts, settled)
    return {part.number: left[part.number] for part in parts
            if part.due_date < today and left[part.number] > 0}
