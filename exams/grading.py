"""Weighted percentage, programme passed, grade of merit (seed 2, art. 9; rules.md §6).

Pure functions over plain values; no Django import. A result is a number from 0 to 20 (an int or
a Decimal; floats are refused) or a non-numeric code (a string, e.g. ``"V"`` exemption or ``"A"``
unjustified absence); ``None`` means "no result yet".
"""

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import NamedTuple

PASS_MARK = 10
MAX_RESULT = 20
EXEMPTION_CODES = frozenset({"V"})  # vrijstelling
UNJUSTIFIED_ABSENCE = "A"  # ongewettigd afwezig

Result = int | Decimal | str | None

_NUMBER_AS_TEXT = re.compile(r"\s*[+-]?\d+([.,]\d*)?\s*")


class GradeThreshold(NamedTuple):
    minimum_percentage: int
    grade: str


# The grade of merit is data: seed 2, art. 9.4 refers to "the grade as described in art. 16.9
# OER" without giving figures. These defaults are the usual Flemish thresholds; an organizer whose
# OER says otherwise passes its own table. Highest first.
DEFAULT_GRADE_THRESHOLDS: tuple[GradeThreshold, ...] = (
    GradeThreshold(85, "greatest_distinction"),
    GradeThreshold(77, "great_distinction"),
    GradeThreshold(68, "distinction"),
    GradeThreshold(50, "satisfaction"),
)
GRADE_LABELS_NL = {
    "greatest_distinction": "met de grootste onderscheiding",
    "great_distinction": "met grote onderscheiding",
    "distinction": "met onderscheiding",
    "satisfaction": "op voldoende wijze",
}


def _numeric(result: Result) -> Decimal | None:
    """The result as a Decimal when numeric, ``None`` for a code or a missing result."""
    if result is None:
        return None
    if isinstance(result, str):
        # A number written as text is a data error (a mark stored as text), not a code: refuse
        # it rather than silently leaving it out of the percentage. So is an empty code.
        if not result.strip() or _NUMBER_AS_TEXT.fullmatch(result):
            raise ValueError(f"not a result code: {result!r}")
        return None
    if isinstance(result, bool) or not isinstance(result, int | Decimal):
        raise TypeError(f"a result must be an int, Decimal or code, not {type(result).__name__}")
    if isinstance(result, Decimal) and not result.is_finite():
        raise ValueError(f"a result must be a finite number, not {result}")
    if not 0 <= result <= MAX_RESULT:
        raise ValueError(f"a result must lie between 0 and {MAX_RESULT}, not {result}")
    return Decimal(result)


def _credits(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"credits must be an int or Decimal, not {type(value).__name__}")
    if (isinstance(value, Decimal) and not value.is_finite()) or not value > 0:
        raise ValueError(f"credits must be positive, not {value}")
    return Decimal(value)


def weighted_percentage(results: Iterable[tuple[Result, int | Decimal]]) -> int | None:
    """The weighted percentage of ``(result, credits)`` pairs, as a whole number.

    Seed 2, art. 9.3 (rules.md §6): ``sum(result x credits) / (20 x sum(credits)) x 100``,
    rounded up when the first decimal is at least 5, down otherwise (half-up). Exemptions and
    non-numeric results count in neither sum. ``None`` when no numeric result remains.
    Example: 14/20 on 6 credits and 12/20 on 4 credits -> 66.

    Raises ``TypeError`` for a float (or other non-number) result or credits, ``ValueError``
    for a result outside 0-20, a result code that is a number written as text, or credits
    that are not positive.
    """
    weighted_sum = Decimal(0)
    credit_sum = Decimal(0)
    for result, credits in results:
        credits = _credits(credits)
        numeric = _numeric(result)
        if numeric is not None:
            weighted_sum += numeric * credits
            credit_sum += credits
    if credit_sum == 0:
        return None
    with localcontext() as context:
        context.prec = 50  # room enough that the half-up decision is exact
        percentage = weighted_sum * 100 / (MAX_RESULT * credit_sum)
        return int(percentage.quantize(Decimal(1), ROUND_HALF_UP))


def unit_passed(result: Result, exemption_codes: frozenset[str] = EXEMPTION_CODES) -> bool:
    """Whether one course unit is passed: a numeric result of at least 10, or an exemption.

    Seed 2, art. 9.1 and rules.md §6 (pass mark 10 on 20). Other codes (``"A"``...) and a
    missing result (``None``) are not passed.
    """
    numeric = _numeric(result)
    if numeric is not None:
        return numeric >= PASS_MARK
    return isinstance(result, str) and result.strip().upper() in exemption_codes


def programme_passed(
    results: Iterable[tuple[Result, int | Decimal]],
    favourable_deviation: bool = False,
    exemption_codes: frozenset[str] = EXEMPTION_CODES,
) -> bool:
    """Whether the programme is passed: every unit passed, exemptions aside.

    Seed 2, art. 9.1 (rules.md §6). ``results`` are the same ``(result, credits)`` pairs as for
    ``weighted_percentage``. ``favourable_deviation`` is the exam committee's recorded decision
    to deviate from this zero tolerance in the participant's favour: the programme is then
    passed. A programme without any result is not passed.
    """
    pairs = list(results)
    for _, credits in pairs:
        _credits(credits)
    if favourable_deviation:
        return True
    return bool(pairs) and all(unit_passed(result, exemption_codes) for result, _ in pairs)


def grade_of_merit(
    percentage: int, thresholds: Sequence[GradeThreshold] = DEFAULT_GRADE_THRESHOLDS
) -> str | None:
    """The grade of merit for a passed programme's weighted percentage.

    Seed 2, art. 9.4: when the weighted percentage is used, the grade of art. 16.9 OER may be
    applied. The seed gives no thresholds; they are data (``thresholds``), by default 85
    greatest distinction, 77 great distinction, 68 distinction, 50 satisfaction. Returns the
    grade of the highest threshold reached, ``None`` below all of them (e.g. a programme passed
    by a favourable deviation: the caller decides what to print). Raises ``TypeError`` when
    ``percentage`` is not an int and ``ValueError`` outside 0-100.
    """
    if isinstance(percentage, bool) or not isinstance(percentage, int):
        raise TypeError(f"percentage must be an int, not {type(percentage).__name__}")
    if not 0 <= percentage <= 100:
        raise ValueError(f"percentage must lie between 0 and 100, not {percentage}")
    reached = [t for t in thresholds if percentage >= t.minimum_percentage]
    if not reached:
        return None
    return max(reached, key=lambda threshold: threshold.minimum_percentage).grade
