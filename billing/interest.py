"""Late interest over a period that may span several half-years (seed 2 art. 4.7; rules.md §3).

Pure: no Django import. The rates are staff data (``billing.InterestRate``, one row per
half-year, at most the reference rate of the law of 2 August 2002 plus 8 points) passed in as a
list of ``(valid_from, valid_until, annual_rate_percent)`` with both dates inclusive.

Readings chosen (see also billing/latepayment.py):

* **Which days.** Seed 2 art. 4.7 increases the balance "van rechtswege" only when the written
  reminder is not answered "binnen de vooropgestelde termijn"; rules.md §3: "the fee and interest
  start only after the reminder's term has passed". So interest runs for the days *after* the
  reminder term's last day (``start``) up to and including the charge date (``end``):
  ``days = (end - start).days``. A charge on the first day after the term bears one day.
* **Per day, 365.** Simple interest per calendar day, ``B x rate% x days / 365`` (rules.md §3),
  also in a leap year: 29 February is a day like any other and the divisor stays 365.
* **Rounding once.** Each day bears the rate of the half-year it falls in; the segments are
  summed *unrounded* and the sum is rounded half-up to the cent once, at the end (rules.md §3,
  as ``billing.latefees``). For a period inside one half-year the result is exactly
  ``late_interest(balance, rate, days)``; over two half-years it can differ by a cent from the sum
  of two rounded ``late_interest`` calls, never more.
* **No rate, no charge.** A day without a configured rate raises ``MissingRate`` (a
  ``ValueError``) naming the day, so the job reports it instead of charging 0.00.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from billing.latefees import CENT, DAYS_PER_YEAR

Rate = tuple[date, date, Decimal]


class MissingRate(ValueError):
    """No late-interest rate covers a day of the period: finance must add it first."""


@dataclass(frozen=True)
class Segment:
    """Consecutive days (both inclusive) that bear one rate."""

    first_day: date
    last_day: date
    annual_rate_percent: Decimal

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def split_period(start: date, end: date, rates: list[Rate]) -> list[Segment]:
    """The days after ``start`` up to and including ``end``, split where the rate changes.

    Empty when ``end <= start`` (no day of interest). Raises ``MissingRate`` when a day has no
    rate and ``ValueError`` when two rates cover the same day of the period.
    """
    if not isinstance(start, date) or not isinstance(end, date):
        raise TypeError("start and end must be dates")
    if end <= start:
        return []
    relevant = sorted(
        (rate for rate in rates if rate[0] <= end and rate[1] > start), key=lambda r: r[0]
    )
    for (_, until, _), (following, _, _) in zip(relevant, relevant[1:], strict=False):
        if following <= until:
            raise ValueError(
                f"two late-interest rates cover {following.isoformat()}: "
                "correct the late-interest rates table"
            )
    segments = []
    day = start + timedelta(days=1)
    for valid_from, valid_until, rate in relevant:
        if valid_until < day:
            continue
        if valid_from > day:
            break
        last = min(valid_until, end)
        segments.append(Segment(day, last, rate))
        day = last + timedelta(days=1)
        if day > end:
            return segments
    raise MissingRate(
        f"no late-interest rate for {day.isoformat()}: add the rate of that half-year to the "
        "late-interest rates table (law of 2 August 2002, art. 5: reference rate + 8 points)"
    )


def interest_for_period(balance: Decimal, start: date, end: date, rates: list[Rate]) -> Decimal:
    """Late interest on ``balance`` for the days after ``start`` up to and including ``end``.

    Seed 2 art. 4.7, rules.md §3: ``sum(B x rate_i% x days_i) / 365`` over the half-years the
    period touches, rounded half-up to the cent once, at the end (see the module docstring for
    the readings). ``start`` is the last day of the reminder's term, ``end`` the charge date.

    Zero days, or a balance of zero or less, gives 0.00. Raises ``TypeError`` for a float or
    string balance or rate, ``ValueError`` for a negative rate and ``MissingRate`` (a
    ``ValueError``) when a day of the period has no rate.
    """
    balance = _decimal(balance, "balance")
    segments = split_period(start, end, rates)
    total = Decimal(0)
    for segment in segments:
        rate = _decimal(segment.annual_rate_percent, "annual_rate_percent")
        if rate < 0:
            raise ValueError("annual_rate_percent must not be negative")
        total += balance * rate * segment.days
    if balance <= 0 or not segments:
        return Decimal("0.00")
    return (total / (100 * DAYS_PER_YEAR)).quantize(CENT, ROUND_HALF_UP)


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return value
