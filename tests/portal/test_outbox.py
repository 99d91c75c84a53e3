"""The e-mail outbox: written in the transaction, sent once after commit, swept when the broker
was down. Tests about tasks use a real Redis and a real Celery worker (tests/celery_worker.py);
the rest call the outbox in this process with Django's in-memory mail backend.
"""

import socket
import threading
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_celery_beat.models import PeriodicTask

from portal import outbox
from portal.models import OutgoingEmail
from portal.outbox import queue_email, send_pending, sweep
from portal.tasks import send_outgoing_email, sweep_outbox
from tests.celery_worker import (  # noqa: F401 (the fixtures celery_worker, ...)
    celery_worker_fixture,
    private_redis_fixture,
    redis_restored_fixture,
    wait_for,
)
from tests.factories import UserFactory

CONTEXT = {"title": "Tom & Jerry", "when": date(2025, 1, 15)}


def queue(to="someone@example.org", **overrides):
    """The example mail (templates/emails/example.*), as a use case would queue it."""
    arguments = {
        "to": to,
        "subject": "Example",
        "template": "example",
        "context": CONTEXT,
        "language": "en",
    }
    return queue_email(**{**arguments, **overrides})


def is_sent(email) -> bool:
    return OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.SENT).exists()


def make_due(email):
    """Pretend the sweep's grace period (or the backoff) has passed."""
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlowLocmemBackend(LocmemBackend):
    """Holds the SMTP stage open long enough for concurrent senders to collide."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


# Queueing and rendering (this process) ------------------------------------------------------


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


# Attachments -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attachments_are_rendered_at_send_time(monkeypatch):
    calls = []

    def render_blob(pk):
        calls.append(pk)
        return f"blob-{pk}.pdf", f"%PDF blob {pk}".encode(), "application/pdf"

    monkeypatch.setitem(outbox.ATTACHMENT_RENDERERS, "test_blob", render_blob)
    email = queue(attachments=[{"kind": "test_blob", "id": 7}])
    assert calls == []
    assert OutgoingEmail.objects.get(pk=email.pk).attachments == [{"kind": "test_blob", "id": 7}]

    assert send_pending(email.pk) is True
    assert calls == [7]
    [message] = mail.outbox
    assert message.attachments == [("blob-7.pdf", b"%PDF blob 7", "application/pdf")]


@pytest.mark.django_db
def test_unknown_attachment_kind_is_recorded_and_not_sent():
    email = queue(attachments=[{"kind": "no_such_kind", "id": 1}])

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert mail.outbox == []
    assert email.status == OutgoingEmail.Status.PENDING and email.attempts == 1
    assert "UnknownAttachmentKind" in email.last_error and "no_such_kind" in email.last_error


def test_a_kind_cannot_be_registered_twice(monkeypatch):
    monkeypatch.setattr(outbox, "ATTACHMENT_RENDERERS", {})
    renderer = lambda pk: ("a", b"", "text/plain")  # noqa: E731
    outbox.register_attachment_kind("x", renderer)
    outbox.register_attachment_kind("x", renderer)  # the same one again: an app reloaded
    with pytest.raises(ValueError, match="already registered"):
        outbox.register_attachment_kind("x", lambda pk: ("b", b"", "text/plain"))


# Rendering at send time ---------------------------------------------------------------------


def example_context(references):
    """A context builder for the example template: reads its data at send time."""
    from django.utils import translation

    return {"title": f"Order {references['order']} & co ({translation.get_language()})",
            "when": date(2025, 1, 15)}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "month"), [("en", "15 January 2025"),
                                                 ("nl", "15 januari 2025")])
def test_a_mail_with_context_references_is_rendered_when_sent(monkeypatch, language, month):
    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    email = queue(context=None, context_references={"order": 7}, language=language)

    row = OutgoingEmail.objects.get(pk=email.pk)
    assert (row.template, row.context_references) == ("example", {"order": 7})
    assert (row.body_text, row.body_html) == ("", "")

    assert send_pending(email.pk) is True
    [message] = mail.outbox
    assert f"Order 7 & co ({language})" in message.body and month in message.body
    [(html, _mimetype)] = message.alternatives
    assert f"Order 7 &amp; co ({language})" in html
    row.refresh_from_db()
    assert (row.body_text, row.body_html) == (message.body, html)
    assert row.status == OutgoingEmail.Status.SENT


@pytest.mark.django_db
def test_a_builder_that_fails_is_recorded_and_retried_from_blank_bodies(monkeypatch):
    def broken(references):
        raise OutgoingEmail.DoesNotExist("order 8 is gone")

    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", broken)
    email = queue(context=None, context_references={"order": 8})

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert mail.outbox == [] and email.attempts == 1 and "order 8 is gone" in email.last_error
    assert (email.body_text, email.body_html) == ("", "")

    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    assert send_pending(email.pk) is True
    assert "Order 8" in mail.outbox[0].body


@pytest.mark.django_db
def test_context_and_references_are_one_or_the_other_and_need_a_builder(monkeypatch):
    with pytest.raises(ValueError, match="No context builder"):
        queue(context=None, context_references={"order": 1})
    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(context_references={"order": 1})
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(context=None)
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_pre_rendered_bodies_are_sent_as_given_under_their_kind():
    email = queue_email(to="given@example.org", subject="Given", language="nl",
                        bodies=("plain & text", "<p>h</p>"), kind="account/email/example")
    assert (email.kind, email.template, email.body_text) == ("account/email/example", "",
                                                            "plain & text")
    assert queue().kind == "example"  # a template-rendered mail is named by its template
    assert send_pending(email.pk) is True
    [message] = mail.outbox
    assert message.body == "plain & text" and message.alternatives[0][0] == "<p>h</p>"
    email.refresh_from_db()
    assert email.body_text == "plain & text"  # no secret: the body stays for staff


@pytest.mark.django_db
def test_pre_rendered_bodies_come_with_a_kind_and_nothing_else():
    with pytest.raises(ValueError, match="with a kind"):
        queue_email(to="a@example.org", subject="s", bodies=("t", ""), language="en")
    with pytest.raises(ValueError, match="with a kind"):
        queue(context=None, bodies=("t", ""), kind="k")  # and a template
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(bodies=("t", ""), kind="k")  # and a context
    assert not OutgoingEmail.objects.exists()


def test_a_template_cannot_get_a_second_builder(monkeypatch):
    monkeypatch.setattr(outbox, "CONTEXT_BUILDERS", {})
    outbox.register_context_builder("x", example_context)
    outbox.register_context_builder("x", example_context)  # the same one again
    with pytest.raises(ValueError, match="already has the context builder"):
        outbox.register_context_builder("x", lambda references: {})


# SMTP failures, backoff, the sweep (this process) -------------------------------------------


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


# Beat schedule and admin ----------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_schedules_the_sweep_every_minute():
    task = PeriodicTask.objects.get(task="portal.tasks.sweep_outbox")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
    assert sweep_outbox.name == task.task


@pytest.mark.django_db
def test_admin_lists_the_outbox_and_sends_now(client, superuser):
    email = queue(to="admin-sent@example.org")
    client.force_login(superuser)
    url = reverse("admin:portal_outgoingemail_changelist")

    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("admin:portal_outgoingemail_change", args=[email.pk])).status_code == 200
    )
    response = client.post(url, {"action": "send_now", "_selected_action": [email.pk]}, follow=True)
    assert response.status_code == 200
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["admin-sent@example.org"]]


@pytest.mark.django_db
def test_finance_sees_the_outbox_but_cannot_send(client, finance_user, course_admin):
    email = queue()
    url = reverse("admin:portal_outgoingemail_changelist")
    client.force_login(finance_user)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "send_now", "_selected_action": [email.pk]})
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.PENDING

    client.force_login(course_admin)
    client.post(url, {"action": "send_now", "_selected_action": [email.pk]})
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT


# Two senders racing on one row (PostgreSQL row locks, this process) -------------------------


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
    settings.EMAIL_BACKEND = f"{__name__}.SlowLocmemBackend"
    email = pending_row("race@example.org")

    results = race(email.pk)

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_control_without_the_row_lock_the_race_sends_duplicates(settings, monkeypatch):
    """Proves the test above can fail: take the lock away and every sender sends."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowLocmemBackend"
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)
    email = pending_row("race-control@example.org")

    results = race(email.pk)

    assert len(mail.outbox) > 1 and results.count(True) > 1


