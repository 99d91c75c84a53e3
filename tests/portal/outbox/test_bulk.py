"""The outbox's bulk form, queue_emails (portal/outbox.py): the rows queue_email would write, in
a fixed number of statements, each dedup key queued once, published only when new and only
after commit."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.models import OutgoingEmail
from portal.outbox import Email, queue_email, queue_emails
from tests.factories import UserFactory

CONTEXT = {"title": "Tom & Jerry", "when": "15/01/2025"}


def email(key, language="en", to="someone@example.org", **extra):
    return Email(to=to, subject=f"Example {key}", template="example", context=CONTEXT,
                 language=language, dedup_key=key, **extra)


@pytest.mark.django_db
def test_bulk_rows_are_the_rows_queue_email_writes(django_capture_on_commit_callbacks):
    user = UserFactory()
    single = queue_email(to=user.email, user=user, subject="Example single", template="example",
                         context=CONTEXT, language="nl", attachments=[{"kind": "k", "id": 1}],
                         dedup_key="single")
    with django_capture_on_commit_callbacks() as callbacks:
        [bulk] = queue_emails([email("bulk", "nl", to=user.email, user=user,
                                     attachments=({"kind": "k", "id": 1},))])

    bulk.refresh_from_db()
    for name in ("recipient", "user_id", "body_text", "body_html", "language", "attachments",
                 "status", "attempts"):
        assert getattr(bulk, name) == getattr(single, name), name
    assert (bulk.subject, bulk.dedup_key) == ("Example bulk", "bulk")
    assert bulk.next_attempt_at > bulk.created_at
    assert len(callbacks) == 1  # published after commit, once


@pytest.mark.django_db
def test_run_twice_queues_each_key_once_and_publishes_only_the_new(
        django_capture_on_commit_callbacks):
    queue_email(to="a@example.org", subject="x", template="example", context=CONTEXT,
                language="en", dedup_key="k1")  # queued earlier, one at a time
    batch = [email("k1"), email("k2"), email("k3"), email("k2"), email(None), email(None)]

    with django_capture_on_commit_callbacks() as callbacks:
        first = queue_emails(batch)
    assert sorted(row.dedup_key or "-" for row in first) == ["-", "-", "k2", "k3"]
    assert all(row.pk for row in first) and len(callbacks) == 4
    assert OutgoingEmail.objects.count() == 5

    with django_capture_on_commit_callbacks() as again:
        second = queue_emails(batch[:4])
    assert second == [] and again == []
    assert OutgoingEmail.objects.count() == 5
    assert OutgoingEmail.objects.filter(dedup_key="k1").get().subject == "x"  # untouched


@pytest.mark.django_db
def test_a_fixed_number_of_statements_whatever_the_number_of_mails():
    with CaptureQueriesContext(connection) as few:
        queue_emails([email(f"few:{n}") for n in range(3)])
    with CaptureQueriesContext(connection) as many:
        queue_emails([email(f"many:{n}") for n in range(60)])
    assert len(few) == len(many) == 2  # the dedup SELECT, one INSERT ... ON CONFLICT
    assert "ON CONFLICT DO NOTHING" in many[1]["sql"] and "RETURNING" in many[1]["sql"]
    assert OutgoingEmail.objects.count() == 63


@pytest.mark.django_db
def test_bad_mails_are_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="language"):
        queue_emails([email("ok"), email("fr", language="fr")])
    with pytest.raises(ValueError, match="reference"):
        queue_emails([email("att", attachments=(("a.pdf", b"%PDF", "application/pdf"),))])
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_key_queued_concurrently_is_not_queued_again():
    """The bulk call cannot see the other transaction's row when it checks; its INSERT waits
    for that transaction and then leaves the key alone (ON CONFLICT DO NOTHING)."""
    inserted, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = queue_email(to="a@example.org", subject="first",
                                               template="example", context=CONTEXT,
                                               language="en", dedup_key="race:1").pk
                inserted.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def second():
        try:
            inserted.wait(5)
            with transaction.atomic():
                results["second"] = [row.dedup_key for row in
                                     queue_emails([email("race:1"), email("race:2")])]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["second"] == ["race:2"]
    assert OutgoingEmail.objects.get(dedup_key="race:1").pk == results["first"]
    assert OutgoingEmail.objects.get(dedup_key="race:1").subject == "first"
    assert OutgoingEmail.objects.filter(dedup_key__startswith="race:").count() == 2
