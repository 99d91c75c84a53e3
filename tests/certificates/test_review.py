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


# The mark is set in the correction's own transaction, with when and why, audited; staff
# revoke or keep (with a reason), which clears it (rules.md §7; seed 2 art. 9.1).

CHANGELIST = "/admin/certificates/certificate/"


def correct_now(registration, unit_position, value, user):
    """A correction whose after-commit task never runs (a broker outage): the mark must not
    depend on it."""
    enrolment = registration.exam_enrolments.get(unit__position=unit_position, chance=1)
    record_result(enrolment, user=user, value=Decimal(value), reason="Typing error")


def audit_actions(certificate):
    from audit.models import AuditEntry

    return list(AuditEntry.objects.filter(
        model_label="certificates.certificate", object_id=str(certificate.pk),
    ).order_by("pk").values_list("action", flat=True))


def test_the_mark_is_set_in_the_corrections_transaction_with_when_and_why(
        postgraduate_registration, exam_committee_member):
    from certificates.models import ReviewCause

    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)

    correct_now(postgraduate_registration, 2, "8", exam_committee_member)
    certificate.refresh_from_db()
    assert certificate.review == Review.NOT_PASSED and certificate.revoked_at is None
    assert certificate.review_cause == ReviewCause.RESULT
    assert certificate.review_since is not None
    assert audit_actions(certificate)[-1] == "certificate.review_marked"

    correct_now(postgraduate_registration, 2, "12", exam_committee_member)
    certificate.refresh_from_db()
    assert (certificate.review, certificate.review_cause, certificate.review_since) == (
        "", "", None)
    assert audit_actions(certificate)[-1] == "certificate.review_cleared"


def test_a_correction_that_fails_leaves_no_mark(postgraduate_registration,
                                                exam_committee_member):
    from django.db import transaction

    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    with pytest.raises(RuntimeError), transaction.atomic():
        correct_now(postgraduate_registration, 2, "8", exam_committee_member)
        raise RuntimeError("the correction's transaction fails after the write")
    certificate.refresh_from_db()
    assert certificate.review == "" and audit_actions(certificate) == ["certificate.issued"]


def test_a_credit_certificate_is_marked_and_cleared_without_the_task(
        micro_registration, exam_committee_member):
    results(micro_registration, exam_committee_member, "13", "14")
    first, second = (issue_credit_certificate(micro_registration, unit)
                     for unit in micro_registration.edition.course.units.order_by("position"))

    correct_now(micro_registration, 1, "9", exam_committee_member)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review, second.review) == (Review.NOT_PASSED, "")

    correct_now(micro_registration, 1, "10", exam_committee_member)  # exactly the pass mark
    first.refresh_from_db()
    assert first.review == "" and first.review_since is None


def test_nothing_is_marked_when_the_outcome_does_not_change(micro_registration,
                                                            exam_committee_member):
    results(micro_registration, exam_committee_member, "13", "14")
    certificate = issue_credit_certificate(
        micro_registration, micro_registration.edition.course.units.get(position=1))
    correct_now(micro_registration, 1, "15", exam_committee_member)
    certificate.refresh_from_db()
    assert certificate.review == "" and certificate.review_since is None
    assert audit_actions(certificate) == ["certificate.issued"]


