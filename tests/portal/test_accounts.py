"""Accounts: sign-up by e-mail with verification, the work-address warning, the own profile."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from portal.email_domains import is_work_address
from portal.models import User
from tests.factories import PASSWORD, UserFactory, WorkEmailDomainFactory


@pytest.mark.parametrize(
    ("email", "domains", "expected"),
    [
        ("an@ugent.be", ["ugent.be"], True),
        ("an@UGent.BE", ["ugent.be"], True),
        ("an@student.ugent.be", ["ugent.be"], True),
        ("an@notugent.be", ["ugent.be"], False),
        ("an@gmail.com", ["ugent.be", "kuleuven.be"], False),
        ("an@kuleuven.be", ["ugent.be", " KULeuven.be "], True),
        ("an@ugent.be", [], False),
        ("not-an-address", ["ugent.be"], False),
        ("an@ugent.be.", ["ugent.be"], True),
        ("an@ugent.be", [""], False),
    ],
)
def test_is_work_address(email, domains, expected):
    assert is_work_address(email, domains) is expected


def _sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "An",
            "last_name": "Peeters",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )


def _warnings(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.django_db
def test_sign_up_with_a_work_address_warns_but_creates_the_profile(client):
    WorkEmailDomainFactory(domain="ugent.be")
    response = _sign_up(client, "an.peeters@ugent.be")
    assert response.status_code == 200
    user = User.objects.get(email="an.peeters@ugent.be")
    assert (user.first_name, user.last_name) == ("An", "Peeters")
    assert any("an.peeters@ugent.be" in w for w in _warnings(response))


@pytest.mark.django_db
def test_sign_up_with_a_personal_address_does_not_warn(client):
    WorkEmailDomainFactory(domain="ugent.be")
    response = _sign_up(client, "an.peeters@gmail.com")
    assert User.objects.filter(email="an.peeters@gmail.com").exists()
    assert _warnings(response) == []


@pytest.mark.django_db
def test_sign_up_needs_e_mail_verification_before_the_dashboard(
    client, django_capture_on_commit_callbacks
):
    # The mail goes through the outbox: sent once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "new@example.org")
    assert not EmailAddress.objects.get(email="new@example.org").verified
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    client.post(link.group(1))
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_unverified_participant_cannot_log_in(client):
    user = UserFactory(verified=False)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_adding_a_work_address_later_warns(client, participant):
    WorkEmailDomainFactory(domain="kuleuven.be")
    client.force_login(participant)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "an@kuleuven.be"}, follow=True
    )
    assert any("an@kuleuven.be" in w for w in _warnings(response))


@pytest.mark.django_db
def test_duplicate_e_mail_is_refused_case_insensitively(
    client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, participant.email.upper())
    assert User.objects.filter(email__iexact=participant.email).count() == 1
    # allauth does not reveal that the address exists; it tells the owner by e-mail instead.
    assert [m.to for m in mail.outbox] == [[participant.email]]


@pytest.mark.django_db
def test_profile_edits_only_the_logged_in_person(client, participant, other_participant):
    client.force_login(participant)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "An",
            "last_name": "Peeters",
            "date_of_birth": "1985-04-12",
            "street": "Veldstraat 1",
            "postal_code": "9000",
            "city": "Gent",
            "country": "BE",
            "phone": "+32 9 123 45 67",
            "preferred_language": "en",
            # A tampered form cannot point the edit at another person.
            "id": other_participant.pk,
            "email": other_participant.email,
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    other_participant.refresh_from_db()
    assert participant.city == "Gent" and participant.preferred_language == "en"
    assert other_participant.city == "" and other_participant.email == "other@example.org"


@pytest.mark.django_db
def test_profile_rejects_a_bad_date_with_a_message(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("profile"),
        {"first_name": "An", "last_name": "P", "date_of_birth": "31/02/1985",
         "preferred_language": "nl", "country": "BE"},
    )
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors


@pytest.mark.django_db
def test_profile_and_dashboard_require_log_in(client):
    for name in ("dashboard", "profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_dashboard_as_participant_and_staff(client, participant, course_admin):
    for user in (participant, course_admin):
        client.force_login(user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert b'id="registrations"' in response.content
        assert b'id="invoices"' in response.content
        assert b'id="certificates"' in response.content


@pytest.mark.django_db
def test_language_switch_remembers_the_preference(client, participant):
    client.force_login(participant)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert response.cookies["django_language"].value == "en"
    participant.refresh_from_db()
    assert participant.preferred_language == "en"


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize(("preferred", "browser"), [("en", "nl"), ("nl", "en")])
def test_log_in_switches_to_the_preferred_language(client, preferred, browser):
    """The pages after log-in are in the profile's language, not the browser's."""
    user = UserFactory(preferred_language=preferred)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE=browser)
    assert response.cookies["django_language"].value == preferred
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=browser).content.decode()
    assert f'<html lang="{preferred}"' in page


@pytest.mark.django_db
def test_log_in_rate_limit_stays_on(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    # After five failures even the right password is refused for a while.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Te veel inlogpogingen" in str(response.context["form"].errors)  # nl by default
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_rate_limit_stays_on(
    client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            response = client.post(reverse("account_reset_password"),
                                   {"email": participant.email})
    # allauth's default limit: five reset mails per address per minute, whatever is posted.
    assert len(mail.outbox) == 5
    assert response.status_code == 429


@pytest.mark.django_db
def test_staff_land_in_the_admin_and_participants_on_their_dashboard(
        client, participant, course_admin, finance_user, exam_committee_member):
    def logged_in(user, **query):
        client.logout()
        url = reverse("account_login") + ("?next=" + query["next"] if query else "")
        return client.post(url, {"login": user.email, "password": PASSWORD})["Location"]

    assert logged_in(participant) == reverse("dashboard")
    for staff in (course_admin, finance_user, exam_committee_member):
        assert logged_in(staff) == reverse("admin:index")
    # A link that asked for a page first still leads there.
    assert logged_in(finance_user, next="/dashboard/") == "/dashboard/"
