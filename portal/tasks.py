"""Celery tasks of the portal app: thin, idempotent wrappers around portal.outbox.

`acks_late`: a task whose worker dies mid-way is delivered again; running twice is safe because
`send_pending` locks the row and skips a row that is already sent.
"""

from celery import shared_task

from portal import outbox


@shared_task(acks_late=True, ignore_result=True)
def send_outgoing_email(pk: int) -> bool:
    """Send one outbox row now (queued on commit by outbox.queue_email)."""
    return outbox.send_pending(pk)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Send what is still pending (broker down at commit time, SMTP errors); beat runs it every
    minute (migration portal 0004)."""
    return outbox.sweep()
