"""allauth's mails (sign-up verification, verification re-sent, password reset, e-mail change)
go through the outbox: queued in the recipient's language, sent after commit, swept when SMTP
was down; the one-time link works and is not kept once the mail has gone out."""

import re
import socket
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import OutgoingEmail, User
from portal.outbox import queue_email, send_pending, sweep
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "another-horse-battery-staple"
SUBJECTS = {
    "verify": {"en": "Please Confirm Your Email Address", "nl": "Bevestig je e-mailadres"},
    "reset": {"en": "Password Reset Email", "nl": "Nieuw wachtwoord"},
}
# Links are on the portal's public address, whatever the request's host (test_mail_links.py).
BASE = re.escape(settings.PORTAL_BASE_URL.rstrip("/"))
RESET_LINK = re.compile(BASE + r"(/accounts/password/reset/key/\S+/)")
VERIFY_LINK = re.compile(BASE + r"(/accounts/confirm-email/\S+/)")


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


def smtp_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def make_due(row):
    """Pretend the backoff has passed."""
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def sign_up(client, email, **headers):
    return client.post(
        reverse("account_signup"),
        {"first_name": "An", "last_name": "Peeters", "email": email,
         "password1": PASSWORD, "password2": PASSWORD},
        **headers,
    )


def request_reset(client, email, **headers):
    return client.post(reverse("account_reset_password"), {"email": email}, **headers)


def only_row() -> OutgoingEmail:
    [row] = OutgoingEmail.objects.all()
    return row


def link_in(pattern, message) -> str:
    found = pattern.search(message.body)
    assert found, message.body
    return found.group(1)


def reset_password_with(client, path) -> None:
    """Follow the mailed reset link as a browser does and choose a new password."""
    response = client.get(path)
    assert response.status_code == 302, "the reset link was refused"
    response = client.post(response["Location"],
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")


def can_log_in(client, email, password) -> bool:
    client.logout()
    client.post(reverse("account_login"), {"login": email, "password": password})
    return "_auth_user_id" in client.session


def assert_sent_and_forgotten(row, secret_path):
    """Sent, and nothing of the link left on the row; what staff need to see is kept."""
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT and row.sent_at is not None
    assert (row.body_text, row.body_html) == ("", "")
    assert row.recipient and row.subject and row.kind.startswith("account/email/")
    secret = secret_path.rstrip("/").rsplit("/", 1)[1]
    assert not OutgoingEmail.objects.filter(body_text__contains=secret).exists()


# An SMTP outage no longer fails the page; the sweep delivers later -----------------------------


@pytest.mark.django_db
def test_smtp_down_at_sign_up_then_the_sweep_delivers_a_working_link(
    client, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "unlucky@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    row = only_row()
    assert (row.status, row.attempts, row.recipient) == ("pending", 1, "unlucky@example.org")
    assert "ConnectionRefusedError" in row.last_error and mail.outbox == []

    smtp_back(smtp_down)
    make_due(row)
    assert sweep() == 1
    [message] = mail.outbox
    path = link_in(VERIFY_LINK, message)
    client.post(path)
    assert EmailAddress.objects.get(email="unlucky@example.org").verified
    assert_sent_and_forgotten(row, path)


@pytest.mark.django_db
def test_smtp_down_at_password_reset_then_the_sweep_delivers_a_working_link(
    client, participant, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(client, participant.email)
    assert response.status_code == 302
    row = only_row()
    assert (row.status, row.attempts) == ("pending", 1)

    smtp_back(smtp_down)
    make_due(row)
    assert sweep() == 1
    [message] = mail.outbox
    path = link_in(RESET_LINK, message)
    reset_password_with(client, path)
    assert can_log_in(client, participant.email, NEW_PASSWORD)
    assert_sent_and_forgotten(row, path)


# Each mail: one row, the recipient's language, delivered after commit, a working link ---------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
def test_sign_up_queues_one_verification_in_the_language_and_it_verifies(
    client, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sign_up(client, "new@example.org", HTTP_ACCEPT_LANGUAGE=language)
    row = only_row()
    assert (row.recipient, row.language, row.status) == ("new@example.org", language, "pending")
    assert row.kind == "account/email/email_confirmation_signup"
    assert row.user == User.objects.get(email="new@example.org")
    assert row.subject == SUBJECTS["verify"][language]
    # Three days to use the link (allauth's EMAIL_CONFIRMATION_EXPIRE_DAYS).
    assert abs(row.secret_valid_until - (row.created_at + timedelta(days=3))) < timedelta(seconds=5)
    assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["new@example.org"] and message.subject == row.subject
    path = link_in(VERIFY_LINK, message)
    client.post(path)
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert client.get(reverse("dashboard")).status_code == 200
    assert_sent_and_forgotten(row, path)


@pytest.mark.django_db
@pytest.mark.parametrize(("preferred", "browsing"), [("en", "nl"), ("nl", "en")])
def test_verification_sent_again_at_log_in_in_the_preferred_language(
    client, preferred, browsing, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language=preferred, verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"),
                               {"login": user.email, "password": PASSWORD},
                               HTTP_ACCEPT_LANGUAGE=browsing)
    assert response["Location"] == reverse("account_email_verification_sent")
    row = only_row()
    assert (row.language, row.kind) == (preferred, "account/email/email_confirmation")
    assert row.subject == SUBJECTS["verify"][preferred]
    [message] = mail.outbox
    path = link_in(VERIFY_LINK, message)
    client.post(path)
    assert EmailAddress.objects.get(email=user.email).verified
    assert_sent_and_forgotten(row, path)


@pytest.mark.django_db
@pytest.mark.parametrize(("preferred", "browsing"), [("en", "nl"), ("nl", "en")])
def test_password_reset_queues_one_mail_in_the_preferred_language_and_the_link_works(
    client, preferred, browsing, django_capture_on_commit_callbacks, settings
):
    user = UserFactory(preferred_language=preferred)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_reset(client, user.email, HTTP_ACCEPT_LANGUAGE=browsing).status_code == 302
    row = only_row()
    assert (row.recipient, row.user, row.language) == (user.email, user, preferred)
    assert row.kind == "account/email/password_reset_key"
    assert row.subject == SUBJECTS["reset"][preferred]
    validity = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    assert abs(row.secret_valid_until - (row.created_at + validity)) < timedelta(seconds=5)
    [message] = mail.outbox
    path = link_in(RESET_LINK, message)
    reset_password_with(client, path)
    assert can_log_in(client, user.email, NEW_PASSWORD)
    assert_sent_and_forgotten(row, path)


@pytest.mark.django_db
def test_e_mail_change_sends_one_verification_to_the_new_address(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="old@example.org", preferred_language="en")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"),
                               {"action_add": "", "email": "new@example.org"},
                               HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 302
    row = only_row()
    assert (row.recipient, row.language, row.user) == ("new@example.org", "en", user)
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    path = link_in(VERIFY_LINK, message)
    client.post(path)
    assert EmailAddress.objects.get(email="new@example.org").verified
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert_sent_and_forgotten(row, path)


@pytest.mark.django_db
def test_notices_without_a_secret_keep_their_body(
    client, participant, settings, django_capture_on_commit_callbacks
):
    """With allauth's notifications on, "your password was changed" goes out the same way; it
    holds no secret, so its body stays readable for staff."""
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_change_password"),
                    {"oldpassword": PASSWORD, "password1": NEW_PASSWORD,
                     "password2": NEW_PASSWORD})
    row = only_row()
    assert (row.kind, row.status, row.secret_valid_until) == (
        "account/email/password_changed", "sent", None)
    assert row.body_text and row.body_text == mail.outbox[0].body


# A secret that expired unsent is not sent; it is not readable in the admin or the export ------


def queue_reset_while_smtp_is_down(client, user, callbacks_fixture) -> OutgoingEmail:
    with callbacks_fixture(execute=True):
        request_reset(client, user.email)
    row = only_row()
    assert row.status == "pending" and RESET_LINK.search(row.body_text)
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "failed"])
def test_an_unsent_reset_past_its_validity_is_expired_not_sent(
    client, participant, smtp_down, django_capture_on_commit_callbacks, status
):
    row = queue_reset_while_smtp_is_down(client, participant, django_capture_on_commit_callbacks)
    smtp_back(smtp_down)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=status, next_attempt_at=timezone.now(),
        secret_valid_until=timezone.now() - timedelta(seconds=1))

    assert sweep() == 0
    row.refresh_from_db()
    assert (row.status, row.body_text, row.body_html, row.sent_at) == ("expired", "", "", None)
    assert send_pending(row.pk) is False  # staff's "send now" cannot revive it either
    assert mail.outbox == []


