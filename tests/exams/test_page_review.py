"""The exams page: a weighted percentage only once it is final; a fixed number of queries."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.exams.conftest import enter, publish_period


def test_no_partial_weighted_percentage_while_a_unit_awaits_its_result(
    client, participant, registration, periods, exam_committee_member
):
    """14/20 on DATA1 published, DATA2 not yet graded: the page must not announce 70 % as the
    programme's weighted percentage (it would become 66 % once DATA2 is 12/20)."""
    enter(registration, "DATA1", "14", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    client.force_login(participant)
    page = client.get("/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "14/20" in page
    assert f'id="percentage-{registration.pk}"' not in page
    assert "70 %" not in page
    assert "once every course unit has a published result" in page

    enter(registration, "DATA2", "12", exam_committee_member)
    page = client.get("/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="percentage-{registration.pk}">66 %' in page


def test_no_percentage_from_a_first_chance_while_the_second_chance_is_pending(
    client, participant, registration, periods, exam_committee_member
):
    """DATA1 failed (8/20) and the participant enrolled for the second chance: the 8 is not the
    unit's final result, so no programme percentage yet."""
    from exams.models import Enrolment

    enter(registration, "DATA1", "8", exam_committee_member)
    enter(registration, "DATA2", "12", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    first = registration.exam_enrolments.get(unit__code="DATA1")
    Enrolment.objects.create(registration=registration, unit=first.unit, chance=2,
                             origin="participant", enrolled_on=date(2027, 7, 12))
    client.force_login(participant)
    page = client.get("/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="percentage-{registration.pk}"' not in page
    assert f'id="percentage-pending-{registration.pk}"' in page


def test_queries_do_not_grow_with_programmes(client, participant, registration, periods,
                                             exam_committee_member):
    from courses.models import Course
    from exams.services.enrolment import enrol_first_chance
    from tests.factories import (
        CourseFactory,
        CourseUnitFactory,
        EditionFactory,
        RegistrationFactory,
        SessionFactory,
    )

    enter(registration, "DATA1", "14", exam_committee_member)
    publish_period(periods[0], registration.edition.course, exam_committee_member)
    registration.edition.course.units.filter(code="DATA2").update(attendance_required=True)
    client.force_login(participant)
    with CaptureQueriesContext(connection) as few:
        client.get("/exams/")
    for number in range(3):
        course = CourseFactory(kind=Course.Kind.POSTGRADUATE, uses_weighted_percentage=True,
                               organizer=registration.edition.course.organizer)
        for position in range(3):
            unit = CourseUnitFactory(course=course, code=f"U{number}{position}",
                                     position=position, attendance_required=position == 1)
        other = RegistrationFactory(
            user=participant,
            edition=EditionFactory(course=course, academic_year=periods[0].academic_year))
        enrol_first_chance(other, today=date(2026, 9, 1))
        SessionFactory(edition=other.edition, unit=unit,
                       starts_at=timezone.now() - timedelta(days=1))
        enter(other, f"U{number}0", "15", exam_committee_member)
        publish_period(periods[0], course, exam_committee_member)
    with CaptureQueriesContext(connection) as many:
        client.get("/exams/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_insufficient_attendance_is_shown_on_the_page(client, participant, registration):
    from exams.models import Attendance
    from tests.factories import SessionFactory

    unit = registration.edition.course.units.get(code="DATA2")
    unit.attendance_required, unit.attendance_threshold_percent = True, 75
    unit.save()
    past = timezone.now() - timedelta(days=2)
    sessions = [SessionFactory(edition=registration.edition, unit=unit,
                               starts_at=past + timedelta(hours=i)) for i in range(4)]
    SessionFactory(edition=registration.edition, unit=unit,
                   starts_at=timezone.now() + timedelta(days=3))  # not held yet: not counted
    for session in sessions[:2]:
        Attendance.objects.create(registration=registration, session=session, present=True)
    client.force_login(participant)
    page = client.get("/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Insufficient attendance (art. 8.3): 2 of 4 sessions, 75% required." in page
    Attendance.objects.create(registration=registration, session=sessions[2], present=True)
    page = client.get("/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Insufficient attendance" not in page