# A real worker on a real Redis ---------------------------------------------------------------


def drain(worker):
    """Wait until the worker has handled everything queued so far: one solo worker takes the
    queue in order, so once a marker mail queued now is written, all earlier tasks are done."""
    marker = f"drain-{time.monotonic_ns()}@example.org"
    with transaction.atomic():
        queue(to=marker)
    wait_for(lambda: worker.sent_to(marker) == 1, what="the worker to drain its queue")


@pytest.mark.django_db(transaction=True)
def test_worker_sends_after_commit_exactly_once(celery_worker):
    with transaction.atomic():
        email = queue(to="after-commit@example.org")
        time.sleep(0.5)  # a worker that sent before commit would have done so by now
        assert celery_worker.sent_to("after-commit@example.org") == 0

    wait_for(lambda: celery_worker.sent_to("after-commit@example.org") == 1, what="the mail")
    # The file is written just before the worker's COMMIT that marks the row sent.
    wait_for(lambda: is_sent(email), what="the row marked sent")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.sent_at is not None
    drain(celery_worker)
    assert celery_worker.sent_to("after-commit@example.org") == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_use_case_sends_nothing(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(to="rolled-back@example.org")
        raise RuntimeError("checkout failed")

    drain(celery_worker)
    assert celery_worker.sent_to("rolled-back@example.org") == 0
    assert not OutgoingEmail.objects.filter(recipient="rolled-back@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_task_run_twice_sends_once(celery_worker):
    with transaction.atomic():
        email = queue(to="twice@example.org")
    send_outgoing_email.delay(email.pk)  # a duplicate delivery while the first may be queued
    wait_for(lambda: celery_worker.sent_to("twice@example.org") == 1, what="the mail")

    send_outgoing_email.delay(email.pk)  # redelivered after it was sent (acks_late)
    assert send_pending(email.pk) is False  # and the sweep or admin in another process
    drain(celery_worker)
    assert celery_worker.sent_to("twice@example.org") == 1


@pytest.mark.django_db(transaction=True)
def test_redis_down_during_checkout_then_the_sweep_sends_once(celery_worker, redis_restored):
    redis_restored.stop()
    try:
        started = time.monotonic()
        with transaction.atomic():
            email = queue(to="broker-outage@example.org")
        elapsed = time.monotonic() - started
    finally:
        redis_restored.start()

    print(f"commit with Redis down took {elapsed:.2f} s")
    assert elapsed < 5
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 0)
    drain(celery_worker)  # the worker is back on the restarted Redis
    assert celery_worker.sent_to("broker-outage@example.org") == 0

    make_due(email)  # a minute later, beat runs the sweep
    sweep_outbox.delay()
    wait_for(lambda: celery_worker.sent_to("broker-outage@example.org") == 1, what="the sweep")
    wait_for(lambda: is_sent(email), what="the row marked sent")  # written just before COMMIT
    sweep_outbox.delay()
    drain(celery_worker)
    assert celery_worker.sent_to("broker-outage@example.org") == 1


def test_hung_broker_does_not_hang_the_checkout():
    """A Redis that accepts connections but never answers (frozen, half-open network) is worse
    than one that is down: without a socket read timeout the on-commit publish waits forever.
    The checkout thread is measured from outside, so a failure cannot hang the suite."""
    from tests.celery_worker import publishing_to

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    done = threading.Event()

    def publish():
        outbox.enqueue_send(0)
        done.set()

    try:
        with publishing_to(f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            started = time.monotonic()
            threading.Thread(target=publish, daemon=True).start()
            finished = done.wait(5)
            elapsed = time.monotonic() - started
    finally:
        listener.close()
        for sock in accepted:
            sock.close()
    print(
        f"publish to a hung Redis returned after {elapsed:.2f} s"
        if finished
        else "publish to a hung Redis did not return within 5 s"
    )
    assert finished, "set socket_timeout in CELERY_BROKER_TRANSPORT_OPTIONS"
