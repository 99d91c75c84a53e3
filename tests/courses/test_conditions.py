"""The cancellation conditions in words, the registration deadline and the amount formats."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from courses.conditions import (
    cancellation_conditions,
    is_open_for_registration,
    registration_closes_on,
)
from courses.models import CourseUnit, Edition
from courses.templatetags.portal_format import (
    format_date,
    format_euro,
    format_number,
    format_percent,
)
from tests.factories import (
    AcademicYearFactory,
    CancellationTierFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
)

START = date(2027, 3, 15)


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "nl", "en"),
    [
        (Decimal("1234.5"), "€ 1.234,50", "€1,234.50"),
        (Decimal("0"), "€ 0,00", "€0.00"),
        (Decimal("50"), "€ 50,00", "€50.00"),
        (Decimal("1234567.891"), "€ 1.234.567,89", "€1,234,567.89"),
        (Decimal("0.005"), "€ 0,01", "€0.01"),  # half-up
        (Decimal("-12.30"), "-€ 12,30", "-€12.30"),
        (2400, "€ 2.400,00", "€2,400.00"),
    ],
)
def test_format_euro(amount, nl, en):
    assert format_euro(amount, "nl") == nl
    assert format_euro(amount, "en") == en
    with translation.override("nl"):
        assert format_euro(amount) == nl
    with translation.override("en"):
        assert format_euro(amount) == en


def test_format_euro_of_nothing_is_empty():
    assert format_euro(None) == ""
    assert format_euro("not a number") == ""


def test_format_number_percent_and_date():
    assert format_number(Decimal("20.0"), "nl") == "20"
    assert format_number(Decimal("7.50"), "nl") == "7,5"
    assert format_number(Decimal("7.50"), "en") == "7.5"
    assert format_number(Decimal("1500"), "nl") == "1.500"
    assert format_percent(Decimal("10.00"), "nl") == "10 %"
    assert format_percent(Decimal("12.50"), "en") == "12.5 %"
    assert format_date(date(2027, 3, 8)) == "08/03/2027"
    assert format_date(None) == ""


# --- registration deadline (seed 2, art. 3.2) ----------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "last_day"),
    [(7, date(2027, 3, 8)), (0, date(2027, 3, 15)), (14, date(2027, 3, 1))],
)
def test_registration_closes_on(days_before, last_day):
    edition = Edition(start=START, registration_closes_days_before=days_before)
    assert registration_closes_on(edition) == last_day


def test_open_for_registration_up_to_and_including_the_last_day():
    edition = Edition(start=START, registration_closes_days_before=7, status=Edition.Status.OPEN)
    assert is_open_for_registration(edition, today=date(2027, 3, 8))
    assert not is_open_for_registration(edition, today=date(2027, 3, 9))
    edition.status = Edition.Status.CLOSED
    assert not is_open_for_registration(edition, today=date(2027, 3, 1))
    edition.status = Edition.Status.CANCELLED
    assert not is_open_for_registration(edition, today=date(2027, 3, 1))


@pytest.mark.django_db
def test_open_for_registration_agrees_with_the_queryset():
    today = timezone.localdate()
    on_the_day = EditionFactory(start=today + timedelta(days=7))
    day_late = EditionFactory(start=today + timedelta(days=6))
    closed = EditionFactory(start=today + timedelta(days=30), status=Edition.Status.CLOSED)
    open_codes = set(Edition.objects.open_for_registration().values_list("code", flat=True))
    for edition in (on_the_day, day_late, closed):
        assert is_open_for_registration(edition, today) == (edition.code in open_codes)
    assert open_codes == {on_the_day.code}


# --- policy A: academic-year programme (seed 1) --------------------------------------------


@pytest.fixture
def policy_a_edition(db):
    year = AcademicYearFactory(
        code="2026-2027",
        start=date(2026, 9, 21),
        second_semester_start=date(2027, 2, 8),
        end=date(2027, 9, 19),
    )
    course = CourseFactory(kind="postgraduate", total_credits=Decimal("20"))
    CourseUnitFactory(course=course, credits=Decimal("10"), semester=CourseUnit.Semester.FIRST)
    CourseUnitFactory(course=course, credits=Decimal("5"), semester=CourseUnit.Semester.SECOND)
    CourseUnitFactory(course=course, credits=Decimal("5"), semester=CourseUnit.Semester.YEAR)
    return EditionFactory(
        course=course,
        academic_year=year,
        start=date(2026, 9, 28),
        cancellation_policy=Edition.Policy.ACADEMIC_YEAR,
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("500.00"),
        credit_amount=Decimal("60.00"),
    )


def test_policy_a_spells_out_the_five_steps(policy_a_edition):
    with translation.override("en"):
        sentences = cancellation_conditions(policy_a_edition)
    assert sentences == [
        "Before the start of the academic year (21/09/2026): the full fee is refunded.",
        "Within 14 days after your registration: the full fee is refunded, whatever the date.",
        "From the start of the academic year up to and including 30/11/2026: you owe only the "
        "amount per programme (€500.00).",
        "From 01/12/2026 up to and including 14/03/2027: you owe the amount per programme "
        "(€500.00) plus €60.00 per credit of the first-semester and year-long course units. "
        "For this programme: 15 credits, €1,400.00 in all.",
        "From 15/03/2027: nothing is refunded.",
    ]
    assert policy_a_edition.fee == Decimal("1700.00")


def test_policy_a_amounts_in_dutch(policy_a_edition):
    with translation.override("nl"):
        text = " ".join(cancellation_conditions(policy_a_edition))
    assert "€ 500,00" in text
    assert "€ 60,00" in text
    assert "€ 1.400,00" in text
    assert "21/09/2026" in text


def test_policy_a_without_units_has_no_worked_total(policy_a_edition):
    policy_a_edition.course.units.all().delete()
    with translation.override("en"):
        sentences = cancellation_conditions(policy_a_edition)
    assert len(sentences) == 5
    assert "in all" not in sentences[3]


# --- policy B: days before the start (seed 2, art. 5) --------------------------------------


@pytest.mark.django_db
def test_policy_b_with_the_rules_example():
    edition = EditionFactory(start=date(2027, 2, 1), fee_amount=Decimal("2400.00"))
    with translation.override("en"):
        sentences = cancellation_conditions(edition)
    assert sentences[0] == (
        "Up to and including 25/01/2027 you can cancel: 10 % of the fee, at least €50.00 "
        "(never more than the fee), is kept and the rest is refunded."
    )
    assert sentences[1] == "For this edition: €240.00 is kept and €2,160.00 is refunded."
    assert sentences[2].startswith("Later, nothing is refunded, except in case of force majeure")
    with translation.override("nl"):
        dutch = cancellation_conditions(edition)
    assert "€ 240,00" in dutch[1] and "€ 2.160,00" in dutch[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fee", "kept", "refunded"),
    [
        ("300.00", "€50.00", "€250.00"),
        ("30.00", "€30.00", "€0.00"),
        ("999.95", "€100.00", "€899.95"),
    ],
)
def test_policy_b_minimum_and_cap(fee, kept, refunded):
    edition = EditionFactory(start=date(2027, 2, 1), fee_amount=Decimal(fee))
    with translation.override("en"):
        sentences = cancellation_conditions(edition)
    assert sentences[1] == f"For this edition: {kept} is kept and {refunded} is refunded."


@pytest.mark.django_db
def test_policy_b_uses_the_edition_parameters():
    edition = EditionFactory(
        start=date(2027, 2, 1),
        fee_amount=Decimal("1000.00"),
        policy_b_days_before=14,
        policy_b_percent_kept=Decimal("12.50"),
        policy_b_minimum_kept=Decimal("75.00"),
    )
    with translation.override("en"):
        sentences = cancellation_conditions(edition)
    assert sentences[0].startswith("Up to and including 18/01/2027 you can cancel: 12.5 % of")
    assert "at least €75.00" in sentences[0]
    assert sentences[1] == "For this edition: €125.00 is kept and €875.00 is refunded."


# --- policy C: tiers stated on the course (seed 1) -----------------------------------------


@pytest.mark.django_db
def test_policy_c_one_line_per_tier_ordered_by_days():
    edition = EditionFactory(
        start=START, fee_amount=Decimal("450.00"), cancellation_policy=Edition.Policy.TIERED
    )
    CancellationTierFactory(edition=edition, days=7, percent_kept=Decimal("50"))
    CancellationTierFactory(edition=edition, days=15, percent_kept=Decimal("0"))
    CancellationTierFactory(edition=edition, days=1, percent_kept=Decimal("75"))
    with translation.override("en"):
        sentences = cancellation_conditions(edition)
    assert sentences == [
        "Cancel at least 15 days before the start (up to and including 28/02/2027): "
        "0 % of the fee is kept (€0.00).",
        "Cancel at least 7 days before the start (up to and including 08/03/2027): "
        "50 % of the fee is kept (€225.00).",
        "Cancel at least 1 day before the start (up to and including 14/03/2027): "
        "75 % of the fee is kept (€337.50).",
        "Later: the full fee is kept.",
    ]


@pytest.mark.django_db
def test_policy_c_tier_on_the_day_of_the_start():
    edition = EditionFactory(
        start=START, fee_amount=Decimal("450.00"), cancellation_policy=Edition.Policy.TIERED
    )
    CancellationTierFactory(edition=edition, days=0, percent_kept=Decimal("80"))
    with translation.override("en"):
        sentences = cancellation_conditions(edition)
    assert sentences == [
        "Cancel at the latest on the day of the start (15/03/2027): 80 % of the fee is kept "
        "(€360.00).",
        "Later: the full fee is kept.",
    ]


@pytest.mark.django_db
def test_policy_c_without_tiers_keeps_everything():
    edition = EditionFactory(start=START, cancellation_policy=Edition.Policy.TIERED)
    with translation.override("en"):
        assert cancellation_conditions(edition) == ["Whenever you cancel, the full fee is kept."]


# --- policy D: free training ---------------------------------------------------------------


@pytest.mark.django_db
def test_policy_d_free_training():
    edition = EditionFactory(
        start=START, fee_amount=Decimal("0.00"), cancellation_policy=Edition.Policy.FREE
    )
    with translation.override("en"):
        assert cancellation_conditions(edition) == ["Free training: notifying us is enough."]


# --- a registration's own amounts (its snapshotted price, after a voucher) -----------------


@pytest.mark.django_db
def test_a_registrations_conditions_state_what_that_person_pays():
    """The list fee is €500; the person paid €250 after a 50 % voucher, and the list fee has
    risen since: their conditions state the split of what they paid (policy B: €50 kept, the
    minimum; €200 refunded), as their real cancellation computes it, not €450 refunded."""
    from tests.factories import RegistrationFactory

    edition = EditionFactory(start=date(2027, 2, 1), fee_amount=Decimal("500.00"))
    registration = RegistrationFactory(edition=edition, discount=Decimal("250.00"))
    assert (registration.fee, registration.net) == (Decimal("500.00"), Decimal("250.00"))
    Edition.objects.filter(pk=edition.pk).update(fee_amount=Decimal("900.00"))
    edition.refresh_from_db()
    with translation.override("en"):
        theirs = cancellation_conditions(edition, registration)
        listed = cancellation_conditions(edition)
    assert theirs[1] == "For this edition: €50.00 is kept and €200.00 is refunded."
    assert listed[1] == "For this edition: €90.00 is kept and €810.00 is refunded."


@pytest.mark.django_db
def test_a_registrations_tiers_never_keep_more_than_it_pays():
    from tests.factories import RegistrationFactory

    edition = EditionFactory(
        start=START, fee_amount=Decimal("450.00"), cancellation_policy=Edition.Policy.TIERED
    )
    CancellationTierFactory(edition=edition, days=7, percent_kept=Decimal("50"))
    CancellationTierFactory(edition=edition, days=1, percent_kept=Decimal("75"))
    registration = RegistrationFactory(edition=edition, discount=Decimal("300.00"))
    with translation.override("en"):
        sentences = cancellation_conditions(edition, registration)
    assert sentences[0].endswith("50 % of the fee is kept (€150.00).")  # min(225, 150)
    assert sentences[1].endswith("75 % of the fee is kept (€150.00).")  # min(337.50, 150)
