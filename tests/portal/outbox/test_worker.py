"""A real Celery worker on a real Redis."""

import socket
import threading
import time

import pytest
from django.db import transaction

from portal import outbox
from portal.models import OutgoingEmail
from portal.outbox import send_pending
from portal.tasks import send_outgoing_email, sweep_outbox
from tests.celery_worker import (  # noqa: F401 (the fixtures celery_worker, ...)
    celery_worker_fixture,
    private_redis_fixture,
    redis_restored_fixture,
    wait_for,
)
from tests.portal.outbox.helpers import (
    drain,
    is_sent,
    make_due,
    queue,
)


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
