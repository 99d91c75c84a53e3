"""The hourly sweep reviews a certificate again only for corrections entered since its basis was
last checked (less a ten-minute overlap for corrections still in flight during that check), so
a certificate staff kept, or one found still right, is not reviewed every hour for ever."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certificates.models import Certificate, Review
from certificates.services import (
    REVIEW_OVERLAP,
    issue_all_due,
    issue_getuigschrift,
    keep_certificate,
    registrations_to_review,
    review_certificates,
)
from exams.models import Result
from exams.services.results import record_result
from tests.certificates.conftest import results

pytestmark = pytest.mark.django_db


@pytest.fixture
def getuigschrift(postgraduate_registration, exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    return issue_getuigschrift(postgraduate_registration)


def corrected_then_checked(registration, *, entered_before_check: timedelta | None):
    """A result of the registration entered `entered_before_check` before the basis was last
    checked (None: never checked since issue, as certificates issued before the watermark)."""
    checked = timezone.now() - timedelta(hours=2)
    Certificate.objects.filter(registration=registration).update(
        reviewed_at=None if entered_before_check is None else checked)
    entered = checked - (entered_before_check or timedelta(0))
    Result.objects.filter(enrolment__registration=registration).update(entered_at=entered)
    return entered


@pytest.mark.parametrize(("entered_before_check", "looked_at"), [
    pytest.param(REVIEW_OVERLAP + timedelta(seconds=1), False, id="seen-by-the-check"),
    pytest.param(REVIEW_OVERLAP, False, id="exactly-the-overlap-before"),
    pytest.param(REVIEW_OVERLAP - timedelta(seconds=1), True, id="may-have-been-in-flight"),
    pytest.param(-timedelta(seconds=1), True, id="after-the-check"),
])
def test_a_correction_is_looked_at_when_the_last_check_may_not_have_seen_it(
        getuigschrift, postgraduate_registration, entered_before_check, looked_at):
    Certificate.objects.filter(pk=getuigschrift.pk).update(
        created_at=timezone.now() - timedelta(days=1))
    corrected_then_checked(postgraduate_registration, entered_before_check=entered_before_check)
    assert (postgraduate_registration in registrations_to_review()) is looked_at


def test_never_checked_since_issue_a_later_correction_is_looked_at(getuigschrift,
                                                                    postgraduate_registration):
    Certificate.objects.filter(pk=getuigschrift.pk).update(
        created_at=timezone.now() - timedelta(days=1))
    corrected_then_checked(postgraduate_registration, entered_before_check=None)
    assert list(registrations_to_review()) == [postgraduate_registration]


def test_the_sweep_checks_once_then_leaves_it_until_the_next_correction(
        getuigschrift, postgraduate_registration, exam_committee_member):
    """A correction whose review was lost; the sweep marks it and records the check; later
    sweeps leave it; a new correction brings it back."""
    enrolment = postgraduate_registration.exam_enrolments.get(unit__position=2, chance=1)
    record_result(enrolment, user=exam_committee_member, value=Decimal("8"), reason="Typo")
    Certificate.objects.filter(pk=getuigschrift.pk).update(
        review="", reviewed_at=None, created_at=timezone.now() - timedelta(days=1))
    Result.objects.filter(enrolment__registration=postgraduate_registration).update(
        entered_at=timezone.now() - timedelta(hours=3))  # all of them, before the sweep
    assert list(registrations_to_review()) == [postgraduate_registration]

    issue_all_due()
    getuigschrift.refresh_from_db()
    assert getuigschrift.review == Review.NOT_PASSED
    assert timezone.now() - getuigschrift.reviewed_at < timedelta(minutes=1)
    assert list(registrations_to_review()) == []

    record_result(enrolment, user=exam_committee_member, value=Decimal("12"),
                  reason="Second look")
    assert list(registrations_to_review()) == [postgraduate_registration]


def test_a_kept_certificate_is_not_reviewed_every_hour(getuigschrift, postgraduate_registration,
                                                       exam_committee_member, course_admin):
    enrolment = postgraduate_registration.exam_enrolments.get(unit__position=2, chance=1)
    record_result(enrolment, user=exam_committee_member, value=Decimal("8"), reason="Typo")
    getuigschrift.refresh_from_db()
    assert getuigschrift.review == Review.NOT_PASSED
    keep_certificate(getuigschrift, "The committee passed the programme", by=course_admin)
    # An hour later: the correction is older than the last check (its own review).
    an_hour = timedelta(hours=1)
    Result.objects.filter(enrolment__registration=postgraduate_registration).update(
        entered_at=timezone.now() - an_hour)
    Certificate.objects.filter(pk=getuigschrift.pk).update(
        created_at=timezone.now() - 2 * an_hour)
    assert list(registrations_to_review()) == []
    getuigschrift.refresh_from_db()
    assert (getuigschrift.review, getuigschrift.review_kept) == ("", Review.NOT_PASSED)


def test_every_certificate_of_the_registration_is_stamped_by_a_review(
        getuigschrift, postgraduate_registration):
    Certificate.objects.filter(registration=postgraduate_registration).update(reviewed_at=None)
    assert review_certificates(postgraduate_registration) == []  # nothing changed...
    stamped = Certificate.objects.filter(registration=postgraduate_registration).exclude(
        kind=Certificate.Kind.REGISTRATION).values_list("reviewed_at", flat=True)
    assert stamped and all(stamped)  # ...and still recorded as checked
