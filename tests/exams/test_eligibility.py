"""May a participant sit an exam: attendance threshold (art. 8.3) and unpaid refusal (art. 4.4)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from billing.models import UnpaidFlag
from exams.models import Attendance
from exams.services.eligibility import may_sit
from tests.exams.conftest import enrolment
from tests.factories import InvoiceFactory, SessionFactory


@pytest.fixture
def sessions(registration):
    unit = registration.edition.course.units.get(code="DATA1")
    unit.attendance_required = True
    unit.attendance_threshold_percent = 80
    unit.save()
    past = timezone.now() - timedelta(days=30)
    return [
        SessionFactory(edition=registration.edition, unit=unit, starts_at=past + timedelta(days=i),
                       ends_at=past + timedelta(days=i, hours=2))
        for i in range(5)
    ]


def attend(registration, sessions, present_count):
    for i, session in enumerate(sessions):
        Attendance.objects.create(registration=registration, session=session,
                                  present=i < present_count)


def test_at_the_threshold_may_sit(registration, sessions):
    attend(registration, sessions, 4)  # 4/5 = 80 %
    assert may_sit(enrolment(registration, "DATA1")) == (True, "")


def test_below_the_threshold_may_not_sit_with_the_reason(registration, sessions):
    attend(registration, sessions, 3)  # 60 %
    allowed, reason = may_sit(enrolment(registration, "DATA1"))
    assert not allowed
    assert "3" in reason and "5" in reason and "80" in reason


def test_unrecorded_sessions_count_as_absent(registration, sessions):
    attend(registration, sessions[:3], 3)
    assert not may_sit(enrolment(registration, "DATA1"))[0]


def test_units_without_attendance_requirement_are_free(registration, sessions):
    assert may_sit(enrolment(registration, "DATA2")) == (True, "")


def test_future_sessions_do_not_count_yet(registration, sessions):
    future = timezone.now() + timedelta(days=10)
    SessionFactory(edition=registration.edition, unit=sessions[0].unit, starts_at=future,
                   ends_at=future + timedelta(hours=2))
    attend(registration, sessions, 4)
    assert may_sit(enrolment(registration, "DATA1"))[0]


def test_unpaid_registration_is_refused_with_the_reason(registration):
    invoice = InvoiceFactory(registrations=[registration])
    flag = UnpaidFlag.objects.create(registration=registration, invoice=invoice,
                                     raised_on=date(2026, 11, 1))
    allowed, reason = may_sit(enrolment(registration, "DATA2"))
    assert not allowed and "4.4" in reason
    flag.lifted_at = timezone.now()
    flag.lift_reason = "paid"
    flag.save()
    assert may_sit(enrolment(registration, "DATA2")) == (True, "")
