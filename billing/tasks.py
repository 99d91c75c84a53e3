"""Background billing jobs; thin and idempotent."""

from celery import shared_task

from billing.models import VatNumberCheck
from billing.vies import lookup_vat
from registrations.models import Checkout


@shared_task(acks_late=True, bind=True, max_retries=12, default_retry_delay=15 * 60)
def recheck_vat_number(self, *, checkout_id: int) -> str:
    """VIES was unavailable at checkout: ask again and record the answer (every 15 minutes,
    for three hours). The invoice itself is never changed; the answer is kept beside it."""
    checkout = Checkout.objects.get(pk=checkout_id)
    if checkout.vat_checks.exclude(status="unverified").exists():
        return "already answered"
    result = lookup_vat(checkout.vat_number)
    VatNumberCheck.objects.create(
        checkout=checkout,
        vat_number=result.number,
        status=result.status,
        name=result.name,
        address=result.address,
        detail=result.detail[:300],
    )
    if result.status == "unverified":
        raise self.retry()
    return result.status
