"""No open redirect (issue 10): the `next` of the admin's log-in, the language switch and
allauth's log-in never send anyone to another site."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_admin_log_in_keeps_staff_on_the_site(client, course_admin, target):
    client.force_login(course_admin)
    response = client.get(reverse("admin:login"), {"next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_admin_log_in_follows_a_local_next(client, course_admin):
    client.force_login(course_admin)
    response = client.get(reverse("admin:login"), {"next": "/admin/billing/"})
    assert response["Location"] == "/admin/billing/"


@pytest.mark.parametrize("target", EVIL)
def test_anonymous_admin_log_in_passes_only_a_local_next_to_allauth(client, target):
    response = client.get(reverse("admin:login"), {"next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_stays_on_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("target", EVIL)
def test_allauth_log_in_ignores_a_foreign_next(client, participant, target):
    response = client.post(reverse("account_login") + "?next=" + target,
                           {"login": participant.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
