"""The Celery tasks are thin and idempotent; the hourly sweep is in beat's schedule."""

from django_celery_beat.models import PeriodicTask

from certificates.models import Certificate
from certificates.tasks import (
    issue_all_due_certificates_task,
    issue_certificates_for_publication_task,
    issue_certificates_for_registration_task,
)
from exams.models import Publication
from tests.certificates.conftest import attend, results


def test_the_sweep_is_scheduled_hourly(db):
    task = PeriodicTask.objects.get(name="Certificates: issue what is due")
    assert task.task == "certificates.tasks.issue_all_due_certificates_task"
    assert task.enabled and (task.interval.every, task.interval.period) == (60, "minutes")


def test_tasks_issue_once(short_registration, postgraduate_registration,
                          exam_committee_member):
    attend(short_registration, 4, 1)
    assert issue_certificates_for_registration_task.delay(short_registration.pk).get() == 2
    assert issue_certificates_for_registration_task.delay(short_registration.pk).get() == 2
    assert Certificate.objects.count() == 2

    results(postgraduate_registration, exam_committee_member, "10", "10")
    publication = Publication.objects.get()
    assert issue_certificates_for_publication_task.delay(publication.pk).get() == 2
    assert Certificate.objects.count() == 4
    assert issue_all_due_certificates_task.delay().get() == 0
    assert issue_certificates_for_registration_task.delay(0).get() == 0
    assert issue_certificates_for_publication_task.delay(0).get() == 0


def test_one_registration_that_fails_does_not_stop_the_sweep(
        short_registration, postgraduate_registration, monkeypatch, caplog):
    """A registration whose certificates cannot be issued (bad data, a bug) is logged and
    skipped: the hourly sweep still issues everybody else's, every hour."""
    from certificates import services

    first, second = sorted([short_registration, postgraduate_registration], key=lambda r: r.pk)
    issue = services.issue_due_certificates

    def failing_for_first(registration, **kwargs):
        if registration.pk == first.pk:
            raise RuntimeError("broken data")
        return issue(registration, **kwargs)

    monkeypatch.setattr(services, "issue_due_certificates", failing_for_first)
    Certificate.objects.all().delete()
    issue_all_due_certificates_task.delay()
    assert Certificate.objects.filter(registration=second).exists()
    assert not Certificate.objects.filter(registration=first).exists()
    assert f"registration {first.pk}" in caplog.text and "broken data" in caplog.text
