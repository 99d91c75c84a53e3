"""Two senders racing on one row (PostgreSQL row locks, this process)."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from portal.models import OutgoingEmail
from portal.outbox import send_pending


def race(pk, senders=4):
    barrier, results = threading.Barrier(senders), []

    def sender():
        try:
            barrier.wait(5)
            results.append(send_pending(pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results


def pending_row(to):
    """A committed row without the on-commit task, so only the racing threads send it."""
    return OutgoingEmail.objects.create(
        recipient=to,
        subject="Race",
        body_text="text",
        body_html="",
        language="en",
        next_attempt_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_racing_senders_send_one_message(settings):
    settings.EMAIL_BACKEND = "tests.portal.outbox.helpers.SlowLocmemBackend"
    email = pending_row("race@example.org")

    results = race(email.pk)

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_control_without_the_row_lock_the_race_sends_duplicates(settings, monkeypatch):
    """Proves the test above can fail: take the lock away and every sender sends."""
    settings.EMAIL_BACKEND = "tests.portal.outbox.helpers.SlowLocmemBackend"
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)
    email = pending_row("race-control@example.org")

    results = race(email.pk)

    assert len(mail.outbox) > 1 and results.count(True) > 1
