"""What the outbox tests share: the example mail, row states, an SMTP port nobody listens on,
a slow mail backend for races, and draining a real worker."""

import socket
import time
from datetime import date

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone

from portal.models import OutgoingEmail
from portal.outbox import queue_email
from tests.celery_worker import wait_for

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


def drain(worker):
    """Wait until the worker has handled everything queued so far: one solo worker takes the
    queue in order, so once a marker mail queued now is written, all earlier tasks are done."""
    marker = f"drain-{time.monotonic_ns()}@example.org"
    with transaction.atomic():
        queue(to=marker)
    wait_for(lambda: worker.sent_to(marker) == 1, what="the worker to drain its queue")
