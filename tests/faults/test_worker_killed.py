"""A real Celery worker killed (SIGKILL: the OOM killer, a lost machine) in the middle of a
bulk job, then the job run again by a new worker: nobody gets a second credit note, refund,
late-payment charge or e-mail. On a private Redis (tests/celery_worker.py).

- The organizer cancels an edition (a BulkJob: credit notes, refunds, e-mails per person).
- The daily late-payment job at its charging step (a numbered late charge with the flat fee
  and interest, and a second notice). Its reminder step is in tests/billing/
  test_dunning_worker.py.

The re-run is published by the test. In production the killed task's message comes back by
itself (acks_late, reject_on_worker_lost) once the broker's visibility timeout has passed, and
the late-payment job runs every day anyway.
"""

import os
import signal
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from billing.models import CreditNote, InterestRate, Invoice, LatePaymentStep, Refund
from billing.payments import record_payment
from billing.tasks import run_late_payment_job_task
from courses.models import Edition
from portal.models import OutgoingEmail
from portal.tasks import sweep_outbox
from registrations.models import BulkJob, CancellationRequest, Registration
from registrations.services.edition_changes import cancel_edition
from registrations.tasks import run_bulk_job
from tests.celery_worker import (  # noqa: F401 (the fixtures private_redis, workers)
    private_redis_fixture,
    publishing_fixture,
    wait_for,
    workers_fixture,
)
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PEOPLE = 24  # each cancellation mail renders a credit note PDF in the worker


def waiting_for(worker, predicate, what, timeout=60):
    """wait_for, with the worker's log in the failure."""
    try:
        return wait_for(predicate, interval=0.005, timeout=timeout, what=what)
    except AssertionError as error:
        raise AssertionError(f"{error}\nWorker log:\n{worker.log()[-4000:]}") from None


def kill(worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def sent(workers_, address: str) -> int:
    return sum(worker.sent_to(address) for worker in workers_)


def sweep_as_beat_would() -> None:
    """The send task of a mail the killed worker had already taken comes back only after the
    broker's visibility timeout; the outbox sweep (beat, every minute) sends it before that."""
    OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).update(
        next_attempt_at=timezone.now())
    sweep_outbox.delay()


def all_mailed_once(worker_list, people, last) -> None:
    sweep_as_beat_would()
    waiting_for(last, lambda: all(sent(worker_list, email) >= 1 for email in people),
                "every mail", timeout=240)
    sweep_outbox.delay()  # a second sweep, and a duplicate would come right behind the first
    time.sleep(2)
    assert [sent(worker_list, email) for email in people] == [1] * len(people)


def test_organizer_cancellation_killed_midway_then_rerun_refunds_and_mails_once(
        workers, course_admin):
    edition = EditionFactory(seats=PEOPLE, fee_amount=Decimal("100.00"))
    invoices = [InvoiceFactory(registrations=[RegistrationFactory(edition=edition)])
                for _ in range(PEOPLE)]
    Edition.objects.filter(pk=edition.pk).update(seats_taken=PEOPLE)  # as checkout counts them
    for invoice in invoices[::2]:  # half of them paid: those get a refund
        record_payment(invoice=invoice, amount=Decimal("100.00"),
                       paid_on=timezone.localdate(), method="bank_transfer")
    first = workers()
    with transaction.atomic():
        job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)

    waiting_for(first, lambda: CreditNote.objects.count() >= PEOPLE // 4, "a quarter done")
    kill(first)
    done_by_first = CreditNote.objects.count()
    print(f"killed after {done_by_first} of {len(invoices)} cancellations")

    second = workers()
    run_bulk_job.delay(job_id=job.pk)
    wait_for(lambda: BulkJob.objects.get(pk=job.pk).finished_at, timeout=120,
             what="the re-run to finish")

    assert done_by_first < len(invoices), "the kill came too late to test anything"
    assert not Registration.objects.filter(edition=edition, status="confirmed").exists()
    assert CreditNote.objects.count() == len(invoices)
    assert not CreditNote.objects.values("invoice").annotate(n=Count("pk")).filter(n__gt=1)
    assert Refund.objects.count() == len(invoices[::2])
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("100.00") * (PEOPLE // 2)
    confirmed = CancellationRequest.objects.filter(status="confirmed")
    assert confirmed.count() == len(invoices)
    keys = [f"cancellation-confirmed:{pk}" for pk in confirmed.values_list("pk", flat=True)]
    assert OutgoingEmail.objects.filter(dedup_key__in=keys).count() == len(invoices)
    # Every participant gets their mail (with the credit note) once, across both workers.
    all_mailed_once([first, second], [invoice.user.email for invoice in invoices], second)


def test_late_payment_job_killed_while_charging_then_rerun_charges_once(workers):
    """Invoices whose reminder term has passed: the job's next step is the charge."""
    today = timezone.localdate()
    edition = EditionFactory()
    invoices = [InvoiceFactory(registrations=[RegistrationFactory(edition=edition,
                                                                  user=UserFactory())],
                               today=today - timedelta(days=70))
                for _ in range(40)]
    LatePaymentStep.objects.bulk_create([
        LatePaymentStep(invoice=invoice, kind=LatePaymentStep.Kind.REMINDER,
                        taken_on=today - timedelta(days=30), term_until=today - timedelta(days=16))
        for invoice in invoices])
    for day in (today - timedelta(days=20), today):  # the rates table may stop before today
        start = date(day.year, 1 if day.month <= 6 else 7, 1)
        end = date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)
        InterestRate.objects.get_or_create(valid_from=start, defaults={
            "valid_until": end, "annual_rate_percent": Decimal("10.00")})
    first = workers()
    run_late_payment_job_task.delay()
    waiting_for(first, lambda: LatePaymentStep.objects.filter(kind="charge").count() >= 10,
                "ten charges")
    kill(first)
    done_by_first = LatePaymentStep.objects.filter(kind="charge").count()
    print(f"killed after {done_by_first} of {len(invoices)} charges")

    second = workers()
    run_late_payment_job_task.delay()
    wait_for(lambda: LatePaymentStep.objects.filter(kind="charge").count() == len(invoices),
             timeout=120, what="every charge")
    run_late_payment_job_task.delay()  # and the next day's run (same day here) acts on none
    wait_for(lambda: "'charges': 0" in second.log(), timeout=60, what="an idle third run")

    assert done_by_first < len(invoices), "the kill came too late to test anything"
    charges = LatePaymentStep.objects.filter(kind="charge")
    assert not charges.values("invoice").annotate(n=Count("pk")).filter(n__gt=1)
    charge_invoices = Invoice.objects.filter(pk__in=charges.values("charge"))
    assert charge_invoices.count() == len(invoices)
    assert all(charge.total > 0 for charge in charge_invoices)
    for invoice in invoices:
        notices = OutgoingEmail.objects.filter(recipient=invoice.user.email,
                                               dedup_key__startswith="late-")
        assert notices.count() == 1, list(notices.values_list("dedup_key", flat=True))
    all_mailed_once([first, second], [invoice.user.email for invoice in invoices], second)