def test_attendance_corrected_in_the_admin_marks_at_once_and_back_clears(
        client, short_registration, superuser):
    from certificates.models import ReviewCause

    attend(short_registration, 4, 1)
    certificate = issue_participation_certificate(short_registration)
    present = short_registration.attendances.filter(present=True).first()
    client.force_login(superuser)
    url = reverse("admin:exams_attendance_change", args=[present.pk])
    data = {"registration": short_registration.pk, "session": present.session_id}
    assert client.post(url, data).status_code == 302  # "present" unticked; no task runs
    certificate.refresh_from_db()
    assert (certificate.review, certificate.review_cause) == (Review.ATTENDANCE,
                                                              ReviewCause.ATTENDANCE)

    assert client.post(url, {**data, "present": "on"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.review == ""


def test_revoking_clears_the_mark(postgraduate_registration, exam_committee_member,
                                  course_admin):
    from certificates.services import revoke_certificate

    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    correct_now(postgraduate_registration, 2, "8", exam_committee_member)
    revoke_certificate(certificate, "Not passed after the correction", course_admin)
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.review == ""
    assert certificate.review_since is None
    assert audit_actions(certificate)[-1] == "certificate.revoked"
    from audit.models import AuditEntry

    entry = AuditEntry.objects.filter(action="certificate.revoked").latest("pk")
    assert entry.before == {"revoked": False, "review": Review.NOT_PASSED}


def keep(client, certificate, **extra):
    return client.post(CHANGELIST, {"action": "keep", "_selected_action": [certificate.pk],
                                    **extra})


@pytest.fixture
def marked(postgraduate_registration, exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    correct_now(postgraduate_registration, 2, "8", exam_committee_member)
    certificate.refresh_from_db()
    assert certificate.review == Review.NOT_PASSED
    return certificate


def test_course_admin_keeps_with_a_reason_and_it_stays_kept(
        client, marked, course_admin, exam_committee_member, postgraduate_registration):
    from audit.models import AuditEntry
    from certificates.services import issue_all_due

    client.force_login(course_admin)
    client.cookies["django_language"] = "en"
    form = keep(client, marked)
    assert form.status_code == 200 and "Reason for keeping" in form.content.decode()
    assert keep(client, marked, apply="1", reason="").status_code == 200
    marked.refresh_from_db()
    assert marked.review == Review.NOT_PASSED

    done = keep(client, marked, apply="1", reason="LEC decision of 12 March: it stands")
    assert done.status_code == 302
    marked.refresh_from_db()
    assert marked.review == "" and marked.review_kept == Review.NOT_PASSED
    assert not marked.is_revoked
    entry = AuditEntry.objects.filter(action="certificate.kept",
                                      object_id=str(marked.pk)).get()
    assert entry.actor == course_admin
    assert entry.after["reason"] == "LEC decision of 12 March: it stands"

    # Neither a correction that leaves it failed nor the hourly sweep mark it again...
    correct_now(postgraduate_registration, 2, "7", exam_committee_member)
    issue_all_due()
    marked.refresh_from_db()
    assert marked.review == ""
    # ... but once the basis holds again and then fails again, it is a new change.
    correct_now(postgraduate_registration, 2, "12", exam_committee_member)
    marked.refresh_from_db()
    assert (marked.review, marked.review_kept) == ("", "")
    correct_now(postgraduate_registration, 2, "9", exam_committee_member)
    marked.refresh_from_db()
    assert marked.review == Review.NOT_PASSED


def test_revoking_in_the_admin_clears_the_mark(client, marked, course_admin):
    client.force_login(course_admin)
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [marked.pk],
                             "apply": "1", "reason": "Not passed after all"})
    marked.refresh_from_db()
    assert marked.is_revoked and marked.review == ""


def test_the_exam_committee_and_finance_may_not_keep(client, marked, exam_committee_member,
                                                     finance_user):
    client.force_login(exam_committee_member)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and 'value="keep"' not in page.content.decode()
    keep(client, marked, apply="1", reason="no")
    marked.refresh_from_db()
    assert marked.review == Review.NOT_PASSED

    client.force_login(finance_user)
    assert keep(client, marked, apply="1", reason="no").status_code == 403
    marked.refresh_from_db()
    assert marked.review == Review.NOT_PASSED


def test_the_change_page_says_why_and_the_list_has_a_column(client, marked, course_admin):
    client.force_login(course_admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("admin:certificates_certificate_change", args=[marked.pk]))
    text = page.content.decode()
    assert "No longer passed" in text and "a result was corrected" in text
    listing = client.get(CHANGELIST + "?to_review=yes").content.decode()
    assert 'value="keep"' in listing and "no longer passed" in listing


def test_the_admin_list_takes_a_fixed_number_of_queries(
        client, course_admin, django_assert_max_num_queries, postgraduate_registration,
        micro_registration, exam_committee_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(course_admin)
    results(micro_registration, exam_committee_member, "13", "14")
    for unit in micro_registration.edition.course.units.all():
        issue_credit_certificate(micro_registration, unit)
    correct_now(micro_registration, 1, "9", exam_committee_member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST).status_code == 200
        return len(queries)

    few = count()
    results(postgraduate_registration, exam_committee_member, "14", "12")
    issue_getuigschrift(postgraduate_registration)
    issue_registration_certificate(postgraduate_registration)
    issue_registration_certificate(micro_registration)
    correct_now(postgraduate_registration, 2, "8", exam_committee_member)
    assert count() == few


def test_a_withdrawn_deviation_marks_in_the_decisions_transaction(
        postgraduate_registration, exam_committee_member, client):
    """Seed 2, art. 9.1: without the after-commit task (a broker outage) the withdrawal of the
    favourable deviation still marks the getuigschrift, with the decision as what changed."""
    from certificates.models import ReviewCause
    from exams.models import Committee, CommitteeMember

    committee = Committee.objects.create(course=postgraduate_registration.edition.course,
                                         kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    results(postgraduate_registration, exam_committee_member, "14", "8")
    client.force_login(exam_committee_member)
    url = reverse("admin:exams_programmedecision_add")
    client.post(url, {"registration": postgraduate_registration.pk,
                      "favourable_deviation": "on", "reason": "Art. 9.1"})
    getuigschrift = issue_getuigschrift(postgraduate_registration)

    assert client.post(url, {"registration": postgraduate_registration.pk,
                             "reason": "Withdrawn"}).status_code == 302
    getuigschrift.refresh_from_db()
    assert (getuigschrift.review, getuigschrift.review_cause) == (Review.NOT_PASSED,
                                                                  ReviewCause.DECISION)
    assert audit_actions(getuigschrift)[-1] == "certificate.review_marked"
