"""Exam chances and the second-chance enrolment window (seed 2, art. 8; rules.md §6).

Pure functions over dates and ints; no Django import. The window's dates are data (defaults from
the seed) so an organizer with another calendar (art. 7.1) can pass its own.
"""

from datetime import date, datetime

from exams.grading import UNJUSTIFIED_ABSENCE

# Seed 2, art. 8.5: enrolment for the second chance "van 11 juli tot en met 8 augustus".
SECOND_CHANCE_OPENS = (7, 11)  # (month, day)
SECOND_CHANCE_CLOSES = (8, 8)  # inclusive
CHANCES_PER_YEAR = 2
CHANCES_PER_YEAR_ONCE_EXAMINABLE = 1


def _day(value: object, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def second_chance_window(
    year: int,
    opens: tuple[int, int] = SECOND_CHANCE_OPENS,
    closes: tuple[int, int] = SECOND_CHANCE_CLOSES,
) -> tuple[date, date]:
    """First and last day (both included) of the second-chance enrolment in calendar ``year``.

    Seed 2, art. 8.5 (rules.md §6): from 11 July up to and including 8 August. ``year`` is the
    calendar year of that summer, i.e. the academic year 2026-2027 has its window in 2027.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, not {type(year).__name__}")
    first, last = date(year, *opens), date(year, *closes)
    if last < first:
        raise ValueError("the window must not close before it opens")
    return first, last


def may_enrol_for_second_chance(
    on: date,
    opens: tuple[int, int] = SECOND_CHANCE_OPENS,
    closes: tuple[int, int] = SECOND_CHANCE_CLOSES,
) -> bool:
    """Whether a participant may enrol for the second chance on day ``on``.

    Seed 2, art. 8.5: true from 11 July up to and including 8 August of ``on``'s year.
    """
    on = _day(on, "on")
    first, last = second_chance_window(on.year, opens, closes)
    return first <= on <= last


def result_without_enrolment(
    failed: bool,
    enrolled_on: date | None,
    year: int,
    opens: tuple[int, int] = SECOND_CHANCE_OPENS,
    closes: tuple[int, int] = SECOND_CHANCE_CLOSES,
) -> str | None:
    """The second-chance result for a unit that was not (validly) enrolled for, else ``None``.

    Seed 2, art. 8.5: a participant who did not enrol by 8 August for a failed unit cannot sit
    its second chance and gets ``"A"`` (unjustified absence) for that chance. An enrolment
    outside the window does not count. A unit that was not failed needs no enrolment (``None``).
    """
    if not failed:
        return None
    if enrolled_on is not None:
        enrolled_on = _day(enrolled_on, "enrolled_on")
        first, last = second_chance_window(year, opens, closes)
        if first <= enrolled_on <= last:
            return None
    return UNJUSTIFIED_ABSENCE


def may_examine_again(examinable_once_a_year: bool, chances_used: int) -> bool:
    """Whether a unit may still be examined this academic year.

    Seed 2, art. 8.1-8.2 (rules.md §6): two exam chances per academic year, or one when the LMT
    has marked the unit as examinable once a year (then the participant re-registers for it
    next year). ``chances_used`` counts this academic year's chances already taken.
    """
    if not isinstance(examinable_once_a_year, bool):
        raise TypeError("examinable_once_a_year must be a bool")
    if isinstance(chances_used, bool) or not isinstance(chances_used, int):
        raise TypeError(f"chances_used must be an int, not {type(chances_used).__name__}")
    if chances_used < 0:
        raise ValueError("chances_used must not be negative")
    limit = CHANCES_PER_YEAR_ONCE_EXAMINABLE if examinable_once_a_year else CHANCES_PER_YEAR
    return chances_used < limit
