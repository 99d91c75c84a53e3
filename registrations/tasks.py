"""Periodic and deferred registration jobs; thin and idempotent."""

import logging

from celery import shared_task
from django.utils import timezone

from portal.queueing import enqueue_on_commit
from registrations.models import CartItem
from registrations.services.waiting_list import editions_with_waiting_lists, offer_free_seats

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def process_waiting_lists() -> int:
    """Drop lapsed cart holds, expire lapsed offers, offer free seats. Safe to run any time."""
    now = timezone.now()
    CartItem.objects.filter(held_until__lte=now).delete()
    offered = 0
    for edition_id in list(editions_with_waiting_lists()):
        try:
            offered += len(offer_free_seats(edition_id=edition_id, now=now))
        except Exception:  # noqa: BLE001 - one edition's problem must not stop the others
            logger.exception("Waiting lists: edition %s failed", edition_id)
    return offered


def offer_free_seats_later() -> None:
    """After the current transaction frees a seat, let the waiting list know (the periodic
    run of the same job covers a broker outage)."""
    enqueue_on_commit(process_waiting_lists)


@shared_task(acks_late=True)
def run_bulk_job(*, job_id: int) -> int:
    """Cancel or notify an edition's participants; re-running skips whom it already did."""
    from registrations.services.edition_changes import run_job

    return run_job(job_id)
