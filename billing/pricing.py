"""Amounts on an invoice line and voucher discounts: pure, Decimal, half-up at the end.

Rules.md §2: net, VAT and total per line; VAT 21 % or exempt (rate 0 with the legal mention).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount of at least 0")
    return value


@dataclass(frozen=True)
class LineAmounts:
    amount: Decimal
    discount: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal


def line_amounts(amount: Decimal, discount: Decimal, vat_rate_percent: Decimal) -> LineAmounts:
    """Net = amount - discount; VAT = net x rate, rounded half-up to the cent; total = net + VAT."""
    amount = _cents(_decimal(amount, "amount"))
    discount = _cents(_decimal(discount, "discount"))
    rate = _decimal(vat_rate_percent, "vat_rate_percent")
    if discount > amount:
        raise ValueError("the discount cannot exceed the amount")
    if rate > 100:
        raise ValueError("vat_rate_percent must not exceed 100")
    net = amount - discount
    vat = _cents(net * rate / 100)
    return LineAmounts(amount=amount, discount=discount, net=net, vat=vat, total=net + vat)


def voucher_discount(fee: Decimal, kind: str, value: Decimal) -> Decimal:
    """What a voucher takes off one registration's fee, never more than the fee.

    `kind` is "percentage" (value 0-100, of the fee, rounded half-up) or "fixed" (an amount).
    """
    fee = _decimal(fee, "fee")
    value = _decimal(value, "value")
    if kind == "percentage":
        if value > 100:
            raise ValueError("a percentage cannot exceed 100")
        return min(fee, _cents(fee * value / 100))
    if kind == "fixed":
        return min(fee, _cents(value))
    raise ValueError(f"unknown voucher kind {kind!r}")
