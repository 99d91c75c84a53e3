"""The public verification page (valid, revoked, unknown; anonymous and logged in; rate limited)
and the holder's certificates on the dashboard (rules.md §7)."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import (
    issue_participation_certificate,
    issue_registration_certificate,
    revoke_certificate,
)
from tests.certificates.conftest import attend
from tests.factories import RegistrationFactory


def main(response) -> str:
    """The page's own content (the layout around it carries a CSRF token and the path)."""
    page = response.content.decode()
    return page[page.index("<h1>"):page.index("</main>")]


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def certificate(short_registration):
    attend(short_registration, 5)
    return issue_participation_certificate(short_registration)


# Verification -----------------------------------------------------------------------------------


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_valid_certificate(client, certificate, other_participant, logged_in):
    if logged_in:
        client.force_login(other_participant)
    response = english(client).get(reverse("certificate_verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid." in page
    assert "Anna Peeters" in page
    assert "Time management for teams" in page
    assert certificate.issued_on.strftime("%d/%m/%Y") in page
    # Nothing else: no e-mail, birth date, edition code or attendance.
    assert "participant@example.org" not in page
    assert "1985" not in page and "TM-26" not in page
    assert "revoked" not in page.lower()


def test_credits_are_shown(client, short_registration):
    course = short_registration.edition.course
    course.total_credits = 3
    course.save()
    certificate = issue_registration_certificate(short_registration)
    page = english(client).get(reverse("certificate_verify", args=[certificate.code]))
    assert "3 ECTS" in page.content.decode()


def test_in_dutch_by_default(client, certificate):
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "Timemanagement voor teams" in page


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_revoked_certificate(client, certificate, course_admin, participant, logged_in):
    revoke_certificate(certificate, "Fraude", course_admin)
    if logged_in:
        client.force_login(participant)
    response = english(client).get(reverse("certificate_verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate has been revoked." in page
    assert "This certificate is valid." not in page
    assert "Fraude" not in page  # the reason is for staff


@pytest.mark.parametrize("logged_in", [False, True])
def test_an_unknown_code_is_neutral(client, certificate, participant, logged_in):
    if logged_in:
        client.force_login(participant)
    english(client)
    near = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    responses = [client.get(reverse("certificate_verify", args=[code]))
                 for code in (near, "x" * 22, certificate.code.lower() + "zz")]
    assert {r.status_code for r in responses} == {404}
    bodies = {main(r) for r in responses}
    assert len(bodies) == 1  # the same page whatever the code: nothing to learn from it
    assert "No certificate matches this verification code." in bodies.pop()


def test_unknown_page_is_the_same_with_or_without_certificates(client, short_registration):
    english(client)
    url = reverse("certificate_verify", args=["nothing-here"])
    empty = client.get(url)
    issue_registration_certificate(short_registration)
    again = client.get(url)
    assert again.status_code == empty.status_code == 404
    assert main(again) == main(empty)
    assert len(again.content) == len(empty.content)


def test_rate_limited_per_client_ip(client, certificate, settings):
    settings.CERTIFICATE_VERIFICATIONS_PER_MINUTE = 30
    url = reverse("certificate_verify", args=[certificate.code])
    english(client)
    statuses = [client.get(url, REMOTE_ADDR="198.51.100.7").status_code for _ in range(30)]
    assert statuses == [200] * 30
    limited = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    page = limited.content.decode()
    assert "Too many verification requests" in page
    assert "Anna Peeters" not in page
    unknown = client.get(reverse("certificate_verify", args=["guess"]), REMOTE_ADDR="198.51.100.7")
    assert unknown.status_code == 429  # guessing counts too
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 200


# Dashboard and downloads ------------------------------------------------------------------------


def test_the_dashboard_lists_the_holders_certificates(client, certificate, short_registration,
                                                      course_admin):
    registration_certificate = issue_registration_certificate(short_registration)
    revoke_certificate(registration_certificate, "test", course_admin)
    client.force_login(short_registration.user)
    page = english(client).get(reverse("dashboard")).content.decode()
    assert reverse("certificate_download", args=[certificate.pk]) in page
    assert reverse("certificate_download", args=[registration_certificate.pk]) in page
    assert reverse("certificate_verify", args=[certificate.code]) in page
    assert "Participation certificate: Time management for teams" in page
    assert "revoked" in page


def test_the_dashboard_shows_no_one_elses(client, certificate, other_participant):
    client.force_login(other_participant)
    page = english(client).get(reverse("dashboard")).content.decode()
    assert reverse("certificate_download", args=[certificate.pk]) not in page
    assert "You have no certificates yet." in page


def test_the_holder_downloads_at_any_time(client, certificate):
    client.force_login(certificate.user)
    response = client.get(reverse("certificate_download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="deelnameattest-TM-26.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_nobody_else_downloads_it(client, certificate, other_participant, course_admin):
    url = reverse("certificate_download", args=[certificate.pk])
    client.force_login(other_participant)
    assert client.get(url).status_code == 404
    client.force_login(course_admin)  # staff use the admin, not the holder's download
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_registration_certificate_link_issues_it_once(client, short_registration,
                                                          other_participant):
    url = reverse("registration_certificate", args=[short_registration.pk])
    assert url == f"/registrations/{short_registration.pk}/certificate/"
    client.force_login(short_registration.user)
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert 'filename="inschrijvingsattest-TM-26.pdf"' in first["Content-Disposition"]
    assert client.get(url).status_code == 200
    assert Certificate.objects.filter(kind="registration").count() == 1
    client.force_login(other_participant)
    assert client.get(url).status_code == 404


def test_a_cancelled_registration_without_certificate_has_none(client, organizer, participant):
    registration = RegistrationFactory(user=participant, edition__course__organizer=organizer,
                                       status="cancelled")
    client.force_login(participant)
    url = reverse("registration_certificate", args=[registration.pk])
    assert client.get(url).status_code == 404
    assert not Certificate.objects.exists()


def test_a_nameless_profile_never_shows_its_email_publicly(client, organizer):
    from tests.billing.test_invoice_pdf import pdf_text
    from tests.factories import UserFactory

    nameless = UserFactory(first_name="", last_name="", email="nameless@example.org")
    registration = RegistrationFactory(user=nameless, edition__course__organizer=organizer)
    certificate = issue_registration_certificate(registration)
    page = english(client).get(reverse("certificate_verify", args=[certificate.code]))
    assert page.status_code == 200
    assert "nameless@example.org" not in page.content.decode()
    client.force_login(nameless)
    pdf = client.get(reverse("certificate_download", args=[certificate.pk])).content
    assert "nameless@example.org" in pdf_text(pdf)  # on the holder's own copy only
