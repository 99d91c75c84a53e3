"""A participant who failed a unit enrols for its second chance from the exams page, inside the
window (seed 2, art. 8.5), in headless Chromium against the live server (locale nl-BE). The
page's clock is fixed at 11 July 2027, the window's first day."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from courses.models import Course
from exams import views
from exams.models import Enrolment, ExamPeriod, Publication
from exams.services.enrolment import enrol_first_chance
from exams.services.results import record_result
from tests.e2e.test_registration_journey import log_in
from tests.factories import (
    AcademicYearFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_participant_enrols_for_a_second_chance(page, live_server, monkeypatch):
    monkeypatch.setattr(views, "today", lambda: date(2027, 7, 11))
    course = CourseFactory(kind=Course.Kind.POSTGRADUATE, total_credits=Decimal("10"),
                           uses_weighted_percentage=True)
    CourseUnitFactory(course=course, code="STAT", credits=Decimal("6"), title_nl="Statistiek")
    CourseUnitFactory(course=course, code="ETH", credits=Decimal("4"), title_nl="Ethiek")
    year = AcademicYearFactory()
    period = ExamPeriod.objects.create(academic_year=year, organizer=course.organizer, chance=1,
                                       start=date(2027, 6, 1), end=date(2027, 6, 30))
    user = UserFactory(first_name="An", last_name="Peeters", email="an.peeters@example.org")
    staff = UserFactory(email="lec@example.org", is_staff=True)
    registration = RegistrationFactory(user=user, edition=EditionFactory(course=course,
                                                                         academic_year=year))
    enrol_first_chance(registration)
    failed = registration.exam_enrolments.get(unit__code="STAT")
    passed = registration.exam_enrolments.get(unit__code="ETH")
    record_result(failed, user=staff, value=Decimal("8"))
    record_result(passed, user=staff, value=Decimal("14"))
    Publication.objects.create(period=period, course=course, published_by=staff)

    log_in(page, live_server, user)
    page.goto(live_server.url + "/exams/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(f"#enrolment-{failed.pk} .result")).to_have_text("8/20")
    expect(page.locator(f"#enrolment-{passed.pk} .result")).to_have_text("14/20")
    expect(page.locator(f"#enrolment-{passed.pk} button.enrol-second-chance")).to_have_count(0)
    expect(page.locator(f"#percentage-{registration.pk}")).to_have_text("52 %")  # 104/200

    page.locator(f"#enrolment-{failed.pk} button.enrol-second-chance").click()

    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("button.enrol-second-chance")).to_have_count(0)
    second = Enrolment.objects.get(registration=registration, chance=2)
    assert (second.unit.code, second.origin, second.enrolled_on) == (
        "STAT", "participant", date(2027, 7, 11))
