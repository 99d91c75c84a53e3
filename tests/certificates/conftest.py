"""Given: an organizer whose certificates are signed by a named person; a short course with five
sessions (attendance threshold 80%); a postgraduate with a weighted percentage and a
micro-credential, each with two units (6 and 4 credits) and published first-chance results."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

BRUSSELS = ZoneInfo("Europe/Brussels")
SIGNATORY = "Prof. dr. Els Janssens"


@pytest.fixture
def organizer(db):
    from certificates.models import Signatory
    from tests.factories import OrganizerFactory

    organizer = OrganizerFactory(name="Academie voor Levenslang Leren", city="Gent")
    Signatory.objects.create(organizer=organizer, name=SIGNATORY, function_nl="Voorzitter",
                             function_en="Chair")
    return organizer


@pytest.fixture
def holder(participant):
    participant.first_name, participant.last_name = "Anna", "Peeters"
    participant.preferred_language = "nl"
    participant.date_of_birth = date(1985, 4, 12)
    participant.save()
    return participant


@pytest.fixture
def short_registration(organizer, holder):
    """A confirmed registration for a short course of five sessions, threshold 80%."""
    from tests.factories import (
        CourseFactory,
        EditionFactory,
        RegistrationFactory,
        SessionFactory,
    )

    course = CourseFactory(organizer=organizer, title_nl="Timemanagement voor teams",
                           title_en="Time management for teams", total_credits=Decimal("0"))
    edition = EditionFactory(course=course, code="TM-26", start=date(2026, 10, 5),
                             end=date(2026, 11, 2), attendance_threshold_percent=80)
    for week in range(5):
        SessionFactory(edition=edition, starts_at=datetime(2026, 10, 5, 9, tzinfo=BRUSSELS)
                       + timedelta(weeks=week),
                       ends_at=datetime(2026, 10, 5, 12, tzinfo=BRUSSELS) + timedelta(weeks=week))
    return RegistrationFactory(user=holder, edition=edition)


def attend(registration, present: int, absent: int = 0, user=None):
    """Record `present` sessions attended and `absent` missed, in session order."""
    from exams.models import Attendance

    sessions = list(registration.edition.sessions.order_by("starts_at"))
    for index, session in enumerate(sessions[: present + absent]):
        Attendance.objects.update_or_create(
            registration=registration, session=session,
            defaults={"present": index < present, "recorded_by": user},
        )


def _programme(organizer, kind, title_nl, title_en, weighted):
    from tests.factories import CourseFactory, CourseUnitFactory

    course = CourseFactory(organizer=organizer, kind=kind, total_credits=Decimal("10"),
                           uses_weighted_percentage=weighted, title_nl=title_nl,
                           title_en=title_en)
    CourseUnitFactory(course=course, code=f"{course.code}-1", credits=Decimal("6"), position=1,
                      title_nl="Statistiek", title_en="Statistics")
    CourseUnitFactory(course=course, code=f"{course.code}-2", credits=Decimal("4"), position=2,
                      title_nl="Ethiek", title_en="Ethics")
    return course


def _enrolled(course, holder):
    from exams.models import ExamPeriod
    from exams.services.enrolment import enrol_first_chance
    from tests.factories import AcademicYearFactory, EditionFactory, RegistrationFactory

    year = AcademicYearFactory()
    ExamPeriod.objects.get_or_create(
        academic_year=year, organizer=course.organizer, chance=1,
        defaults={"start": date(2027, 6, 1), "end": date(2027, 6, 30)},
    )
    edition = EditionFactory(course=course, academic_year=year, code=f"{course.code}-26",
                             start=date(2026, 9, 28), end=date(2027, 6, 30))
    registration = RegistrationFactory(user=holder, edition=edition)
    enrol_first_chance(registration, today=date(2026, 9, 1))
    return registration


@pytest.fixture
def postgraduate_registration(organizer, holder):
    from courses.models import Course

    course = _programme(organizer, Course.Kind.POSTGRADUATE, "Postgraduaat Data",
                        "Postgraduate Data", weighted=True)
    return _enrolled(course, holder)


@pytest.fixture
def micro_registration(organizer, holder):
    from courses.models import Course

    course = _programme(organizer, Course.Kind.MICROCREDENTIAL, "Microcredential AI",
                        "Micro-credential AI", weighted=False)
    return _enrolled(course, holder)


def results(registration, user, *values, publish=True):
    """Enter a first-chance result per unit (in unit order) and publish the period."""
    from exams.models import ExamPeriod, Publication
    from exams.services.results import record_result

    units = list(registration.edition.course.units.order_by("position"))
    for unit, value in zip(units, values, strict=True):
        enrolment = registration.exam_enrolments.get(unit=unit, chance=1)
        kwargs = {"code": value} if isinstance(value, str) else {"value": Decimal(value)}
        record_result(enrolment, user=user, **kwargs)
    if publish:
        period = ExamPeriod.objects.get(organizer=registration.edition.course.organizer,
                                        chance=1)
        Publication.objects.get_or_create(period=period, course=registration.edition.course,
                                          defaults={"published_by": user})
