"""allauth's pages a participant meets when forgetting a password or signing up, read in Dutch:
no English error among Dutch ones, no sentence about a different e-mail."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db

RESET_SENT = ("We have sent you an e-mail with a link to choose a new password. If it has not "
              "arrived within a few minutes, check your spam folder.")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_too_short_password_is_refused_in_the_readers_language(client, language):
    response = client.post(reverse("account_signup"), {
        "first_name": "An", "last_name": "Peeters", "email": "an@example.org",
        "password1": "kort", "password2": "kort"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    expected = {"nl": "Dit wachtwoord is te kort. De minimale lengte is 8 tekens.",
                "en": "This password is too short. It must contain at least 8 characters."}
    assert expected[language] in errors


def test_the_forgot_password_page_says_a_reset_link_was_sent_not_a_verification(client):
    response = client.get(reverse("account_reset_password_done"), HTTP_ACCEPT_LANGUAGE="nl")
    page = response.content.decode()
    # allauth's own Dutch for this page speaks of a verification e-mail.
    assert "verificatie" not in page
    with translation.override("nl"):
        assert gettext(RESET_SENT) in page


def test_the_forgot_password_page_in_english(client):
    response = client.get(reverse("account_reset_password_done"), HTTP_ACCEPT_LANGUAGE="en")
    assert RESET_SENT in response.content.decode()
