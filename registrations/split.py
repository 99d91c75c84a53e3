"""The split of a fee into what the organizer keeps and what it refunds (rules.md §4).

Shared by the cancellation policies (``registrations/policies.py``) and the organizer's changes
(``registrations/organizer_changes.py``). Pure values, no Django import.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: object, name: str) -> Decimal:
    """Return ``value`` as a finite, non-negative Decimal.

    Raises ``TypeError`` for floats, strings and other non-Decimals (ints are exact and accepted;
    bools are refused) and ``ValueError`` for NaN, infinity or a negative amount.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def fee_in_cents(value: object, name: str = "fee") -> Decimal:
    """A fee as a Decimal with 2 places; ``ValueError`` when it has a fraction of a cent.

    A fee that is not a whole number of cents could not be split into two cent amounts that add
    up to it exactly, so it is refused rather than silently rounded.
    """
    value = money(value, name)
    if value != value.quantize(CENT):
        raise ValueError(f"{name} must be a whole number of cents")
    return value.quantize(CENT)


def round_cent(value: Decimal) -> Decimal:
    """Round half-up to the cent: done once, at the end of each computation (rules.md §4)."""
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Split:
    """What is kept and what is refunded of a fee; ``kept + refunded == fee`` always.

    Both are Decimals with 2 places and neither is negative (checked on construction).
    """

    kept: Decimal
    refunded: Decimal

    def __post_init__(self) -> None:
        for name in ("kept", "refunded"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
            fee_in_cents(value, name)  # finite, not negative, whole cents
            if value.as_tuple().exponent != -2:
                raise ValueError(f"{name} must have exactly 2 decimal places")

    @property
    def fee(self) -> Decimal:
        return self.kept + self.refunded

    @classmethod
    def keep(cls, fee: Decimal, kept: Decimal) -> "Split":
        """Keep ``kept`` (rounded half-up to the cent, capped at the fee), refund the rest."""
        kept = min(fee, round_cent(kept))
        return cls(kept=kept, refunded=fee - kept)

    @classmethod
    def refund(cls, fee: Decimal, refunded: Decimal) -> "Split":
        """Refund ``refunded`` (rounded half-up to the cent, capped at the fee), keep the rest."""
        refunded = min(fee, round_cent(refunded))
        return cls(kept=fee - refunded, refunded=refunded)
