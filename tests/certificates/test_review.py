"""Certificates whose basis changed after issue (a result corrected after publication, the
attendance corrected) are marked for review, shown to staff, and unmarked when the basis holds
again; they stay valid until staff revoke them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from certificates.models import Certificate, Review
from certificates.services import (
    issue_credit_certificate,
    issue_getuigschrift,
    issue_participation_certificate,
    issue_registration_certificate,
    review_certificates,
)
from exams.services.results import record_result
from tests.certificates.conftest import attend, results

pytestmark = pytest.mark.django_db


def correct(registration, unit_position, value, user, capture):
    """The exam committee corrects a published first-chance result (with a reason)."""
    enrolment = registration.exam_enrolments.get(unit__position=unit_position, chance=1)
    with capture(execute=True):  # the after-commit task runs, as a worker would
        record_result(enrolment, user=user, value=Decimal(value), reason="Typing error")


def test_a_getuigschrift_corrected_to_a_fail_is_marked_and_unmarked_when_corrected_back(
        postgraduate_registration, exam_committee_member, django_capture_on_commit_callbacks):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    assert certificate.review == ""

    correct(postgraduate_registration, 2, "8", exam_committee_member,
            django_capture_on_commit_callbacks)
    certificate.refresh_from_db()
    assert certificate.review == Review.NOT_PASSED and certificate.revoked_at is None

    correct(postgraduate_registration, 2, "12", exam_committee_member,
            django_capture_on_commit_callbacks)
    certificate.refresh_from_db()
    assert certificate.review == ""


def test_a_changed_grade_of_merit_is_marked(postgraduate_registration, exam_committee_member,
                                            django_capture_on_commit_callbacks):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    assert (certificate.weighted_percentage, certificate.grade) == (66, "satisfaction")

    correct(postgraduate_registration, 1, "17", exam_committee_member,
            django_capture_on_commit_callbacks)  # (17x6 + 12x4) / 200 = 75 %
    certificate.refresh_from_db()
    assert certificate.review == Review.GRADE


def test_a_credit_certificate_of_a_unit_corrected_to_a_fail_is_marked(
        micro_registration, exam_committee_member, django_capture_on_commit_callbacks):
    results(micro_registration, exam_committee_member, "13", "14")
    first, second = (issue_credit_certificate(micro_registration, unit)
                     for unit in micro_registration.edition.course.units.order_by("position"))

    correct(micro_registration, 1, "9", exam_committee_member,
            django_capture_on_commit_callbacks)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review, second.review) == (Review.NOT_PASSED, "")


def test_attendance_corrected_below_the_threshold_is_marked(short_registration):
    attend(short_registration, 4, 1)  # 4 of 5 = 80 %: just enough
    certificate = issue_participation_certificate(short_registration)
    attend(short_registration, 3, 2)  # one presence corrected to an absence
    assert review_certificates(short_registration) == [certificate]
    certificate.refresh_from_db()
    assert certificate.review == Review.ATTENDANCE
    assert review_certificates(short_registration) == []  # idempotent


def test_deleting_attendance_in_the_admin_marks_the_certificate(
        client, short_registration, superuser, django_capture_on_commit_callbacks):
    attend(short_registration, 4, 1)
    certificate = issue_participation_certificate(short_registration)
    present = short_registration.attendances.filter(present=True).first()
    client.force_login(superuser)  # the only role that may delete attendance
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:exams_attendance_delete", args=[present.pk]),
                               {"post": "yes"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.review == Review.ATTENDANCE


def test_registration_and_revoked_certificates_are_not_reviewed(short_registration,
                                                                course_admin):
    from certificates.services import revoke_certificate

    attend(short_registration, 4, 1)
    registration_certificate = issue_registration_certificate(short_registration)
    participation = issue_participation_certificate(short_registration)
    revoke_certificate(participation, "Issued in error", course_admin)
    attend(short_registration, 0, 5)
    assert review_certificates(short_registration) == []
    assert {c.review for c in (registration_certificate, participation)} == {""}


def test_staff_find_them_with_the_filter_and_others_cannot(
        client, postgraduate_registration, exam_committee_member, course_admin, participant,
        django_capture_on_commit_callbacks):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    issue_getuigschrift(postgraduate_registration)
    correct(postgraduate_registration, 2, "8", exam_committee_member,
            django_capture_on_commit_callbacks)
    url = reverse("admin:certificates_certificate_changelist") + "?to_review=yes"

    client.force_login(course_admin)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [c.kind for c in listed] == [Certificate.Kind.PROGRAMME]
    assert "no longer passed" in response.content.decode()

    client.force_login(participant)
    assert client.get(url).status_code == 302  # to the admin's log-in


def test_the_hourly_sweep_reviews_what_a_lost_task_did_not(postgraduate_registration,
                                                           short_registration,
                                                           exam_committee_member):
    from certificates.services import issue_all_due, registrations_to_review

    results(postgraduate_registration, exam_committee_member, "14", "12")
    getuigschrift = issue_getuigschrift(postgraduate_registration)
    attend(short_registration, 5)
    participation = issue_participation_certificate(short_registration)
    assert list(registrations_to_review()) == []

    # Corrected without running the after-commit task (as if the broker had been down).
    enrolment = postgraduate_registration.exam_enrolments.get(unit__position=2, chance=1)
    record_result(enrolment, user=exam_committee_member, value=Decimal("8"), reason="Typo")
    attend(short_registration, 3, 2)
    assert set(registrations_to_review()) == {postgraduate_registration, short_registration}

    issue_all_due()
    getuigschrift.refresh_from_db()
    participation.refresh_from_db()
    assert (getuigschrift.review, participation.review) == (Review.NOT_PASSED,
                                                            Review.ATTENDANCE)


def test_a_getuigschrift_on_a_withdrawn_favourable_deviation_is_marked(
        postgraduate_registration, exam_committee_member, client,
        django_capture_on_commit_callbacks):
    """Seed 2, art. 9.1: the LEC passed the programme by a favourable deviation, then withdrew
    the decision (a new decision without the deviation). The getuigschrift stayed unmarked: a
    decision did not trigger the review, nor did the hourly sweep look at decisions."""
    from certificates.services import issue_all_due, registrations_to_review
    from exams.models import Committee, CommitteeMember, ProgrammeDecision

    committee = Committee.objects.create(course=postgraduate_registration.edition.course,
                                         kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    results(postgraduate_registration, exam_committee_member, "14", "8")
    client.force_login(exam_committee_member)
    url = reverse("admin:exams_programmedecision_add")
    with django_capture_on_commit_callbacks(execute=True):  # the task runs, as a worker would
        response = client.post(url, {"registration": postgraduate_registration.pk,
                                     "favourable_deviation": "on", "reason": "Art. 9.1"})
    assert response.status_code == 302
    getuigschrift = Certificate.objects.get(registration=postgraduate_registration,
                                            kind=Certificate.Kind.PROGRAMME)  # now due
    assert getuigschrift.review == ""

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"registration": postgraduate_registration.pk, "reason": "Withdrawn"})
    getuigschrift.refresh_from_db()
    assert getuigschrift.review == Review.NOT_PASSED and getuigschrift.revoked_at is None

    # Without the task (a lost broker message) the hourly sweep finds it.
    getuigschrift.review = ""
    getuigschrift.save(update_fields=["review"])
    ProgrammeDecision.objects.filter(registration=postgraduate_registration).update(
        decided_at=getuigschrift.created_at + timedelta(seconds=1))
    assert list(registrations_to_review()) == [postgraduate_registration]
    issue_all_due()
    getuigschrift.refresh_from_db()
    assert getuigschrift.review == Review.NOT_PASSED
