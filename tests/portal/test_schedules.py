"""The periodic jobs are in beat's tables after migrating, and each names a real Celery task."""

import pytest
from django_celery_beat.models import PeriodicTask

from portal.celery import app

pytestmark = pytest.mark.django_db


def test_every_periodic_job_is_scheduled():
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "portal.tasks.sweep_outbox",
        "registrations.tasks.process_waiting_lists",
        "billing.tasks.run_late_payment_job_task",
    } <= tasks


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for task in PeriodicTask.objects.values_list("task", flat=True):
        assert task in app.tasks, task


def test_the_late_payment_job_runs_daily_at_six_in_brussels():
    job = PeriodicTask.objects.get(task="billing.tasks.run_late_payment_job_task")
    assert (job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == (
        "6", "0", "Europe/Brussels")
