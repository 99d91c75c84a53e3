"""The database itself refuses rows that break an invariant, whatever code path wrote them."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from courses.models import Edition
from tests.factories import (
    BRUSSELS,
    AcademicYearFactory,
    CancellationTierFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_edition_start_after_end_is_refused():
    refused(EditionFactory, start=date(2027, 3, 15), end=date(2027, 3, 14))


def test_edition_of_one_day_is_fine():
    assert EditionFactory(start=date(2027, 3, 15), end=date(2027, 3, 15)).pk


def test_negative_seats_are_refused():
    refused(EditionFactory, seats=-1)


def test_zero_seats_are_allowed():
    assert EditionFactory(seats=0).seats == 0


@pytest.mark.parametrize("field", ["fee_amount", "credit_amount", "programme_amount"])
def test_negative_amounts_are_refused(field):
    refused(EditionFactory, **{field: Decimal("-0.01")})


def test_duplicate_edition_code_is_refused():
    EditionFactory(code="PG-2026")
    refused(EditionFactory, code="PG-2026")


def test_duplicate_course_code_per_organizer_is_refused():
    course = CourseFactory(code="PGDS")
    refused(CourseFactory, code="PGDS", organizer=course.organizer)
    assert CourseFactory(code="PGDS").pk  # another organizer may use the same code


def test_duplicate_unit_code_in_a_course_is_refused():
    unit = CourseUnitFactory(code="U1")
    refused(CourseUnitFactory, code="U1", course=unit.course)


def test_unit_without_credits_is_refused():
    refused(CourseUnitFactory, credits=Decimal("0"))


def test_negative_course_credits_are_refused():
    refused(CourseFactory, total_credits=Decimal("-1"))


def test_academic_year_semesters_out_of_order_are_refused():
    refused(
        AcademicYearFactory,
        code="2030-2031",
        start=date(2030, 9, 20),
        second_semester_start=date(2030, 9, 1),
        end=date(2031, 9, 19),
    )


def test_session_ending_before_it_starts_is_refused():
    start = datetime(2027, 3, 15, 9, tzinfo=BRUSSELS)
    refused(SessionFactory, starts_at=start, ends_at=start - timedelta(minutes=1))
    refused(SessionFactory, starts_at=start, ends_at=start)


def test_policy_d_must_be_free():
    refused(EditionFactory, cancellation_policy=Edition.Policy.FREE, fee_amount=Decimal("1.00"))
    assert EditionFactory(cancellation_policy=Edition.Policy.FREE, fee_amount=Decimal("0")).pk


def test_policy_a_needs_a_fee_per_credit():
    refused(EditionFactory, cancellation_policy=Edition.Policy.ACADEMIC_YEAR)
    assert EditionFactory(
        cancellation_policy=Edition.Policy.ACADEMIC_YEAR,
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("250.00"),
        credit_amount=Decimal("45.00"),
    ).pk


@pytest.mark.parametrize("percent", [Decimal("-1"), Decimal("100.01")])
def test_tier_percentage_outside_0_100_is_refused(percent):
    refused(CancellationTierFactory, percent_kept=percent)


def test_duplicate_tier_days_are_refused():
    tier = CancellationTierFactory(days=14)
    refused(CancellationTierFactory, edition=tier.edition, days=14)


@pytest.mark.parametrize("instalments", [0, 13])
def test_instalments_outside_1_12_are_refused(instalments):
    refused(EditionFactory, max_instalments=instalments)


def test_vat_rate_above_100_is_refused():
    refused(EditionFactory, vat_rate_percent=Decimal("100.01"))


def test_fee_per_credit_is_programme_plus_credits():
    course = CourseFactory(total_credits=Decimal("20"))
    edition = EditionFactory(
        course=course,
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("250.00"),
        credit_amount=Decimal("45.50"),
        vat_treatment=Edition.VatTreatment.TAXED,
    )
    assert edition.fee == Decimal("1160.00")
    assert edition.vat_amount == Decimal("243.60")
    assert edition.total_price == Decimal("1403.60")


def test_open_for_registration_up_to_and_including_the_deadline_day():
    EditionFactory(code="ON-DAY", start=date(2027, 3, 15), registration_closes_days_before=7)
    EditionFactory(code="DAY-AFTER", start=date(2027, 3, 14), registration_closes_days_before=7)
    EditionFactory(code="SAME-DAY", start=date(2027, 3, 8), registration_closes_days_before=0)
    EditionFactory(
        code="DRAFT", start=date(2027, 4, 15), status=Edition.Status.DRAFT
    )
    codes = set(
        Edition.objects.open_for_registration(today=date(2027, 3, 8)).values_list(
            "code", flat=True
        )
    )
    assert codes == {"ON-DAY", "SAME-DAY"}
