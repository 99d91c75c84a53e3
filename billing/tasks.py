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


@shared_task(acks_late=True)
def import_statement_task(*, statement_id: int) -> str:
    """Import an uploaded bank statement (billing/statements/importer.py). Safe to run twice:
    a finished statement is left alone and an interrupted one resumes where it stopped."""
    from billing.statements.importer import import_statement

    return import_statement(statement_id).status


@shared_task(acks_late=True, ignore_result=True)
def run_late_payment_job_task() -> dict:
    """Daily (beat, 06:00 Europe/Brussels): reminders, late charges and unpaid flags for the
    invoices overdue today (billing.latepayment; seed 2 art. 4.4 and 4.7, rules.md §3).
    Idempotent, so a redelivery (acks_late, a worker lost mid-way) or a second run the same day
    takes no step twice; it only finishes what the first one left."""
    from django.utils import timezone

    from billing.latepayment import run_late_payment_job

    return run_late_payment_job(timezone.localdate()).as_dict()
