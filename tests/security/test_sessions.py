"""Session fixation (issue 10): the session key a visitor had before logging in (one an attacker
could have planted) is worthless afterwards, and logging out ends the session on the server."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_logging_in_gives_a_new_session_and_logging_out_ends_it(participant, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client = Client()
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    response = client.post(reverse("account_login"),
                           {"login": participant.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    # The planted key does not carry the log-in.
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert planted.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=after).exists()
