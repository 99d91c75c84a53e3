"""Log-in and password-reset rate limits (allauth's ACCOUNT_RATE_LIMITS, set explicitly in
portal/settings.py): the attempt after the limit is refused with a clear message, even with the
right password."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_limits_are_set_explicitly():
    limits = settings.ACCOUNT_RATE_LIMITS
    assert limits["login_failed"] == "10/m/ip,5/300s/key"
    assert limits["reset_password"] == "20/m/ip,5/m/key"


def test_sixth_failed_log_in_for_one_address_is_refused_even_with_the_right_password(
        client, participant):
    for _attempt in range(5):
        response = log_in(client, participant.email, "wrong-password")
        assert response.status_code == 200
        assert "The email address and/or password you specified are not correct." in (
            response.content.decode())
    response = log_in(client, participant.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_addresses_can_still_log_in(client, participant, other_participant):
    for _attempt in range(5):
        log_in(client, participant.email, "wrong-password")
    response = log_in(client, other_participant.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_participant.pk)


def test_eleventh_failed_log_in_from_one_ip_is_refused(client, participant):
    for attempt in range(10):
        response = log_in(client, f"nobody{attempt}@example.org", "wrong-password")
        assert "Too many" not in response.content.decode()
    response = log_in(client, participant.email, PASSWORD)
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sixth_password_reset_for_one_address_is_refused(
    client, participant, django_capture_on_commit_callbacks
):
    # The mails go through the outbox: sent once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(5):
            response = client.post(reverse("account_reset_password"),
                                   {"email": participant.email})
            assert response.status_code == 302
    assert len(mail.outbox) == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": participant.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "Wait a few minutes and try again." in response.content.decode()
    assert len(mail.outbox) == 5


def test_behind_the_proxy_each_client_address_has_its_own_limit(client, settings, participant):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for attempt in range(10):
        client.post(reverse("account_login"),
                    {"login": f"nobody{attempt}@example.org", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    refused = client.post(reverse("account_login"),
                          {"login": participant.email, "password": PASSWORD},
                          HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert "Too many failed login attempts" in refused.content.decode()
    response = client.post(reverse("account_login"),
                           {"login": participant.email, "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(participant.pk)


def test_certificate_verification_is_limited_per_client_behind_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.CERTIFICATE_VERIFICATIONS_PER_MINUTE = 3
    url = reverse("certificate_verify", args=["no-such-code"])
    answers = [client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
               for _attempt in range(4)]
    assert answers == [404, 404, 404, 429]
    # Another client behind the same proxy is not locked out.
    assert client.get(url, HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.20").status_code == 404
