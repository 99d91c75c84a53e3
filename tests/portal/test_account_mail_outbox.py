"""allauth's mails (sign-up verification, verification re-sent, password reset, e-mail change)
go through the outbox: queued in the recipient's language, sent after commit, swept when SMTP
was down; the one-time link works and is not kept once the mail has gone out."""

import re
import socket

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

NEW_PASSWORD = "another-horse-battery-staple"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down(settings):
    """A real SMTP backend pointed at a port where nothing listens: connection refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    return settings


def sign_up(client, email, **headers):
    return client.post(
        reverse("account_signup"),
        {"first_name": "An", "last_name": "Peeters", "email": email,
         "password1": PASSWORD, "password2": PASSWORD},
        **headers,
    )


@pytest.mark.django_db
def test_smtp_down_at_sign_up_still_signs_up(client, smtp_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "unlucky@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


@pytest.mark.django_db
def test_smtp_down_at_password_reset_still_answers(client, participant, smtp_down,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": participant.email})
    assert response.status_code == 302
