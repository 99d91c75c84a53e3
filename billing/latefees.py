"""Late-payment charges: the flat fee and the late interest (seed 2, art. 4.7; rules.md §3).

Pure functions over ``Decimal`` euro amounts; no Django import. Amounts are rounded half-up to the
cent only once, at the end of each computation.

Where rules.md and the seed differ (see docs/rules-notes.md):

* The seed writes the base of the last tier as "vijfenzeventig (65)": the words say 75, the digits
  65. We use 65, as rules.md does: it is the figure of Book XIX of the Code of Economic Law
  (art. XIX.2) and the only base that makes the fee continuous at 500.00 (30 + 10 % x 350 = 65).
* The seed's middle tier takes 10 % "on the slice between 150.01 and 500"; rules.md writes it as
  10 % of ``(B - 150.00)``. We follow rules.md; the two readings differ by at most 0.001 before
  rounding (it only shows at a half cent, e.g. B = 150.05 gives 30.01 here).
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# The tiers as data (seed 2, art. 4.7). The 150.00 step from 20.00 to 30.00 is in the law itself;
# the fee is continuous at 500.00 and at the cap.
LOW_TIER_LIMIT = Decimal("150.00")
LOW_TIER_FEE = Decimal("20.00")
MIDDLE_TIER_LIMIT = Decimal("500.00")
MIDDLE_TIER_BASE = Decimal("30.00")
MIDDLE_TIER_RATE = Decimal("0.10")
HIGH_TIER_BASE = Decimal("65.00")
HIGH_TIER_RATE = Decimal("0.05")
FLAT_FEE_CAP = Decimal("2000.00")

DAYS_PER_YEAR = 365


def _amount(value: object, name: str) -> Decimal:
    """Return ``value`` as a finite Decimal; ints are exact and accepted, floats are not."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return value


def flat_fee(balance: Decimal) -> Decimal:
    """The flat fee ("forfaitaire kost") on the balance due after an unanswered reminder.

    Seed 2, art. 4.7 (rules.md §3), default table unless the organizer configures another rule:

    * ``B <= 150.00``: 20.00
    * ``150.00 < B <= 500.00``: 30.00 + 10 % of ``(B - 150.00)``
    * ``B > 500.00``: 65.00 + 5 % of ``(B - 500.00)``, at most 2,000.00

    65 and not 75 as the base of the last tier: see the module docstring. A balance of zero or
    less owes nothing (0.00). Raises ``TypeError`` for a float, string or other non-Decimal
    (ints are accepted) and ``ValueError`` for NaN or infinity. Returns a Decimal with 2 places.
    """
    balance = _amount(balance, "balance")
    if balance <= 0:
        fee = Decimal(0)
    elif balance <= LOW_TIER_LIMIT:
        fee = LOW_TIER_FEE
    elif balance <= MIDDLE_TIER_LIMIT:
        fee = MIDDLE_TIER_BASE + MIDDLE_TIER_RATE * (balance - LOW_TIER_LIMIT)
    else:
        fee = min(FLAT_FEE_CAP, HIGH_TIER_BASE + HIGH_TIER_RATE * (balance - MIDDLE_TIER_LIMIT))
    return fee.quantize(CENT, ROUND_HALF_UP)


def late_interest(balance: Decimal, annual_rate_percent: Decimal, days: int) -> Decimal:
    """Simple late interest ("verwijlinteresten"): ``balance x rate/100 x days/365``.

    Seed 2, art. 4.7: at most the reference rate of the law of 2 August 2002 (art. 5, second
    paragraph) plus 8 percentage points. The rate is staff data (a table per half-year, rules.md
    §3) and is passed in as a percentage, e.g. ``Decimal("10.5")``; this function does not check
    the ceiling. ``days`` counts the days after the reminder's term has passed; the caller
    splits a period that spans two half-years and adds the parts, each rounded here.

    A balance of zero or less bears no interest (0.00). Raises ``TypeError`` for a float or
    string amount/rate or a non-int ``days``, ``ValueError`` for a negative rate or negative
    days. The result is rounded half-up to the cent once, at the end.
    """
    balance = _amount(balance, "balance")
    rate = _amount(annual_rate_percent, "annual_rate_percent")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if rate < 0:
        raise ValueError("annual_rate_percent must not be negative")
    if days < 0:
        raise ValueError("days must not be negative")
    if balance <= 0:
        return Decimal("0.00")
    interest = balance * rate * days / (100 * DAYS_PER_YEAR)
    return interest.quantize(CENT, ROUND_HALF_UP)
