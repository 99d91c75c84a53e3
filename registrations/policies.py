"""Registration deadline and the cancellation policies A-D (rules.md §1 and §4).

Every function is pure (dates and Decimals in, a date or a ``Split`` out; no Django import). The
date of cancellation is the date the request was received (seed 1, FAQ "Can I cancel and what are
the conditions?", point 2; seed 2, art. 5.1); confirming it is the caller's business. Staff-editable
parameters (amounts, tiers, the days before the start) are arguments. Each policy returns what is
kept and what is refunded; ``kept + refunded == fee`` always. The amount the article computes is
rounded half-up to the cent once, at the end; the other amount is the fee minus it.

Inputs are checked: amounts are Decimals (ints are exact and accepted; floats, strings and bools
raise ``TypeError``), a fee must be a whole number of cents and nothing may be negative
(``ValueError``), dates are ``datetime.date`` (a ``datetime`` raises ``TypeError``).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from registrations.split import Split, fee_in_cents, money, round_cent

__all__ = [
    "Split",
    "academic_year",
    "days_before_start",
    "free_training",
    "registration_deadline",
    "tiered",
]

# Policy B (seed 2, art. 5.2): the administration fee kept.
ADMIN_FEE_RATE = Decimal("0.10")
ADMIN_FEE_MINIMUM = Decimal("50.00")
# Policy B: "up to and including the 7th calendar day before the start".
CANCEL_DAYS_BEFORE_START = 7
# Policy A (seed 1): full refund "within 14 days after registration".
FREE_CANCELLATION_DAYS_AFTER_REGISTRATION = 14
CREDIT_KINDS = frozenset({"first", "second", "year"})


def _day(value: object, name: str) -> date:
    """A calendar date; datetimes are refused (their time would make comparisons ambiguous)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def _whole_number(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _percentage(value: object, name: str) -> Decimal:
    percent = money(value, name)
    if percent > 100:
        raise ValueError(f"{name} must not exceed 100")
    return percent


def registration_deadline(start: date, days_before: int = 7) -> date:
    """The last day on which registration is still open.

    Seed 2, art. 3.2 (rules.md §1): "tot en met de 7e kalenderdag voor de start", i.e. up to and
    including ``start - days_before`` (start 2027-03-15 -> 2027-03-08). ``days_before`` is the
    edition's setting (default 7). Staff may still accept a later registration by hand.
    """
    return _day(start, "start") - timedelta(days=_whole_number(days_before, "days_before"))


def days_before_start(
    fee: Decimal,
    start: date,
    cancelled: date,
    *,
    force_majeure: bool = False,
    sessions_total: int = 0,
    sessions_held: int = 0,
    percent_kept: Decimal = ADMIN_FEE_RATE * 100,
    minimum_kept: Decimal = ADMIN_FEE_MINIMUM,
    days_before: int = CANCEL_DAYS_BEFORE_START,
) -> Split:
    """Policy B: postgraduate / micro-credential, by days before the start.

    ``percent_kept``, ``minimum_kept`` and ``days_before`` are the edition's parameters (staff
    may configure them per edition); their defaults are the seed's 10 %, 50.00 and 7 days.

    Seed 2, art. 5.2 (rules.md §4 B). Cancelled up to and including the 7th calendar day before
    the start (``cancelled <= start - 7 days``): keep 10 % of the fee, at least 50.00, never more
    than the fee; refund the rest. Later (including on or after the start): keep everything,
    except under force majeure (staff decide): keep the same 10 %/50.00 and refund the rest
    pro rata to the sessions not yet held at the cancellation date:
    ``(fee - admin) x (sessions_total - sessions_held) / sessions_total``.
    ``sessions_total == 0`` (no schedule known) counts as nothing delivered: refund fee - admin.
    ``sessions_held`` must not exceed ``sessions_total`` (``ValueError``). The administration
    fee is rounded to the cent first, the pro-rata refund at the end (fee 1,234.55: admin
    123.46; 4 of 10 held: refund 1,111.09 x 6/10 = 666.654 -> 666.65).

    Where rules.md and the seed differ: the seed states no rule for a late cancellation without
    force majeure; rules.md says nothing is refunded, which is what this does. The seed puts the
    force-majeure sentence next to the 7-day rule without restricting it to late cancellations;
    an early cancellation already gets the better (non-pro-rata) refund, so the flag only
    changes late ones.
    """
    fee = fee_in_cents(fee)
    start, cancelled = _day(start, "start"), _day(cancelled, "cancelled")
    total = _whole_number(sessions_total, "sessions_total")
    held = _whole_number(sessions_held, "sessions_held")
    if held > total:
        raise ValueError("sessions_held must not exceed sessions_total")
    # The administration fee is an amount in its own right (the same one in both cases), so it
    # is rounded before the pro-rata step: force majeure with nothing delivered then gives the
    # same split as an early cancellation.
    rate = _percentage(percent_kept, "percent_kept") / 100
    minimum = fee_in_cents(minimum_kept, "minimum_kept")
    days_before = _whole_number(days_before, "days_before")
    admin = min(fee, round_cent(max(fee * rate, minimum)))
    if cancelled <= start - timedelta(days=days_before):
        return Split.keep(fee, admin)
    if not force_majeure:
        return Split.keep(fee, fee)
    if total == 0:
        return Split.refund(fee, fee - admin)
    return Split.refund(fee, (fee - admin) * (total - held) / total)


def academic_year(
    programme_amount: Decimal,
    credit_amount: Decimal,
    credits: dict[str, int | Decimal],
    year_start: date,
    registered: date,
    cancelled: date,
    *,
    waive_programme_amount: bool = False,
) -> Split:
    """Policy A: postgraduate degrees and micro-credentials over an academic year.

    Seed 1, FAQ "Can I cancel and what are the conditions?", point 1 (rules.md §4 A). The fee is
    ``programme_amount + credit_amount x (first + second + year credits)``. Kept:

    1. cancelled before ``year_start``: nothing;
    2. cancelled within 14 days after registration (``cancelled <= registered + 14 days``,
       whatever the date): nothing;
    3. from ``year_start`` up to 30 November: the programme amount;
    4. 1 December up to 14 March: the programme amount + ``credit_amount x (first + year)``;
    5. from 15 March: everything.

    1 December and 15 March are those of the academic year starting on ``year_start`` (the
    1 December of ``year_start``'s calendar year, the 15 March after it); ``year_start`` must lie
    before 1 December. ``waive_programme_amount`` (staff, after consulting the programme manager)
    removes the programme amount from what is kept in steps 3 and 4, the ones the seed's
    footnote (*) marks; from 15 March nothing is refunded either way. ``credits`` has the keys
    ``"first"``, ``"second"``, ``"year"``; a missing key counts as 0, any other key is a
    ``ValueError`` (a typo must not drop credits silently). The fee and the kept amount are
    rounded half-up to the cent; kept never exceeds the fee.
    """
    programme = money(programme_amount, "programme_amount")
    per_credit = money(credit_amount, "credit_amount")
    if not isinstance(credits, dict):
        raise TypeError(f"credits must be a dict, not {type(credits).__name__}")
    if unknown := set(credits) - CREDIT_KINDS:
        raise ValueError(f"unknown credit kinds: {sorted(map(str, unknown))}")
    counts = {kind: money(credits.get(kind, 0), f"credits[{kind!r}]") for kind in CREDIT_KINDS}
    year_start, registered = _day(year_start, "year_start"), _day(registered, "registered")
    cancelled = _day(cancelled, "cancelled")
    december_first = date(year_start.year, 12, 1)
    march_fifteenth = date(year_start.year + 1, 3, 15)
    if year_start >= december_first:
        raise ValueError("year_start must lie before 1 December of its calendar year")
    if cancelled < registered:
        raise ValueError("cancelled must not be before registered")

    fee = round_cent(programme + per_credit * sum(counts.values()))
    waived = programme if waive_programme_amount else Decimal(0)
    free_until = registered + timedelta(days=FREE_CANCELLATION_DAYS_AFTER_REGISTRATION)
    if cancelled < year_start or cancelled <= free_until:
        kept = Decimal(0)
    elif cancelled < december_first:
        kept = programme - waived
    elif cancelled < march_fifteenth:
        kept = programme - waived + per_credit * (counts["first"] + counts["year"])
    else:
        kept = fee
    return Split.keep(fee, kept)


def tiered(
    fee: Decimal, start: date, cancelled: date, tiers: list[tuple[int, int | Decimal]]
) -> Split:
    """Policy C: the conditions stated on the course, as a table of tiers.

    Seed 1, FAQ "Can I cancel and what are the conditions?", point 2 ("The courses have their own
    cancellation conditions ... stated in the course itself"); rules.md §4 C. ``tiers`` is a list
    of ``(days, percent_kept)``: the tier with the largest ``days`` such that the cancellation is
    at least ``days`` calendar days before the start applies; when none applies (too late, or
    an empty table), everything is kept. Example "more than 14 days: 0 %; 14-7 days: 50 %;
    later: 100 %" is ``[(15, 0), (7, 50)]``. ``days`` must be a non-negative int and unique,
    ``percent_kept`` an int or Decimal from 0 to 100.
    """
    fee = fee_in_cents(fee)
    start, cancelled = _day(start, "start"), _day(cancelled, "cancelled")
    table: dict[int, Decimal] = {}
    for days, percent in tiers:
        days = _whole_number(days, "tier days")
        percent = money(percent, "tier percent_kept")
        if percent > 100:
            raise ValueError("tier percent_kept must not exceed 100")
        if days in table:
            raise ValueError(f"two tiers for {days} days")
        table[days] = percent
    notice_days = (start - cancelled).days
    applicable = [days for days in table if notice_days >= days]
    if not applicable:
        return Split.keep(fee, fee)
    return Split.keep(fee, fee * table[max(applicable)] / 100)


def free_training(fee: Decimal) -> Split:
    """Policy D: free training, no cancellation conditions stated.

    Seed 1, FAQ "Can I cancel and what are the conditions?", point 2: "If there are no
    cancellation conditions stated, then it is a free training and notification is sufficient"
    (rules.md §4 D). Nothing is kept; whatever was paid (normally 0.00) is refunded, and the
    cancellation is confirmed at once, without staff review.
    """
    fee = fee_in_cents(fee)
    return Split.refund(fee, fee)
