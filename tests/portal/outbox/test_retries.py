"""SMTP failures, backoff and the sweep, in this process."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import outbox
from portal.models import OutgoingEmail
from portal.outbox import send_pending, sweep
from tests.portal.outbox.helpers import (
    closed_port,
    make_due,
    queue,
)


@pytest.mark.django_db
def test_smtp_failure_counts_an_attempt_and_a_later_sweep_sends_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    email = queue(to="unlucky@example.org")

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=50)  # backoff
    assert sweep() == 0  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP is back
    make_due(email)
    assert sweep() == 1
    assert send_pending(email.pk) is False
    assert sweep() == 0
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
    assert [m.to for m in mail.outbox] == [["unlucky@example.org"]]


@pytest.mark.django_db
def test_after_the_last_attempt_the_row_is_failed_and_left_alone(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    email = queue()
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, outbox.MAX_ATTEMPTS)
    make_due(email)
    assert sweep() == 0

    # Staff fixed the cause and press "send now": a failed row can still go out, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending(email.pk) is True
    assert send_pending(email.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_sends_only_due_pending_rows_in_batches():
    due = [queue(to=f"due{i}@example.org") for i in range(5)]
    fresh = queue(to="fresh@example.org")
    for email in due:
        make_due(email)
    send_pending(due[0].pk)  # already sent by its task

    assert sweep(batch_size=2) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"due{i}@example.org" for i in range(5)]
    assert OutgoingEmail.objects.get(pk=fresh.pk).status == OutgoingEmail.Status.PENDING


@pytest.mark.django_db
def test_sweep_stops_at_its_time_budget():
    for i in range(3):
        make_due(queue(to=f"late{i}@example.org"))
    assert sweep(time_budget_seconds=0) == 0
    assert sweep() == 3
