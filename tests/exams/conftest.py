"""A programme of the academic year 2026-2027 (second-chance window 11 July - 8 August 2027):
two units of 6 and 4 credits, a confirmed registration, both exam periods."""

from datetime import date
from decimal import Decimal

import pytest

WINDOW_YEAR = 2027


@pytest.fixture
def programme(db):
    from courses.models import Course
    from tests.factories import CourseFactory, CourseUnitFactory

    course = CourseFactory(kind=Course.Kind.POSTGRADUATE, total_credits=Decimal("10"),
                           uses_weighted_percentage=True, title_nl="Postgraduaat Data")
    CourseUnitFactory(course=course, code="DATA1", credits=Decimal("6"), position=1,
                      title_nl="Statistiek", title_en="Statistics")
    CourseUnitFactory(course=course, code="DATA2", credits=Decimal("4"), position=2,
                      title_nl="Ethiek", title_en="Ethics")
    return course


@pytest.fixture
def periods(programme):
    from exams.models import ExamPeriod
    from tests.factories import AcademicYearFactory

    year = AcademicYearFactory()
    first = ExamPeriod.objects.create(academic_year=year, organizer=programme.organizer,
                                      chance=1, start=date(2027, 6, 1), end=date(2027, 6, 30))
    second = ExamPeriod.objects.create(academic_year=year, organizer=programme.organizer,
                                       chance=2, start=date(2027, 8, 20), end=date(2027, 9, 5))
    return first, second


@pytest.fixture
def registration(programme, periods, participant):
    from exams.services.enrolment import enrol_first_chance
    from tests.factories import EditionFactory, RegistrationFactory

    edition = EditionFactory(course=programme, academic_year=periods[0].academic_year)
    registration = RegistrationFactory(user=participant, edition=edition)
    enrol_first_chance(registration, today=date(2026, 9, 1))
    return registration


@pytest.fixture
def lec(programme, exam_committee_member):
    """The programme's LEC, with the exam committee member as a teaching member."""
    from exams.models import Committee, CommitteeMember

    committee = Committee.objects.create(course=programme, kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    return committee


def enrolment(registration, code, chance=1):
    return registration.exam_enrolments.get(unit__code=code, chance=chance)


def enter(registration, code, result, user, chance=1, reason=""):
    from exams.services.results import record_result

    kwargs = {"code": result} if isinstance(result, str) else {"value": Decimal(result)}
    return record_result(enrolment(registration, code, chance), user=user, reason=reason,
                         **kwargs)


def publish_period(period, course, user):
    from exams.models import Publication

    return Publication.objects.get_or_create(period=period, course=course,
                                             defaults={"published_by": user})[0]


def participants(count, programme, period, committee_member, *, results=("8", "15")):
    """`count` confirmed registrations with DATA1 and DATA2 results entered and published."""
    from exams.services.enrolment import enrol_first_chance
    from tests.factories import EditionFactory, RegistrationFactory, UserFactory

    edition = EditionFactory(course=programme, academic_year=period.academic_year)
    made = []
    for _ in range(count):
        registration = RegistrationFactory(user=UserFactory(), edition=edition)
        enrol_first_chance(registration, today=date(2026, 9, 1))
        enter(registration, "DATA1", results[0], committee_member)
        enter(registration, "DATA2", results[1], committee_member)
        made.append(registration)
    publish_period(period, programme, committee_member)
    return made


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English; a page request may have activated Dutch."""
    from django.utils import translation

    with translation.override("en"):
        yield
