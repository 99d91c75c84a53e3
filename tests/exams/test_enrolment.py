"""Enrolment per chance: automatic first chance; second chance only for failed units, from 11
July up to and including 8 August (seed 2, art. 8.5); none for units examinable once a year."""

from datetime import date

import pytest
from django.core.management import call_command

from exams.models import Enrolment
from exams.services.enrolment import EnrolmentRefused, enrol_first_chance, enrol_second_chance
from tests.exams.conftest import enrolment, enter, publish_period
from tests.factories import RegistrationFactory


def test_first_chance_for_every_unit_idempotent(registration):
    assert sorted(registration.exam_enrolments.values_list("unit__code", "chance", "origin")) == [
        ("DATA1", 1, "automatic"), ("DATA2", 1, "automatic")]
    assert enrol_first_chance(registration) == 0
    assert registration.exam_enrolments.count() == 2


def test_cancelled_registration_is_not_enrolled(programme, periods):
    registration = RegistrationFactory(edition__course=programme, status="cancelled")
    assert enrol_first_chance(registration) == 0


def test_management_command_enrols_existing_registrations(programme, periods):
    registration = RegistrationFactory(edition__course=programme)
    call_command("enrol_first_chances")
    call_command("enrol_first_chances")
    assert registration.exam_enrolments.count() == 2


@pytest.fixture
def failed(registration, periods, exam_committee_member):
    enter(registration, "DATA1", "8.5", exam_committee_member)
    enter(registration, "DATA2", "14", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    return enrolment(registration, "DATA1")


@pytest.mark.parametrize("day,allowed", [
    (date(2027, 7, 10), False),
    (date(2027, 7, 11), True),
    (date(2027, 8, 8), True),
    (date(2027, 8, 9), False),
])
def test_window_boundaries(failed, participant, day, allowed):
    if allowed:
        second = enrol_second_chance(participant, failed.pk, day)
        assert (second.chance, second.origin, second.enrolled_on) == (2, "participant", day)
        # twice is once
        assert enrol_second_chance(participant, failed.pk, day) == second
    else:
        with pytest.raises(EnrolmentRefused, match="11/07/2027.*08/08/2027"):
            enrol_second_chance(participant, failed.pk, day)
        assert not Enrolment.objects.filter(chance=2).exists()


def test_window_of_another_year_does_not_count(failed, participant):
    with pytest.raises(EnrolmentRefused):
        enrol_second_chance(participant, failed.pk, date(2026, 7, 20))


def test_passed_unit_has_no_second_chance(failed, registration, participant):
    with pytest.raises(EnrolmentRefused, match="failed"):
        enrol_second_chance(participant, enrolment(registration, "DATA2").pk, date(2027, 7, 20))


def test_unpublished_failure_does_not_open_the_second_chance(registration, participant,
                                                             exam_committee_member):
    enter(registration, "DATA1", "3", exam_committee_member)
    with pytest.raises(EnrolmentRefused):
        enrol_second_chance(participant, enrolment(registration, "DATA1").pk, date(2027, 7, 20))


def test_once_a_year_unit_has_no_second_chance(failed, participant):
    failed.unit.examinable_once_a_year = True
    failed.unit.save()
    with pytest.raises(EnrolmentRefused, match="once a year"):
        enrol_second_chance(participant, failed.pk, date(2027, 7, 20))


def test_someone_else_cannot_enrol_me(failed, other_participant):
    with pytest.raises(EnrolmentRefused):
        enrol_second_chance(other_participant, failed.pk, date(2027, 7, 20))
