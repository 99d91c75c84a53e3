"""The exam committee enrols people by hand in the admin: only in a unit of the course they
registered for, and an enrolment's person, unit and chance (what its results are about) are not
changed afterwards."""

from datetime import date

import pytest
from django.urls import reverse

from exams.models import Enrolment
from tests.exams.conftest import enter
from tests.factories import CourseUnitFactory

pytestmark = pytest.mark.django_db


def test_an_enrolment_in_another_courses_unit_is_refused_in_words(
        client, exam_committee_member, registration):
    elsewhere = CourseUnitFactory()  # a unit of another course
    client.force_login(exam_committee_member)
    response = client.post(reverse("admin:exams_enrolment_add"), {
        "registration": registration.pk, "unit": elsewhere.pk, "chance": 1,
        "origin": "staff", "enrolled_on": "2026-11-27"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "unit": ["This course unit is not part of the course of this registration."]}
    assert not Enrolment.objects.filter(unit=elsewhere).exists()


def test_an_enrolment_in_a_unit_of_the_registrations_course_is_saved(
        client, exam_committee_member, registration):
    unit = registration.edition.course.units.get(code="DATA2")
    client.force_login(exam_committee_member)
    response = client.post(reverse("admin:exams_enrolment_add"), {
        "registration": registration.pk, "unit": unit.pk, "chance": 2,
        "origin": "staff", "enrolled_on": "2026-11-27"})
    assert response.status_code == 302
    assert Enrolment.objects.filter(registration=registration, unit=unit, chance=2).exists()


def test_an_enrolments_person_unit_and_chance_stay_as_they_are(
        client, exam_committee_member, registration):
    """Its results are about this person, unit and chance: moving the enrolment would move
    them (and a certificate issued on them) to another unit or chance."""
    enrolment = registration.exam_enrolments.get(unit__code="DATA1", chance=1)
    enter(registration, "DATA1", "14", exam_committee_member)
    other_unit = registration.edition.course.units.get(code="DATA2")
    client.force_login(exam_committee_member)
    url = reverse("admin:exams_enrolment_change", args=[enrolment.pk])
    form = client.get(url).context["adminform"].form
    assert {"registration", "unit", "chance"}.isdisjoint(form.fields)
    response = client.post(url, {
        "registration": registration.pk, "unit": other_unit.pk, "chance": 2,
        "origin": "staff", "enrolled_on": "2026-11-27"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.unit.code, enrolment.chance) == ("DATA1", 1)
    assert enrolment.enrolled_on == date(2026, 11, 27)
