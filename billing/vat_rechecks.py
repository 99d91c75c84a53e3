"""Asking VIES again about the VAT numbers it could not confirm at checkout (rules.md §2).

The invoice keeps what was known when it was issued (``vat_check`` = unverified); each later
answer is a ``VatNumberCheck`` row beside it, which finance sees in the invoice list (filter
"VIES re-check"). The task queued at checkout asks a few times; the hourly sweep picks up what
is still unanswered (broker down, the embedded mode, a long VIES outage), for a month.
"""

from datetime import timedelta

from django.db.models import F, Max
from django.utils import timezone

from billing.models import VatNumberCheck
from billing.vies import lookup_vat
from registrations.models import Checkout

ANSWERED = ("verified", "invalid")
RECHECK_FOR = timedelta(days=30)  # after that the number is left to finance, as unverified
NOT_BEFORE = timedelta(minutes=30)  # since the last attempt: the task may just have asked
BATCH = 20  # a hanging VIES costs its timeout per number: keep a run under a few minutes


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
    counts = {"verified": 0, "invalid": 0, "unverified": 0}
    for checkout in unanswered(now)[:batch]:
        counts[record_answer(checkout)] += 1
    return counts
