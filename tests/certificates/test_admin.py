"""Certificates in the admin: course administrators issue by hand and revoke with a reason;
the exam committee only reads; finance sees nothing (rules.md §7; portal/roles.py)."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import issue_participation_certificate, issue_registration_certificate
from tests.certificates.conftest import attend

CHANGELIST = "/admin/certificates/certificate/"
ISSUE = "/admin/certificates/certificate/issue/"


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def certificate(short_registration):
    return issue_registration_certificate(short_registration)


def revoke(client, certificate, **extra):
    return client.post(CHANGELIST, {"action": "revoke", "_selected_action": [certificate.pk],
                                    **extra})


def test_course_admin_sees_and_revokes_with_a_reason(client, course_admin, certificate):
    client.force_login(course_admin)
    english(client)
    page = client.get(CHANGELIST).content.decode()
    assert "Anna Peeters" in page and 'value="revoke"' in page and ISSUE in page

    form = revoke(client, certificate)  # asks for the reason first
    assert form.status_code == 200 and "Reason for revocation" in form.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked

    empty = revoke(client, certificate, apply="1", reason="")
    assert empty.status_code == 200
    certificate.refresh_from_db()
    assert not certificate.is_revoked

    done = revoke(client, certificate, apply="1", reason="Issued to the wrong person")
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == course_admin
    assert certificate.revocation_reason == "Issued to the wrong person"


def test_course_admin_issues_by_hand(client, course_admin, short_registration):
    client.force_login(course_admin)
    english(client)
    refused = client.post(ISSUE, {"registration": short_registration.pk,
                                  "kind": "participation"})
    assert refused.status_code == 200
    assert "below the 80% required" in refused.content.decode()
    assert not Certificate.objects.exists()

    attend(short_registration, 4, 1)
    issued = client.post(ISSUE, {"registration": short_registration.pk,
                                 "kind": "participation"})
    certificate = Certificate.objects.get()
    assert issued.status_code == 302
    assert issued["Location"] == reverse("admin:certificates_certificate_change",
                                         args=[certificate.pk])
    assert certificate.issued_by == course_admin
    again = client.post(ISSUE, {"registration": short_registration.pk, "kind": "participation"})
    assert again.status_code == 302 and Certificate.objects.count() == 1
    assert client.get(issued["Location"]).status_code == 200  # read-only view


def test_course_admin_issues_what_is_due_from_registrations(client, course_admin,
                                                            short_registration):
    attend(short_registration, 5)
    client.force_login(course_admin)
    response = client.post("/admin/registrations/registration/", {
        "action": "issue_certificates", "_selected_action": [short_registration.pk]})
    assert response.status_code == 302
    assert sorted(Certificate.objects.values_list("kind", flat=True)) == [
        "participation", "registration"]
    assert set(Certificate.objects.values_list("issued_by", flat=True)) == {course_admin.pk}


def test_exam_committee_reads_but_does_not_issue_or_revoke(client, exam_committee_member,
                                                           certificate, short_registration):
    client.force_login(exam_committee_member)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert 'value="revoke"' not in page.content.decode()
    assert ISSUE not in page.content.decode()
    revoke(client, certificate, apply="1", reason="no")
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert client.get(ISSUE).status_code == 403
    assert client.post(ISSUE, {"registration": short_registration.pk,
                               "kind": "registration"}).status_code == 403
    listing = client.get("/admin/registrations/registration/").content.decode()
    assert "issue_certificates" not in listing


def test_finance_sees_no_certificates(client, finance_user, certificate):
    client.force_login(finance_user)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ISSUE).status_code == 403
    revoke(client, certificate, apply="1", reason="no")
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_participants_do_not_reach_the_admin(client, participant, certificate):
    client.force_login(participant)
    assert client.get(CHANGELIST).status_code == 302
    assert client.get(ISSUE).status_code == 302


def test_nobody_changes_or_deletes_a_certificate(client, superuser, short_registration):
    attend(short_registration, 5)
    certificate = issue_participation_certificate(short_registration)
    client.force_login(superuser)
    change = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    client.post(change, {"holder_name": "Someone Else"})
    certificate.refresh_from_db()
    assert certificate.holder_name == "Anna Peeters"
    delete = reverse("admin:certificates_certificate_delete", args=[certificate.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_course_admin_names_the_signatory(client, course_admin, organizer):
    from certificates.models import Signatory
    from tests.factories import CourseFactory

    client.force_login(course_admin)
    english(client)
    add = "/admin/certificates/signatory/add/"
    data = {"organizer": organizer.pk, "name": "Prof. dr. Jan Peeters",
            "function_nl": "Decaan", "function_en": "Dean"}
    # The organizer has a default signatory already: a second one is refused.
    assert client.post(add, data).status_code == 200
    other = CourseFactory()
    refused = client.post(add, {**data, "course": other.pk})
    assert "The programme belongs to another organizer." in refused.content.decode()
    assert Signatory.objects.count() == 1
    course = CourseFactory(organizer=organizer)
    assert client.post(add, {**data, "course": course.pk}).status_code == 302
    assert Signatory.objects.get(course=course).name == "Prof. dr. Jan Peeters"


def test_the_roles_hold_the_certificate_permissions(course_admin, exam_committee_member,
                                                    finance_user):
    assert course_admin.has_perms(["certificates.add_certificate",
                                   "certificates.revoke_certificate",
                                   "certificates.change_signatory"])
    assert exam_committee_member.has_perm("certificates.view_certificate")
    assert not exam_committee_member.has_perm("certificates.revoke_certificate")
    assert not finance_user.has_perm("certificates.view_certificate")