@pytest.mark.django_db
def test_send_now_refuses_a_reset_whose_link_has_expired(
    client, participant, smtp_down, django_capture_on_commit_callbacks
):
    row = queue_reset_while_smtp_is_down(client, participant, django_capture_on_commit_callbacks)
    smtp_back(smtp_down)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        secret_valid_until=timezone.now() - timedelta(seconds=1))

    assert send_pending(row.pk) is False
    row.refresh_from_db()
    assert (row.status, row.body_text) == ("expired", "")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_admin_never_shows_a_live_reset_link(
    client, participant, superuser, smtp_down, django_capture_on_commit_callbacks
):
    row = queue_reset_while_smtp_is_down(client, participant, django_capture_on_commit_callbacks)
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the page's language is the request's
    page = client.get(reverse("admin:portal_outgoingemail_change", args=[row.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert row.subject in content and participant.email in content
    assert "/accounts/password/reset/key/" not in content
    assert "one-time link" in content
    listing = client.get(reverse("admin:portal_outgoingemail_changelist")).content.decode()
    assert "/accounts/password/reset/key/" not in listing

    # A mail without a secret stays readable, escaped, with its line breaks.
    plain = queue_email(to="x@example.org", subject="Plain", bodies=("One\n<two>", ""),
                        kind="test/plain", language="en")
    page = client.get(reverse("admin:portal_outgoingemail_change", args=[plain.pk]))
    assert "One<br>&lt;two&gt;" in page.content.decode()


@pytest.mark.django_db
def test_the_personal_data_export_never_holds_a_live_reset_link(
    client, participant, smtp_down, django_capture_on_commit_callbacks
):
    from portal.privacy.export import collect

    row = queue_reset_while_smtp_is_down(client, participant, django_capture_on_commit_callbacks)
    data, _documents = collect(participant)
    [entry] = data["emails"]
    assert entry["subject"] == row.subject and entry["status"] == "pending"
    assert "/accounts/password/reset/key/" not in str(data)
