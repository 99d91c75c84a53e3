"""The participant's pages on a phone (360 px wide): the main content never overflows."""

from datetime import date
from decimal import Decimal

import pytest

from courses.models import Course
from exams.models import ExamPeriod, Publication
from exams.services.enrolment import enrol_first_chance
from exams.services.results import record_result
from tests.e2e.test_registration_journey import log_in
from tests.factories import (
    AcademicYearFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    InvoiceFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_participant_pages_fit_a_phone(page, live_server):
    course = CourseFactory(kind=Course.Kind.POSTGRADUATE, total_credits=Decimal("10"),
                           uses_weighted_percentage=True,
                           title_nl="Postgraduaat Toegepaste Gegevenswetenschappen en Ethiek")
    CourseUnitFactory(course=course, code="STAT-ADV-2027", credits=Decimal("6"),
                      title_nl="Geavanceerde statistische modellering", digital_exam=True)
    year = AcademicYearFactory()
    period = ExamPeriod.objects.create(academic_year=year, organizer=course.organizer, chance=1,
                                       start=date(2027, 6, 1), end=date(2027, 6, 30))
    user = UserFactory(first_name="An", last_name="Peeters", email="an.peeters@example.org")
    staff = UserFactory(email="lec@example.org", is_staff=True)
    registration = RegistrationFactory(user=user, edition=EditionFactory(course=course,
                                                                         academic_year=year))
    InvoiceFactory(registrations=[registration])
    enrol_first_chance(registration)
    record_result(registration.exam_enrolments.get(), user=staff, value=Decimal("8"))
    Publication.objects.create(period=period, course=course, published_by=staff)

    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, user)
    overflowing = {}
    for path in ("/", f"/editions/{registration.edition.code}/", "/dashboard/", "/exams/",
                 "/profile/", "/cart/", "/dashboard/privacy/", "/accounts/email/",
                 "/accounts/password/change/", "/no-such-page/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            overflowing[path] = width
        if path == "/exams/":
            page.screenshot(path="/tmp/wtr2-exams-phone.png", full_page=True)
    assert overflowing == {}
