"""The daily `A` after 8 August (art. 8.5) and the programme outcome (art. 9)."""

from datetime import date

import pytest

from exams.models import Enrolment, ProgrammeDecision, Result
from exams.services.absence import auto_absent
from exams.services.enrolment import enrol_second_chance
from exams.services.outcome import programme_outcome
from tests.exams.conftest import enter, publish_period


@pytest.fixture
def both_failed(registration, periods, exam_committee_member):
    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "7", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    return registration


def test_no_a_until_the_window_has_closed(both_failed):
    assert auto_absent(date(2027, 8, 8)) == 0
    assert not Enrolment.objects.filter(chance=2).exists()


def test_a_for_failed_units_without_enrolment_idempotent(both_failed, participant):
    enrol_second_chance(participant, both_failed.exam_enrolments.get(unit__code="DATA1").pk,
                        date(2027, 8, 8))
    assert auto_absent(date(2027, 8, 9)) == 1
    assert auto_absent(date(2027, 8, 9)) == 0
    assert auto_absent(date(2027, 8, 10)) == 0
    second = both_failed.exam_enrolments.get(unit__code="DATA2", chance=2)
    assert second.origin == "not_enrolled"
    result = Result.objects.current().get(enrolment=second)
    assert (result.code, result.entered_by) == ("A", None)
    assert "8.5" in result.reason
    enrolled = both_failed.exam_enrolments.get(unit__code="DATA1", chance=2)
    assert not enrolled.results.exists()


def test_no_a_for_once_a_year_units_or_passed_or_unpublished(registration, periods,
                                                            exam_committee_member):
    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "15", exam_committee_member)
    assert auto_absent(date(2027, 8, 9)) == 0  # not published
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    unit = registration.edition.course.units.get(code="DATA1")
    unit.examinable_once_a_year = True
    unit.save()
    assert auto_absent(date(2027, 8, 9)) == 0


def test_weighted_percentage_from_entered_results_is_the_worked_example(
        registration, periods, exam_committee_member):
    enter(registration, "DATA1", "14", exam_committee_member)
    enter(registration, "DATA2", "12", exam_committee_member)
    assert programme_outcome(registration) == (False, None, None, False)  # not published
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    assert programme_outcome(registration) == (True, 66, "satisfaction", False)


def test_second_chance_result_counts_and_exemptions_do_not(both_failed, periods,
                                                           exam_committee_member, participant):
    enter(both_failed, "DATA1", "V", exam_committee_member, reason="exemption granted")
    enrol_second_chance(participant, both_failed.exam_enrolments.get(unit__code="DATA2").pk,
                        date(2027, 7, 15))
    enter(both_failed, "DATA2", "17", exam_committee_member, chance=2)
    assert programme_outcome(both_failed).passed is False  # second period not published
    publish_period(periods[1], both_failed.edition.course, exam_committee_member)
    assert programme_outcome(both_failed) == (True, 85, "greatest_distinction", False)


def test_favourable_deviation_passes_append_only(both_failed, exam_committee_member):
    first = ProgrammeDecision.objects.create(registration=both_failed, reason="force majeure",
                                             decided_by=exam_committee_member)
    outcome = programme_outcome(both_failed)
    assert outcome.passed and outcome.favourable_deviation
    assert outcome.grade is None  # 38 % reaches no grade
    ProgrammeDecision.objects.create(registration=both_failed, favourable_deviation=False,
                                     reason="decision withdrawn", supersedes=first,
                                     decided_by=exam_committee_member)
    assert not programme_outcome(both_failed).passed


def test_no_percentage_when_the_programme_does_not_use_one(registration, periods,
                                                           exam_committee_member):
    course = registration.edition.course
    course.uses_weighted_percentage = False
    course.save()
    enter(registration, "DATA1", "14", exam_committee_member)
    enter(registration, "DATA2", "12", exam_committee_member)
    publish_period(periods[0], course, exam_committee_member)
    assert programme_outcome(registration) == (True, None, None, False)
