"""Queueing and rendering in the recipient's language, one mail per dedup key."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils.translation import gettext_lazy

from portal import outbox
from portal.models import OutgoingEmail
from portal.outbox import send_pending
from tests.factories import UserFactory
from tests.portal.outbox.helpers import (
    queue,
)


@pytest.mark.django_db
def test_queue_writes_a_pending_row_and_sends_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        email = queue(to="reader@example.org")

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING
    assert (email.recipient, email.subject, email.attempts) == ("reader@example.org", "Example", 0)
    assert email.next_attempt_at >= email.created_at + timedelta(seconds=59)
    assert len(callbacks) == 1 and mail.outbox == []


@pytest.mark.django_db
def test_embedded_default_sends_inline_after_commit(django_capture_on_commit_callbacks):
    from portal.celery import app

    assert app.conf.task_always_eager  # portal.settings_test, like the embedded default
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(to="inline@example.org")

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.sent_at is not None
    assert [m.to for m in mail.outbox] == [["inline@example.org"]]


@pytest.mark.django_db
def test_text_and_html_parts_escape_only_the_html():
    email = queue()
    send_pending(email.pk)

    [message] = mail.outbox
    assert "Tom & Jerry" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "Tom &amp; Jerry" in html and "<!DOCTYPE html>" in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["Message-ID"] == outbox.message_id(email)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "month", "subject"),
    [("en", "15 January 2025", "January"), ("nl", "15 januari 2025", "januari")],
)
def test_the_recipients_language_renders_body_and_lazy_subject(language, month, subject):
    email = queue(language=language, subject=gettext_lazy("January"))

    assert email.language == language
    assert email.subject == subject
    assert month in email.body_text and f"({language})" in email.body_text
    assert month in email.body_html and f'<html lang="{language}">' in email.body_html


@pytest.mark.django_db
def test_subject_is_one_line_and_fits():
    assert queue(subject="Your\n  registration ").subject == "Your registration"
    assert len(queue(subject="x" * 300).subject) == 255


@pytest.mark.django_db
def test_unsupported_language_and_bad_attachment_references_are_refused():
    with pytest.raises(ValueError, match="language"):
        queue(language="fr")
    with pytest.raises(ValueError, match="reference"):
        queue(attachments=[("invoice.pdf", b"%PDF", "application/pdf")])
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_a_use_case_run_twice_queues_one_mail():
    user = UserFactory()
    first = queue(to=user.email, user=user, dedup_key="registration-confirmed:1")
    second = queue(to=user.email, user=user, dedup_key="registration-confirmed:1")

    assert second.pk == first.pk
    assert OutgoingEmail.objects.count() == 1
    assert queue(dedup_key="registration-confirmed:2").pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_use_cases_with_one_dedup_key_queue_one_mail():
    """The second transaction cannot see the first's row yet: the unique index decides."""
    inserted, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = queue(dedup_key="seat-offered:7").pk
                inserted.set()
                time.sleep(0.3)
        finally:
            connection.close()

    def second():
        try:
            inserted.wait(5)
            with transaction.atomic():
                results["second"] = queue(dedup_key="seat-offered:7").pk
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["first"] == results["second"]
    assert OutgoingEmail.objects.filter(dedup_key="seat-offered:7").count() == 1
