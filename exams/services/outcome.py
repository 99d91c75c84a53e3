"""Programme outcome from published results (seed 2, art. 9): passed, weighted percentage,
grade of merit."""

from typing import NamedTuple

from exams import grading
from exams.models import ProgrammeDecision
from exams.services.common import published_result


class Outcome(NamedTuple):
    passed: bool
    weighted_percentage: int | None
    grade: str | None
    favourable_deviation: bool


def unit_results(registration) -> list[tuple]:
    """(unit, published current result or None) per unit; the latest published chance counts."""
    enrolments = {}
    for enrolment in registration.exam_enrolments.select_related("unit").order_by("chance"):
        enrolments.setdefault(enrolment.unit_id, []).append(enrolment)
    pairs = []
    for unit in registration.edition.course.units.all():
        result = None
        for enrolment in enrolments.get(unit.pk, []):
            result = published_result(enrolment) or result
        pairs.append((unit, result))
    return pairs


def current_decision(registration) -> ProgrammeDecision | None:
    return registration.programme_decisions.filter(superseded_by__isnull=True).first()


def programme_outcome(registration) -> Outcome:
    return outcome_of(unit_results(registration), current_decision(registration),
                      uses_weighted_percentage=registration.edition.course.uses_weighted_percentage)


def outcome_of(unit_results: list[tuple], decision: ProgrammeDecision | None, *,
               uses_weighted_percentage: bool) -> Outcome:
    """The outcome from (unit, published current result or None) pairs and the current
    decision."""
    pairs = [
        (None if result is None else result.grading_value, unit.credits)
        for unit, result in unit_results
    ]
    deviation = bool(decision and decision.favourable_deviation)
    passed = grading.programme_passed(pairs, favourable_deviation=deviation)
    percentage = grade = None
    if uses_weighted_percentage:
        percentage = grading.weighted_percentage(pairs)
        if passed and percentage is not None:
            grade = grading.grade_of_merit(percentage)
    return Outcome(passed, percentage, grade, deviation)
