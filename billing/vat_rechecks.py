"""Asking VIES again about the VAT numbers it could not confirm at checkout (rules.md §2).

The invoice keeps what was known when it was issued (``vat_check`` = unverified); each later
answer is a ``VatNumberCheck`` row beside it, which finance sees in the invoice list (filter
"VIES re-check"). The task queued at checkout asks a few times; the hourly sweep picks up what
is still unanswered (broker down, the embedded mode, a long VIES outage), for a month.

The sweep handles each checkout on its own: one whose answer cannot be recorded (bad data, a
bug) is logged and counted, and the others are still asked. It is kept as an unverified check
with the error, so it goes back in the queue behind the others (the oldest asked first) instead
of heading every run.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from billing.models import VatNumberCheck
from billing.vies import lookup_vat
from registrations.models import Checkout

ANSWERED = ("verified", "invalid")
RECHECK_FOR = timedelta(days=30)  # after that the number is left to finance, as unverified
NOT_BEFORE = timedelta(minutes=30)  # since the last attempt: the task may just have asked
BATCH = 20  # a hanging VIES costs its timeout per number: keep a run under a few minutes

logger = logging.getLogger(__name__)


def record_answer(checkout: Checkout) -> str:
    """Ask VIES about the checkout's number and keep its answer (whatever it is)."""
    result = lookup_vat(checkout.vat_number)
    VatNumberCheck.objects.create(
        checkout=checkout,
        vat_number=result.number,
        status=result.status,
        name=result.name,
        address=result.address,
        detail=result.detail[:300],
    )
    return result.status


def unanswered(now):
    """Company checkouts of the last month whose number VIES has not answered yet and that
    were not tried in the last half hour, the ones asked longest ago first (never asked before
    all): with more waiting than a run asks, the oldest checkouts must not take every run."""
    return (
        Checkout.objects.filter(invoice_to=Checkout.InvoiceTo.COMPANY, vat_status="unverified",
                                created_at__gte=now - RECHECK_FOR)
        .exclude(vat_checks__status__in=ANSWERED)
        .exclude(vat_checks__checked_at__gte=now - NOT_BEFORE)
        .annotate(last_asked=Max("vat_checks__checked_at"))
        .order_by(F("last_asked").asc(nulls_first=True), "pk")
    )


def recheck_unverified(now=None, batch=BATCH) -> dict:
    """The sweep: one VIES question per unanswered checkout, at most ``batch`` a run. Safe to
    run at any time and twice: an answered number is not asked again."""
    now = now or timezone.now()
    counts = {"verified": 0, "invalid": 0, "unverified": 0, "failed": 0}
    for checkout in list(unanswered(now)[:batch]):
        try:
            with transaction.atomic():
                counts[record_answer(checkout)] += 1
        except Exception as error:  # noqa: BLE001 - one checkout must not stop the others
            logger.exception("VIES re-check of checkout %s failed", checkout.pk)
            counts["failed"] += 1
            _record_failure(checkout, error)
    return counts


def _record_failure(checkout: Checkout, error: Exception) -> None:
    """An unverified check saying what went wrong: finance sees it, and it dates the attempt
    for the queue's order. If even that cannot be written, the log above is all there is."""
    try:
        with transaction.atomic():
            VatNumberCheck.objects.create(
                checkout=checkout, vat_number=checkout.vat_number[:20], status="unverified",
                detail=f"re-check failed: {type(error).__name__}: {error}"[:300],
            )
    except Exception:  # noqa: BLE001 - logged; the sweep goes on
        logger.exception("VIES re-check of checkout %s: the failure could not be recorded",
                         checkout.pk)
