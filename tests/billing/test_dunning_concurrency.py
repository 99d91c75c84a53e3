"""The daily late-payment job run twice at the same moment (PostgreSQL, threads with their own
connections, real commits): each invoice gets one reminder and one charge, and the charges'
numbers have no gap and no double. Also a crash between committed invoices, then a re-run."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection

from billing.latepayment import run_late_payment_job
from billing.models import InterestRate, Invoice, LatePaymentStep, UnpaidFlag
from portal.models import OutgoingEmail
from tests.billing.test_dunning import CHARGED, REMINDED, overdue
from tests.factories import OrganizerFactory

# serialized_rollback: each test starts with what the migrations wrote (the seeded rates).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _leave_the_migrations_data(django_db_setup, django_db_blocker):
    """A transactional test ends by emptying every table. When this module is done, put back
    what the migrations wrote (roles, rates, beat schedule), so the transactional tests that
    run after it find the database as if they ran first."""
    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    assert InterestRate.objects.filter(valid_from=date(2025, 7, 1)).exists()
    # Sending is the outbox's business (tested there): keep the rows pending, render no PDFs.
    monkeypatch.setattr("portal.outbox.enqueue_send", lambda pk: True)


def at_once(day, runs=2, batch_size=2):
    barrier = threading.Barrier(runs)
    reports, errors = [], []

    def one():
        try:
            barrier.wait(timeout=10)
            reports.append(run_late_payment_job(day, batch_size=batch_size))
        except Exception as error:  # noqa: BLE001 - the assertion shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert errors == []
    return reports


def test_two_runs_at_once_one_reminder_and_one_charge_each():
    organizer = OrganizerFactory()
    invoices = [overdue(organizer=organizer) for _ in range(8)]

    reports = at_once(REMINDED)
    assert sum(r.reminders for r in reports) == 8
    reports = at_once(CHARGED)
    assert sum(r.charges for r in reports) == 8
    assert all(r.errors == [] for r in reports)

    for invoice in invoices:
        kinds = sorted(LatePaymentStep.objects.filter(invoice=invoice).values_list("kind",
                                                                                   flat=True))
        assert kinds == ["charge", "reminder"]
        assert OutgoingEmail.objects.filter(dedup_key__endswith=f":{invoice.pk}").count() == 2
        assert Invoice.objects.filter(charged_for=invoice).count() == 1
    assert UnpaidFlag.objects.count() == 8
    sequences = sorted(Invoice.objects.filter(organizer=organizer).values_list("sequence",
                                                                               flat=True))
    assert sequences == list(range(1, 17))  # 8 invoices, then 8 charges: no gap, no double


def test_four_runs_at_once():
    invoices = [overdue() for _ in range(6)]
    assert sum(r.reminders for r in at_once(REMINDED, runs=4, batch_size=1)) == 6
    assert sum(r.charges for r in at_once(CHARGED, runs=4, batch_size=1)) == 6
    assert LatePaymentStep.objects.count() == 12
    assert Invoice.objects.filter(kind="late_charge").count() == 6
    assert OutgoingEmail.objects.count() == 12
    assert {i.pk for i in invoices} == set(
        Invoice.objects.filter(kind="late_charge").values_list("charged_for", flat=True))


class Killed(BaseException):
    """Like a worker killed mid-way: nothing in the job catches it."""


def test_killed_after_some_commits_then_run_again(monkeypatch):
    from billing import latepayment

    organizer = OrganizerFactory()
    invoices = [overdue(organizer=organizer) for _ in range(5)]
    real_charge, calls = latepayment._charge, []

    def charge_then_die(*args, **kwargs):
        calls.append(1)
        real_charge(*args, **kwargs)
        if len(calls) == 3:
            raise Killed  # the 3rd charge is written, not committed

    run_late_payment_job(REMINDED)
    monkeypatch.setattr(latepayment, "_charge", charge_then_die)
    with pytest.raises(Killed):
        run_late_payment_job(CHARGED, batch_size=2)
    assert Invoice.objects.filter(kind="late_charge").count() == 2
    monkeypatch.setattr(latepayment, "_charge", real_charge)

    report = run_late_payment_job(CHARGED, batch_size=2)
    assert report.charges == 3
    for invoice in invoices:
        assert Invoice.objects.filter(charged_for=invoice).count() == 1
        assert OutgoingEmail.objects.filter(dedup_key=f"late-charge:{invoice.pk}").count() == 1
    # The rolled-back charge gave its number back: the series stays gapless.
    sequences = Invoice.objects.filter(organizer=organizer).values_list("sequence", flat=True)
    assert sorted(sequences) == list(range(1, 11))
