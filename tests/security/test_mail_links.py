"""Links in allauth's mails come from PORTAL_BASE_URL, never from the request's Host header.

allauth builds its password-reset, verification and "no account here" links with
`request.build_absolute_uri`. Behind a proxy that passes its own Host (`app:8000`), or with
several names in ALLOWED_HOSTS (an internal name, a `.example.be` wildcard), anyone who asks for a
reset of someone else's address chooses the host of the link that person receives (host-header
poisoning: the key goes to whoever serves that host). The portal's own mails already link from
PORTAL_BASE_URL; these must too."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from portal.models import OutgoingEmail
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BASE = "https://portal.example.be"
EVIL = "evil.example.be"
LINK = re.compile(r"https?://[^\s\"<>/]+/accounts/[^\s\"<>]*")


@pytest.fixture
def hosts(settings):
    # A wildcard as a deployment might set it: the attacker's subdomain is an allowed host.
    settings.ALLOWED_HOSTS = [".example.be", "testserver"]
    settings.PORTAL_BASE_URL = BASE
    return settings


def links(row: OutgoingEmail) -> list[str]:
    found = LINK.findall(row.body_text) + LINK.findall(row.body_html)
    assert found, row.body_text
    return found


def assert_links_on_the_portal(row):
    for link in links(row):
        assert link.startswith(BASE + "/accounts/"), link


def test_password_reset_link_ignores_the_host_header(client, hosts, participant):
    client.post(reverse("account_reset_password"), {"email": participant.email},
                HTTP_HOST=EVIL)
    row = OutgoingEmail.objects.get(recipient=participant.email,
                                    kind="account/email/password_reset_key")
    assert_links_on_the_portal(row)


def test_unknown_account_mail_links_to_the_portal(client, hosts):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"},
                HTTP_HOST=EVIL)
    row = OutgoingEmail.objects.get(recipient="nobody@example.org")
    assert_links_on_the_portal(row)


def test_verification_link_ignores_the_host_header(client, hosts):
    client.post(
        reverse("account_signup"),
        {"first_name": "An", "last_name": "Peeters", "email": "an.new@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=EVIL,
    )
    assert EmailAddress.objects.filter(email="an.new@example.org").exists()
    row = OutgoingEmail.objects.get(recipient="an.new@example.org",
                                    kind__startswith="account/email/email_confirmation")
    assert_links_on_the_portal(row)


def test_the_reset_link_from_the_portal_address_works(client, hosts, participant):
    client.post(reverse("account_reset_password"), {"email": participant.email})
    row = OutgoingEmail.objects.get(recipient=participant.email,
                                    kind="account/email/password_reset_key")
    path = links(row)[0].removeprefix(BASE)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "password1" in response.content.decode()
