"""Background billing jobs; thin and idempotent."""

from celery import shared_task

from billing.vat_rechecks import recheck_unverified, record_answer
from registrations.models import Checkout


@shared_task(acks_late=True, bind=True, max_retries=12, default_retry_delay=15 * 60)
def recheck_vat_number(self, *, checkout_id: int) -> str:
    """VIES was unavailable at checkout: ask again and record the answer (every 15 minutes,
    for three hours; then the hourly sweep below). The invoice itself is never changed; the
    answer is kept beside it."""
    checkout = Checkout.objects.get(pk=checkout_id)
    if checkout.vat_checks.exclude(status="unverified").exists():
        return "already answered"
    status = record_answer(checkout)
    if status == "unverified":
        raise self.retry()
    return status


@shared_task(acks_late=True, ignore_result=True)
def recheck_unverified_vat_numbers() -> dict:
    """Hourly (beat, migration billing 0008): ask VIES again about the numbers still not
    answered, whatever became of the task above (broker down, embedded mode, retries used up
    in a long outage). Idempotent: an answered number is not asked again."""
    return recheck_unverified()


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
