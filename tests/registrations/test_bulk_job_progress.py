"""A bulk job's progress counts one set: the registrations the job acts on, i.e. the ones
confirmed when it was made (seed 2 art. 6.1-6.2 owe the refund or the notice to those). `done`
used to count every registration of the edition, cancelled ones included, against a `total` of
the confirmed ones only, so the admin's bar went past 100 % (e.g. 4 of 2)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing.payments import record_payment
from portal.models import OutgoingEmail
from registrations.models import BulkJob, Registration
from registrations.services.edition_changes import (
    cancel_edition,
    notify_change,
    run_job,
    run_job_again,
)
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition_with_cancelled():
    """Two paid, confirmed registrations and two cancelled before any job (between them in pk
    order, so a batch holds both kinds)."""
    edition = EditionFactory(seats=10, fee_amount=Decimal("100.00"))
    confirmed = []
    for status in ("confirmed", "cancelled", "cancelled", "confirmed"):
        registration = RegistrationFactory(edition=edition, status=status)
        if status == "confirmed":
            invoice = InvoiceFactory(registrations=[registration])
            record_payment(invoice=invoice, amount=Decimal("100.00"),
                           paid_on=timezone.localdate(), method="bank_transfer")
            confirmed.append(registration)
    edition.seats_taken = len(confirmed)
    edition.save(update_fields=["seats_taken"])
    return edition, confirmed


def progress(job):
    job.refresh_from_db()
    return job.done, job.total


def test_cancelling_an_edition_ends_at_100_percent_also_on_a_rerun(
        edition_with_cancelled, course_admin, client):
    edition, confirmed = edition_with_cancelled
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    assert progress(job) == (0, 2)

    assert run_job(job.pk, batch_size=3) == 2
    assert progress(job) == (2, 2)
    assert Registration.objects.filter(edition=edition, status="cancelled").count() == 4

    run_job_again(job_id=job.pk, staff_user=course_admin)
    assert run_job(job.pk, batch_size=3) == 0  # idempotent: nothing left to do
    assert progress(job) == (2, 2)

    client.force_login(course_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:registrations_bulkjob_changelist")).content.decode()
    assert '<progress value="2" max="2">2 / 2</progress>' in page


def test_notifying_a_change_counts_the_registrations_notified(edition_with_cancelled,
                                                              course_admin):
    edition, confirmed = edition_with_cancelled
    job = notify_change(edition_id=edition.pk, staff_user=course_admin,
                        description_nl="Nieuwe zaal", description_en="New room",
                        today=edition.start - timezone.timedelta(days=30))
    # Registered after the notice, before the worker ran: a registration for the changed
    # edition, not one the notice (and its free cancellation, seed 2 art. 6.2) is owed to.
    late = RegistrationFactory(edition=edition)
    assert progress(job) == (0, 2)

    assert run_job(job.pk, batch_size=3) == 2
    assert progress(job) == (2, 2)
    assert set(OutgoingEmail.objects.values_list("recipient", flat=True)) == {
        registration.user.email for registration in confirmed}
    assert not OutgoingEmail.objects.filter(recipient=late.user.email).exists()

    assert run_job(job.pk) == 0  # a second run queues nothing again
    assert progress(job) == (2, 2)
    assert BulkJob.objects.get().finished_at is not None


def test_the_job_page_does_not_offer_its_registrations_to_edit(edition_with_cancelled,
                                                                course_admin, client):
    """The set is the job's record of whom it acts on: shown nowhere as a (huge) picker of all
    registrations, and not editable."""
    edition, confirmed = edition_with_cancelled
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    run_job(job.pk)
    client.force_login(course_admin)
    page = client.get(reverse("admin:registrations_bulkjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert "field-registrations" not in page.content.decode()


def test_a_job_with_nobody_to_act_on_shows_a_full_bar_once_finished(course_admin, client):
    edition = EditionFactory()
    RegistrationFactory(edition=edition, status="cancelled")
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    client.force_login(course_admin)
    listing = reverse("admin:registrations_bulkjob_changelist")
    assert '<progress value="0" max="1">0 / 0</progress>' in client.get(listing).content.decode()

    assert run_job(job.pk) == 0
    assert progress(job) == (0, 0)
    assert '<progress value="1" max="1">0 / 0</progress>' in client.get(listing).content.decode()


def test_jobs_made_before_the_set_was_kept_get_it_from_the_migration(edition_with_cancelled,
                                                                      course_admin):
    """Migration 0009 rebuilds the set of a job made the old way (no set, `done` counting every
    registration): the registrations its run cancelled, or still confirmed; `done` = `total`."""
    import importlib

    from django.apps import apps

    from registrations.models import CancellationRequest

    backfill = importlib.import_module(
        "registrations.migrations.0009_bulk_job_registrations").keep_the_set_of_earlier_jobs
    edition, confirmed = edition_with_cancelled
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    run_job(job.pk)
    job.registrations.clear()
    BulkJob.objects.filter(pk=job.pk).update(done=4)  # as the old run_job counted
    assert CancellationRequest.objects.filter(reason="organizer_cancelled").count() == 2

    backfill(apps, None)

    assert set(job.registrations.values_list("pk", flat=True)) == {r.pk for r in confirmed}
    assert progress(job) == (2, 2)


def test_a_notice_made_before_the_set_was_kept_gets_the_ones_it_notified(
        edition_with_cancelled, course_admin):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module(
        "registrations.migrations.0009_bulk_job_registrations").keep_the_set_of_earlier_jobs
    edition, confirmed = edition_with_cancelled
    job = notify_change(edition_id=edition.pk, staff_user=course_admin,
                        description_nl="Nieuwe zaal", description_en="New room",
                        today=edition.start - timezone.timedelta(days=30))
    run_job(job.pk)
    job.registrations.clear()
    Registration.objects.filter(pk=confirmed[0].pk).update(status="cancelled")  # answered so

    backfill(apps, None)

    assert set(job.registrations.values_list("pk", flat=True)) == {r.pk for r in confirmed}
    assert progress(job) == (2, 2)
