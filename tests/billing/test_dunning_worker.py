"""The daily late-payment task on a real Celery worker (tests/celery_worker.py): published twice,
and a worker killed (SIGKILL) in the middle of the job then a new worker running it again. Each
invoice gets one reminder step and one e-mail. The task uses the real date, so the invoices are
due ten days ago (reminders only: the term has not passed)."""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import LatePaymentStep
from billing.tasks import run_late_payment_job_task
from portal.models import OutgoingEmail
from tests.billing.test_dunning_concurrency import (  # noqa: F401 (an autouse fixture)
    _leave_the_migrations_data,
)
from tests.celery_worker import (  # noqa: F401 (the fixtures private_redis, workers)
    private_redis_fixture,
    publishing_fixture,
    wait_for,
    workers_fixture,
)
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TASK = "billing.tasks.run_late_payment_job_task"


def overdue_invoices(count):
    issued = timezone.localdate() - timedelta(days=40)
    edition = EditionFactory()
    return [InvoiceFactory(registrations=[RegistrationFactory(edition=edition)], today=issued)
            for _ in range(count)]


def test_the_task_published_twice_sends_each_reminder_once(workers):
    invoices = overdue_invoices(3)
    worker = workers()
    run_late_payment_job_task.delay()
    run_late_payment_job_task.delay()
    wait_for(lambda: _succeeded(worker) >= 2, timeout=60, what="two runs of the job")
    assert LatePaymentStep.objects.count() == 3
    for invoice in invoices:
        wait_for(lambda i=invoice: worker.sent_to(i.user.email) >= 1, timeout=90,
                 what="the reminder")
    assert [worker.sent_to(invoice.user.email) for invoice in invoices] == [1, 1, 1]
    assert "'reminders': 3" in worker.log() and "'reminders': 0" in worker.log()


def _succeeded(worker) -> int:
    return sum(1 for line in worker.log().splitlines()
               if TASK in line and " succeeded in " in line)


def test_a_worker_killed_mid_job_then_a_new_run_acts_once_per_invoice(workers):
    invoices = overdue_invoices(120)
    first = workers()
    run_late_payment_job_task.delay()
    wait_for(lambda: LatePaymentStep.objects.exists(), interval=0.005, timeout=60,
             what="the first reminder")
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    done_by_first = LatePaymentStep.objects.count()
    print(f"killed after {done_by_first} of {len(invoices)} reminders")

    second = workers()
    run_late_payment_job_task.delay()
    wait_for(lambda: _succeeded(second) >= 1, timeout=120, what="the second run")
    assert LatePaymentStep.objects.count() == len(invoices)
    for invoice in invoices:
        assert LatePaymentStep.objects.filter(invoice=invoice).count() == 1
        assert OutgoingEmail.objects.filter(dedup_key=f"late-reminder:{invoice.pk}").count() == 1
    assert done_by_first < len(invoices), "the kill came too late to test anything"
