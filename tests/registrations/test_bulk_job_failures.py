"""A bulk job (the organizer cancels an edition, or notifies a change) handles each registration
on its own: one that fails is rolled back, recorded on the job and shown to staff, and the
others are still handled; a re-run once the cause is fixed settles it and clears its record.

The fault is real: a PostgreSQL trigger refuses to cancel one registration, after its credit
note and refund were written in the same transaction (so a half-saved settlement would show)."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import CreditNote, Refund
from billing.payments import record_payment
from portal.models import OutgoingEmail
from registrations.models import BulkJob, BulkJobFailure, CancellationRequest, Registration
from registrations.services.edition_changes import cancel_edition, notify_change, run_job
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
PEOPLE = 4


@pytest.fixture
def edition_of_four():
    """Four paid registrations: each cancellation writes a credit note and a refund."""
    edition = EditionFactory(seats=10, fee_amount=Decimal("100.00"))
    registrations = []
    for _ in range(PEOPLE):
        registration = RegistrationFactory(edition=edition)
        invoice = InvoiceFactory(registrations=[registration])
        record_payment(invoice=invoice, amount=Decimal("100.00"), paid_on=timezone.localdate(),
                       method="bank_transfer")
        registrations.append(registration)
    edition.seats_taken = PEOPLE
    edition.save(update_fields=["seats_taken"])
    return edition, registrations


def refuse_to_cancel(registration_id: int):
    """The settlement of this registration fails at its last write (status -> cancelled)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id = {int(registration_id)} AND NEW.status = 'cancelled' THEN "
            "RAISE EXCEPTION 'test fault: registration % cannot be cancelled', NEW.id; "
            "END IF; RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_cancel BEFORE UPDATE ON registrations_registration "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_cancel()"
        )


def remove_the_fault():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_cancel ON registrations_registration")
        cursor.execute("DROP FUNCTION test_refuse_cancel()")


def test_one_failing_cancellation_does_not_stop_the_others_and_a_rerun_settles_it(
        edition_of_four, course_admin, caplog):
    edition, registrations = edition_of_four
    failing = registrations[1]  # not the last one: the ones after it must still be handled
    refuse_to_cancel(failing.pk)
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)

    with caplog.at_level(logging.ERROR, logger="registrations.services.edition_changes"):
        assert run_job(job.pk, batch_size=2) == PEOPLE - 1

    others = [r.pk for r in registrations if r.pk != failing.pk]
    assert set(Registration.objects.filter(status="cancelled").values_list("pk", flat=True)) \
        == set(others)
    assert CreditNote.objects.count() == Refund.objects.count() == PEOPLE - 1
    # Nothing half-saved for the failing one: no request, credit note, refund, mail or seat.
    failing.refresh_from_db()
    assert failing.status == "confirmed"
    assert not CancellationRequest.objects.filter(registration=failing).exists()
    assert not CreditNote.objects.filter(invoice__lines__registration=failing).exists()
    assert not OutgoingEmail.objects.filter(recipient=failing.user.email).exists()
    edition.refresh_from_db()
    assert edition.seats_taken == 1
    # The job finished, with its failure recorded and logged.
    job.refresh_from_db()
    assert job.finished_at and (job.done, job.total) == (PEOPLE, PEOPLE)
    failure = BulkJobFailure.objects.get(job=job)
    assert failure.registration_id == failing.pk
    assert "cannot be cancelled" in failure.error
    assert any(record.exc_info and str(failing.pk) in record.getMessage()
               for record in caplog.records)

    remove_the_fault()
    assert run_job(job.pk) == 1
    assert not Registration.objects.filter(status="confirmed").exists()
    assert CreditNote.objects.count() == Refund.objects.count() == PEOPLE
    assert not BulkJobFailure.objects.exists()
    assert run_job(job.pk) == 0  # and a third run has nothing left to do


def test_a_failing_change_notice_mail_does_not_stop_the_others(edition_of_four, course_admin):
    """The notice's e-mail of one participant cannot be queued (a trigger on the outbox)."""
    edition, registrations = edition_of_four
    failing = registrations[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.recipient = '{failing.user.email}' THEN "
            "RAISE EXCEPTION 'test fault: no mail'; END IF; RETURN NEW; END $$"
        )
        cursor.execute("CREATE TRIGGER test_refuse_mail BEFORE INSERT ON portal_outgoingemail "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_mail()")
    job = notify_change(edition_id=edition.pk, staff_user=course_admin,
                        description_nl="Nieuwe zaal", description_en="New room",
                        today=edition.start - timedelta(days=30))

    assert run_job(job.pk) == PEOPLE - 1
    assert OutgoingEmail.objects.count() == PEOPLE - 1
    assert list(BulkJobFailure.objects.values_list("registration_id", flat=True)) == [failing.pk]

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_mail ON portal_outgoingemail")
    assert run_job(job.pk) == 1
    assert OutgoingEmail.objects.count() == PEOPLE
    assert not BulkJobFailure.objects.exists()


def test_staff_see_the_failures_where_they_follow_the_job(client, edition_of_four, course_admin,
                                                         finance_user):
    edition, registrations = edition_of_four
    refuse_to_cancel(registrations[2].pk)
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    run_job(job.pk)

    for user in (course_admin, finance_user):
        client.force_login(user)
        with translation.override("en"):
            listing = client.get(reverse("admin:registrations_bulkjob_changelist"),
                                 HTTP_ACCEPT_LANGUAGE="en").content.decode()
            page = client.get(reverse("admin:registrations_bulkjob_change", args=[job.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "1 failed" in listing
        assert "1 failed" in page
        assert registrations[2].user.email in page
        assert "cannot be cancelled" in page


def test_the_job_list_costs_the_same_queries_with_more_jobs(client, course_admin):
    """The failed count is part of the list's query, not one more query per job."""
    def listing_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:registrations_bulkjob_changelist")).status_code \
                == 200
        return len(queries)

    client.force_login(course_admin)
    BulkJob.objects.create(kind="cancel_edition", edition=EditionFactory(),
                           created_by=course_admin)
    one = listing_queries()
    for _ in range(5):
        job = BulkJob.objects.create(kind="cancel_edition", edition=EditionFactory(),
                                     created_by=course_admin)
        BulkJobFailure.objects.create(job=job, registration=RegistrationFactory(), error="x")
    assert listing_queries() == one


def test_staff_run_a_job_again_from_the_admin_once_the_cause_is_fixed(
        client, edition_of_four, course_admin, django_capture_on_commit_callbacks):
    from audit.models import AuditEntry

    edition, registrations = edition_of_four
    refuse_to_cancel(registrations[0].pk)
    job = cancel_edition(edition_id=edition.pk, staff_user=course_admin)
    run_job(job.pk)
    assert BulkJobFailure.objects.filter(job=job).count() == 1
    remove_the_fault()

    client.force_login(course_admin)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        response = client.post(reverse("admin:registrations_bulkjob_changelist"), {
            "action": "run_again", "_selected_action": [job.pk]}, follow=True,
            HTTP_ACCEPT_LANGUAGE="en")
    assert "1 job(s) will run again" in response.content.decode()
    assert not Registration.objects.filter(status="confirmed").exists()
    assert not BulkJobFailure.objects.exists()
    job.refresh_from_db()
    assert job.finished_at and job.done == PEOPLE
    entry = AuditEntry.objects.get(action="bulk_job.run_again")
    assert entry.after == {"job": job.pk, "failed": 1}
