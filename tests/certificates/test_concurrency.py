"""Issuing the same certificate from several workers at once (PostgreSQL, threads with their own
connections) yields one certificate: the registration row is locked, and the database holds one
certificate per person and achievement."""

import threading

import pytest
from django.db import close_old_connections

from certificates.models import Certificate
from certificates.services import issue_due_certificates, issue_registration_certificate
from tests.certificates.conftest import attend

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 6


def at_once(function):
    barrier = threading.Barrier(WORKERS)
    outcomes, lock = [], threading.Lock()

    def one():
        try:
            barrier.wait(timeout=10)
            outcome = function()
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            outcome = error
        finally:
            close_old_connections()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_one_registration_certificate_whoever_asks_at_once(short_registration):
    outcomes = at_once(lambda: issue_registration_certificate(short_registration).pk)
    assert len(outcomes) == WORKERS
    assert len(set(outcomes)) == 1, outcomes
    assert Certificate.objects.count() == 1


def test_the_sweep_and_the_trigger_at_once(short_registration):
    attend(short_registration, 5)
    outcomes = at_once(lambda: sorted(c.pk for c in issue_due_certificates(short_registration)))
    assert all(outcome == outcomes[0] for outcome in outcomes), outcomes
    assert sorted(Certificate.objects.values_list("kind", flat=True)) == [
        "participation", "registration"]
