"""Each kind of certificate is issued exactly when its condition holds (rules.md §7; seed 2,
art. 8-9), once per person and achievement, with what it prints snapshotted."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from certificates.models import Certificate
from certificates.services import (
    CertificateRefused,
    certificates_of,
    issue_all_due,
    issue_credit_certificate,
    issue_due_certificates,
    issue_getuigschrift,
    issue_participation_certificate,
    issue_registration_certificate,
    revoke_certificate,
)
from registrations.models import Registration
from tests.certificates.conftest import SIGNATORY, attend, results
from tests.factories import RegistrationFactory

# Registration certificate ------------------------------------------------------------------------


def test_registration_certificate_for_a_confirmed_registration(short_registration, holder):
    certificate = issue_registration_certificate(short_registration)

    assert certificate.kind == Certificate.Kind.REGISTRATION
    assert certificate.user == holder and certificate.registration == short_registration
    assert certificate.holder_name == "Anna Peeters"
    assert certificate.title_nl == "Timemanagement voor teams"
    assert certificate.title_en == "Time management for teams"
    assert certificate.signatory_name == SIGNATORY
    assert certificate.details["edition"] == "TM-26"
    assert certificate.details["date_of_birth"] == "1985-04-12"
    assert len(certificate.code) >= 22 and certificate.revoked_at is None


def test_no_registration_certificate_for_a_cancelled_registration(short_registration):
    Registration.objects.filter(pk=short_registration.pk).update(status="cancelled")
    with pytest.raises(CertificateRefused):
        issue_registration_certificate(short_registration)
    assert not Certificate.objects.exists()


def test_issuing_twice_returns_the_same_certificate(short_registration):
    first = issue_registration_certificate(short_registration)
    second = issue_registration_certificate(short_registration)
    assert first.pk == second.pk and first.code == second.code
    assert Certificate.objects.count() == 1


def test_the_database_holds_one_certificate_per_person_and_achievement(short_registration):
    first = issue_registration_certificate(short_registration)
    duplicate = {f.name: getattr(first, f.name) for f in Certificate._meta.fields
                 if f.name not in ("id", "code")}
    duplicate["user"], duplicate["registration"] = first.user, first.registration
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(**{k: v for k, v in duplicate.items()
                                      if k not in ("user_id", "registration_id")})
    assert Certificate.objects.count() == 1


def test_a_credit_certificate_needs_a_unit_and_others_none(short_registration):
    certificate = issue_registration_certificate(short_registration)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(kind="credit")


def test_the_snapshot_does_not_change_with_the_profile_or_catalog(short_registration, holder):
    certificate = issue_registration_certificate(short_registration)
    holder.first_name = "Anne"
    holder.save()
    course = short_registration.edition.course
    course.title_nl = "Iets anders"
    course.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Anna Peeters"
    assert certificate.title_nl == "Timemanagement voor teams"


# Participation certificate: the attendance threshold ------------------------------------------


@pytest.mark.parametrize("present,absent,issued", [
    (3, 2, False),  # 60%
    (3, 0, False),  # 3 of the edition's 5 sessions, whatever was recorded
    (4, 1, True),   # 80%: exactly the threshold
    (5, 0, True),
])
def test_participation_certificate_at_the_attendance_threshold(short_registration, present,
                                                               absent, issued):
    attend(short_registration, present, absent)
    if issued:
        certificate = issue_participation_certificate(short_registration)
        assert certificate.kind == Certificate.Kind.PARTICIPATION
        assert certificate.details["sessions_present"] == present
        assert certificate.details["sessions_total"] == 5
    else:
        with pytest.raises(CertificateRefused, match="80"):
            issue_participation_certificate(short_registration)
        assert not Certificate.objects.filter(kind="participation").exists()


def test_threshold_is_the_editions(short_registration):
    edition = short_registration.edition
    edition.attendance_threshold_percent = 60
    edition.save()
    attend(short_registration, 3, 2)
    assert issue_participation_certificate(short_registration).kind == "participation"


def test_no_participation_certificate_for_a_programme(postgraduate_registration):
    with pytest.raises(CertificateRefused):
        issue_participation_certificate(postgraduate_registration)


def test_no_participation_certificate_without_sessions(organizer, holder):
    registration = RegistrationFactory(user=holder, edition__course__organizer=organizer)
    with pytest.raises(CertificateRefused):
        issue_participation_certificate(registration)


# Getuigschrift ---------------------------------------------------------------------------------


def test_getuigschrift_for_a_passed_programme(postgraduate_registration,
                                              exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    certificate = issue_getuigschrift(postgraduate_registration)
    assert certificate.kind == Certificate.Kind.PROGRAMME
    assert certificate.credits == Decimal("10.0")
    assert certificate.weighted_percentage == 66  # (14x6 + 12x4) / (20x10)
    assert certificate.grade == "satisfaction"


def test_no_getuigschrift_before_publication(postgraduate_registration, exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "14", "12", publish=False)
    with pytest.raises(CertificateRefused):
        issue_getuigschrift(postgraduate_registration)


def test_no_getuigschrift_with_a_failed_unit(postgraduate_registration, exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "18", "9")
    with pytest.raises(CertificateRefused):
        issue_getuigschrift(postgraduate_registration)
    assert issue_due_certificates(postgraduate_registration)[0].kind == "registration"
    assert not Certificate.objects.filter(kind="programme").exists()


def test_micro_credential_getuigschrift_without_weighted_percentage(micro_registration,
                                                                    exam_committee_member):
    results(micro_registration, exam_committee_member, "14", "V")
    certificate = issue_getuigschrift(micro_registration)
    assert certificate.weighted_percentage is None and certificate.grade == ""


# Credit certificates: one per passed unit of a micro-credential --------------------------------


def test_credit_certificate_per_passed_unit_only(micro_registration, exam_committee_member):
    results(micro_registration, exam_committee_member, "13", "7")
    passed, failed = micro_registration.edition.course.units.order_by("position")

    certificate = issue_credit_certificate(micro_registration, passed)
    assert (certificate.kind, certificate.unit) == ("credit", passed)
    assert certificate.credits == Decimal("6.0")
    assert certificate.title_nl == "Statistiek"
    assert certificate.details["programme_en"] == "Micro-credential AI"
    with pytest.raises(CertificateRefused):
        issue_credit_certificate(micro_registration, failed)

    due = issue_due_certificates(micro_registration)
    assert sorted(c.kind for c in due) == ["credit", "registration"]  # no getuigschrift
    assert Certificate.objects.filter(kind="credit").count() == 1


def test_no_credit_certificates_for_a_postgraduate(postgraduate_registration,
                                                   exam_committee_member):
    results(postgraduate_registration, exam_committee_member, "14", "12")
    unit = postgraduate_registration.edition.course.units.first()
    with pytest.raises(CertificateRefused):
        issue_credit_certificate(postgraduate_registration, unit)


def test_all_due_for_a_passed_micro_credential(micro_registration, exam_committee_member):
    results(micro_registration, exam_committee_member, "13", "15")
    kinds = sorted(c.kind for c in issue_due_certificates(micro_registration))
    assert kinds == ["credit", "credit", "programme", "registration"]
    again = sorted(c.pk for c in issue_due_certificates(micro_registration))
    assert again == sorted(Certificate.objects.values_list("pk", flat=True))


# Revocation -----------------------------------------------------------------------------------


def test_revocation_keeps_who_when_and_why(short_registration, course_admin):
    certificate = issue_registration_certificate(short_registration)
    with pytest.raises(CertificateRefused):
        revoke_certificate(certificate, "  ", course_admin)
    revoked = revoke_certificate(certificate, "Issued in error", course_admin)
    assert revoked.revoked_by == course_admin and revoked.revoked_at is not None
    assert revoked.revocation_reason == "Issued in error"
    again = revoke_certificate(certificate, "Other reason", None)
    assert again.revocation_reason == "Issued in error"  # the first revocation stands
    assert issue_registration_certificate(short_registration).pk == certificate.pk


# The sweep and the triggers ---------------------------------------------------------------------


def test_the_sweep_issues_what_is_due_and_is_idempotent(short_registration,
                                                        postgraduate_registration,
                                                        exam_committee_member):
    attend(short_registration, 4, 1)
    results(postgraduate_registration, exam_committee_member, "14", "12")

    assert issue_all_due() == 4
    assert sorted(Certificate.objects.values_list("kind", flat=True)) == [
        "participation", "programme", "registration", "registration"]
    assert issue_all_due() == 0


def test_the_sweep_revokes_the_registration_certificate_of_a_cancelled_registration(
        short_registration):
    certificate = issue_registration_certificate(short_registration)
    Registration.objects.filter(pk=short_registration.pk).update(status="cancelled")
    assert issue_all_due() == 1
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by is None
    assert issue_all_due() == 0


def test_publishing_results_issues_the_getuigschrift(postgraduate_registration,
                                                     exam_committee_member,
                                                     django_capture_on_commit_callbacks):
    from exams.models import Committee, CommitteeMember, ExamPeriod
    from exams.services.publication import publish

    course = postgraduate_registration.edition.course
    committee = Committee.objects.create(course=course, kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=exam_committee_member,
                                   teaches_in_programme=True)
    results(postgraduate_registration, exam_committee_member, "16", "15", publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        publish(ExamPeriod.objects.get(chance=1), course, exam_committee_member)
    certificate = Certificate.objects.get(kind="programme")
    assert certificate.weighted_percentage == 78 and certificate.grade == "great_distinction"


def test_recording_attendance_in_the_admin_issues_the_participation_certificate(
        client, short_registration, course_admin, django_capture_on_commit_callbacks):
    attend(short_registration, 3, 1)
    last = short_registration.edition.sessions.order_by("starts_at").last()
    client.force_login(course_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/exams/attendance/add/", {
            "registration": short_registration.pk, "session": last.pk, "present": "on"})
    assert response.status_code == 302
    assert Certificate.objects.get(kind="participation").details["sessions_present"] == 4


def test_certificates_of_a_person_are_only_theirs(short_registration, holder, other_participant):
    mine = issue_registration_certificate(short_registration)
    other = RegistrationFactory(user=other_participant, edition=short_registration.edition)
    issue_registration_certificate(other)
    assert list(certificates_of(holder)) == [mine]


def test_the_sweep_issues_credit_certificates_as_units_pass(micro_registration,
                                                            exam_committee_member):
    from exams.services.results import record_result

    results(micro_registration, exam_committee_member, "13", "7")
    assert issue_all_due() == 2  # registration + the passed unit's credit certificate
    failed = micro_registration.edition.course.units.order_by("position").last()
    record_result(micro_registration.exam_enrolments.get(unit=failed, chance=1),
                  user=exam_committee_member, value=Decimal("12"), reason="Typing error")
    assert issue_all_due() == 2  # the second credit certificate and the getuigschrift
    assert sorted(Certificate.objects.values_list("kind", flat=True)) == [
        "credit", "credit", "programme", "registration"]
    assert issue_all_due() == 0


def test_no_certificate_is_issued_to_an_erased_person(micro_registration, short_registration,
                                                     exam_committee_member, course_admin):
    """Rules.md §8: erasure anonymises the person and (by default) revokes their certificates.
    Results published or attendance recorded afterwards made the sweep issue fresh, valid
    certificates without a name to the anonymous profile (the public page said "valid")."""
    from django.utils import translation

    from portal.privacy.erasure import erase_person, request_erasure

    issue_registration_certificate(short_registration)
    request = request_erasure(user=micro_registration.user)
    erase_person(request_id=request.pk, staff_user=course_admin)
    assert not Certificate.objects.valid().exists()

    results(micro_registration, exam_committee_member, "14", "12")
    attend(short_registration, 5)
    assert issue_all_due() == 0
    assert issue_due_certificates(micro_registration) == []
    with translation.override("en"), pytest.raises(CertificateRefused, match="erased"):
        issue_getuigschrift(micro_registration, by=course_admin)
    with pytest.raises(CertificateRefused):
        issue_participation_certificate(short_registration, by=course_admin)
    assert not Certificate.objects.valid().exists()
    assert Certificate.objects.count() == 1  # the revoked registration certificate


def test_verification_codes_are_random_and_unambiguous():
    from certificates.models import CODE_ALPHABET, new_code

    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 22 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("0O1lI-_") & set(CODE_ALPHABET)
