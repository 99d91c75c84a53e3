"""Size of the exam committee (LEC) and the management team (LMT) by ECTS (seed 2, art. 10-11).

Pure functions; no Django import. ECTS may be an int or a Decimal (floats are refused).
"""

from decimal import Decimal

# Seed 2, art. 10.1 and 11.1: the limits change at 20 ECTS ("vanaf 20 ECTS": 20 included).
LARGE_PROGRAMME_ECTS = 20
# (minimum, maximum or None) for programmes below / from 20 ECTS.
SIZE_LIMITS: dict[str, dict[bool, tuple[int, int | None]]] = {
    "LEC": {False: (1, None), True: (3, None)},
    "LMT": {False: (1, None), True: (2, 5)},
}
TOO_FEW_MEMBERS = "too_few_members"
TOO_MANY_MEMBERS = "too_many_members"


def size_limits(kind: str, ects: int | Decimal) -> tuple[int, int | None]:
    """The (minimum, maximum) number of members; maximum ``None`` when there is none.

    Seed 2, art. 10.1 (LEC): at least 3 members from 20 ECTS, at least 1 below. Seed 2, art.
    11.1 (LMT): 2 to 5 members from 20 ECTS, at least 1 below (the seed says this for
    micro-credentials under 20 ECTS; a postgraduate has at least 20). 19.9 ECTS is below, 20
    is from. ``kind`` is ``"LEC"`` or ``"LMT"`` (``ValueError`` otherwise); ``TypeError`` for a
    float or other non-number ``ects``, ``ValueError`` for a negative one. Art. 10.1 lets the
    Academy allow exceptions: that is a recorded staff decision, not this check.
    """
    if kind not in SIZE_LIMITS:
        raise ValueError(f"kind must be 'LEC' or 'LMT', not {kind!r}")
    if isinstance(ects, bool) or not isinstance(ects, int | Decimal):
        raise TypeError(f"ects must be an int or Decimal, not {type(ects).__name__}")
    if (isinstance(ects, Decimal) and not ects.is_finite()) or ects < 0:
        raise ValueError(f"ects must be a finite, non-negative number, not {ects}")
    return SIZE_LIMITS[kind][ects >= LARGE_PROGRAMME_ECTS]


def size_error(kind: str, ects: int | Decimal, members: int) -> str | None:
    """``"too_few_members"``, ``"too_many_members"``, or ``None`` when the size is allowed.

    Seed 2, art. 10.1 and 11.1; see ``size_limits``. The returned key is meant for a form error
    message.
    """
    if isinstance(members, bool) or not isinstance(members, int):
        raise TypeError(f"members must be an int, not {type(members).__name__}")
    if members < 0:
        raise ValueError("members must not be negative")
    minimum, maximum = size_limits(kind, ects)
    if members < minimum:
        return TOO_FEW_MEMBERS
    if maximum is not None and members > maximum:
        return TOO_MANY_MEMBERS
    return None
