"""Amounts, numbers and dates as the portal shows them, in the active language.

Euro amounts: "€ 1.234,50" in Dutch, "€1,234.50" in English. Dates: dd/mm/yyyy in both.
The functions are plain (usable from Python, e.g. courses.conditions); the filters wrap them.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()

CENT = Decimal("0.01")


def _language(language: str | None) -> str:
    return (language or get_language() or "nl")[:2]


def _group(value: Decimal, places: int, language: str) -> str:
    """``value`` with thousands grouping and ``places`` decimals, in the language's separators."""
    text = f"{value:,.{places}f}"  # 1,234.50
    if language == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return result if result.is_finite() else None


def format_euro(amount, language: str | None = None) -> str:
    """An amount in euro, rounded half-up to the cent: "€ 1.234,50" (nl) or "€1,234.50" (en)."""
    value = _decimal(amount)
    if value is None:
        return ""
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    language = _language(language)
    sign = "-" if value < 0 else ""
    number = _group(abs(value), 2, language)
    return f"{sign}€ {number}" if language == "nl" else f"{sign}€{number}"


def format_number(value, language: str | None = None) -> str:
    """A decimal without trailing zeros: 20.0 -> "20", 7.50 -> "7,5" (nl) / "7.5" (en)."""
    number = _decimal(value)
    if number is None:
        return ""
    language = _language(language)
    if number == number.to_integral_value():
        return _group(number.to_integral_value(), 0, language)
    places = max(0, -number.normalize().as_tuple().exponent)
    return _group(number, places, language)


def format_percent(value, language: str | None = None) -> str:
    """A percentage: 10.00 -> "10 %", 12.50 -> "12,5 %" (nl) / "12.5 %" (en)."""
    number = format_number(value, language)
    return f"{number} %" if number else ""


def format_date(value: date | None) -> str:
    """A calendar date as dd/mm/yyyy (both languages)."""
    return value.strftime("%d/%m/%Y") if value else ""


@register.filter
def euro(amount) -> str:
    return format_euro(amount)


@register.filter
def number(value) -> str:
    return format_number(value)


@register.filter
def percent(value) -> str:
    return format_percent(value)


@register.filter
def ddmmyyyy(value) -> str:
    return format_date(value)


def format_iban(iban: str) -> str:
    """An IBAN in groups of four, as on the invoice PDF and on paper: ``BE68 5390 0754 7034``."""
    compact = "".join((iban or "").split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@register.filter
def iban(value) -> str:
    return format_iban(value)
