"""The organizer cancels or changes an edition (seed 2 art. 6; rules.md §5).

Bulk work runs as a Celery task over the edition's registrations, one small transaction each,
and is idempotent: a registration already settled, or already notified, is skipped, so a task
run twice (or re-run after a killed worker) refunds and e-mails every participant exactly once.

One registration that fails (bad data, a bug, a refused write) must not leave the others
unrefunded or unnotified (seed 2 art. 6.1-6.2 owe it to each participant): its transaction rolls
back whole, the error is logged and kept as a BulkJobFailure on the job (shown in the Bulk jobs
admin), and the job goes on. A re-run handles it once the cause is fixed and clears its record.
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.trail import record
from courses.models import Edition
from portal.queueing import enqueue_on_commit
from registrations.cancellation_outcome import full_refund
from registrations.models import (
    BulkJob,
    BulkJobFailure,
    CancellationRequest,
    ChangeResponse,
    EditionChangeNotice,
    Registration,
)
from registrations.organizer_changes import may_cancel_free
from registrations.services.cancellation import OPEN, CancellationError, _settle

logger = logging.getLogger(__name__)


@transaction.atomic
def cancel_edition(*, edition_id: int, staff_user) -> BulkJob:
    edition = Edition.objects.select_for_update().get(pk=edition_id)
    if edition.status == Edition.Status.CANCELLED:
        raise CancellationError(_("This edition is already cancelled."))
    before = edition.status
    edition.status = Edition.Status.CANCELLED
    edition.save(update_fields=["status"])
    record("edition.cancelled", edition, actor=staff_user, organizer=edition.course.organizer_id,
           before={"status": before}, after={"status": edition.status})
    job = _new_job(kind=BulkJob.Kind.CANCEL_EDITION, edition=edition, created_by=staff_user)
    from registrations.tasks import run_bulk_job

    enqueue_on_commit(run_bulk_job, job_id=job.pk)
    return job


@transaction.atomic
def notify_change(*, edition_id: int, staff_user, description_nl: str, description_en: str,
                  today: date | None = None) -> BulkJob:
    today = today or timezone.localdate()
    edition = Edition.objects.select_for_update().get(pk=edition_id)
    if today >= edition.start:
        raise CancellationError(_("The edition has started: a change notice is no longer "
                                  "possible."))
    if not (description_nl.strip() and description_en.strip()):
        raise CancellationError(_("Describe the change in Dutch and in English."))
    notice = EditionChangeNotice.objects.create(
        edition=edition, notice_date=today, description_nl=description_nl.strip(),
        description_en=description_en.strip(), created_by=staff_user,
    )
    job = _new_job(kind=BulkJob.Kind.NOTIFY_CHANGE, edition=edition, notice=notice,
                   created_by=staff_user)
    from registrations.tasks import run_bulk_job

    enqueue_on_commit(run_bulk_job, job_id=job.pk)
    return job


def _new_job(*, edition: Edition, **fields) -> BulkJob:
    """The job with the registrations it acts on: the edition's confirmed ones now (seed 2 art.
    6.1 refunds them, art. 6.2 notifies them), under the caller's lock on the edition. Kept on
    the job, so every run works through this one set and `done` counts what `total` counts:
    a registration cancelled earlier is not in it, nor is one made after a change notice
    (it registered for the changed edition; answer_change gives it no free cancellation)."""
    ids = list(edition.registrations.filter(status=Registration.Status.CONFIRMED)
               .order_by("pk").values_list("pk", flat=True))
    job = BulkJob.objects.create(edition=edition, total=len(ids), **fields)
    through = BulkJob.registrations.through
    through.objects.bulk_create([through(bulkjob_id=job.pk, registration_id=pk) for pk in ids])
    return job


@transaction.atomic
def run_job_again(*, job_id: int, staff_user) -> BulkJob:
    """Staff run a job again once the cause of its failures is fixed: it handles what is left
    (the failed registrations) and skips what it did (idempotent), clearing each failure it
    settles. Its progress starts over now, as the new run's."""
    job = BulkJob.objects.select_for_update().select_related("edition__course").get(pk=job_id)
    BulkJob.objects.filter(pk=job.pk).update(done=0, finished_at=None)
    record("bulk_job.run_again", job, actor=staff_user,
           organizer=job.edition.course.organizer_id,
           after={"job": job.pk, "failed": job.failures.count()})
    from registrations.tasks import run_bulk_job

    enqueue_on_commit(run_bulk_job, job_id=job.pk)
    return job


def run_job(job_id: int, *, batch_size: int = 100) -> int:
    """Work through the job's registrations (the ones it was made for, see `_new_job`); returns
    how many were acted on this run. The ones that fail are recorded on the job
    (BulkJobFailure) and do not stop the others. `done` counts the registrations gone through
    (acted on, skipped as settled before, or failed), so it ends at `total`, a re-run's too."""
    job = BulkJob.objects.get(pk=job_id)
    BulkJob.objects.filter(pk=job.pk).update(done=0, finished_at=None)  # progress of this run
    # Read once: only these need their record cleared when they succeed now (no query per item).
    failed_before = set(job.failures.values_list("registration_id", flat=True))
    one = _cancel_one if job.kind == BulkJob.Kind.CANCEL_EDITION else _notify_one
    acted = 0
    last_pk = 0
    while True:
        batch = list(
            job.registrations.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        for registration_id in batch:
            acted += _isolated(one, job, registration_id, registration_id in failed_before)
        last_pk = batch[-1]
        BulkJob.objects.filter(pk=job.pk).update(done=F("done") + len(batch))
    BulkJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    return acted


def _isolated(one, job: BulkJob, registration_id: int, failed_before: bool) -> int:
    """One registration in its own transaction. On success an earlier failure record of it goes
    in that same transaction; on failure everything it wrote rolls back and the failure is
    recorded afterwards, in a transaction of its own. Any error counts, a database error too
    (a deadlock, a refused write): when the database itself is gone, recording the failure
    raises as well and the job stops there, to be run again."""
    try:
        with transaction.atomic():
            acted = one(job, registration_id)
            if failed_before:
                BulkJobFailure.objects.filter(job=job, registration_id=registration_id).delete()
        return acted
    except Exception as error:  # noqa: BLE001 - one registration must not stop the others
        logger.exception("Bulk job %s (%s): registration %s failed", job.pk, job.kind,
                         registration_id)
        BulkJobFailure.objects.update_or_create(
            job=job, registration_id=registration_id,
            defaults={"error": f"{type(error).__name__}: {error}"[:500]},
        )
        return 0


def _cancel_one(job: BulkJob, registration_id: int) -> int:
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("edition__course", "user")
            .get(pk=registration_id)
        )
        if registration.status != Registration.Status.CONFIRMED:
            return 0  # settled by an earlier run (or cancelled before)
        pending = CancellationRequest.objects.filter(
            registration=registration, status=CancellationRequest.Status.PENDING
        ).first()
        if pending:
            pending.status = CancellationRequest.Status.WITHDRAWN
            pending.save(update_fields=["status"])
        request = CancellationRequest.objects.create(
            registration=registration, received_on=timezone.localdate(),
            requested_by=job.created_by, reason=CancellationRequest.Reason.ORGANIZER_CANCELLED,
        )
        _settle(request, full_refund(registration, request.reason), job.created_by)
    return 1


def _notify_one(job: BulkJob, registration_id: int) -> int:
    from registrations.notifications import change_notified

    with transaction.atomic():
        registration = Registration.objects.select_related("user", "edition__course").get(
            pk=registration_id
        )
        if registration.status != Registration.Status.CONFIRMED:
            return 0
        # The outbox's dedup key makes a second run queue nothing.
        return int(change_notified(job.notice, registration))


@transaction.atomic
def answer_change(*, user, registration_id: int, notice_id: int, cancel: bool,
                  today: date | None = None) -> ChangeResponse:
    """Within 14 days of the notice a participant may cancel free of charge (seed 2 art. 6.2);
    without an answer the change counts as accepted after that."""
    today = today or timezone.localdate()
    registration = (
        Registration.objects.select_for_update()
        .select_related("edition__course", "user")
        .filter(pk=registration_id, user=user)
        .first()
    )
    if registration is None:
        raise CancellationError(_("Registration not found."))
    notice = EditionChangeNotice.objects.filter(pk=notice_id,
                                                edition_id=registration.edition_id).first()
    if notice is None:
        raise CancellationError(_("Change notice not found."))
    if registration.registered_on > notice.notice_date:
        # Seed 2 art. 6.2: the free cancellation answers a change to a registration that
        # existed; whoever registered after the notice registered for the changed edition.
        raise CancellationError(_("You registered after this change was announced: it gives "
                                  "no free cancellation."))
    if not may_cancel_free(notice.notice_date, today):
        raise CancellationError(_("The 14 days to answer this change have passed; the change "
                                  "counts as accepted."))
    if ChangeResponse.objects.filter(notice=notice, registration=registration).exists():
        raise CancellationError(_("You have already answered this change."))
    if cancel:
        cancelling = CancellationRequest.objects.filter(
            registration=registration, status__in=OPEN
        ).exists()
        if registration.status != Registration.Status.CONFIRMED or cancelling:
            raise CancellationError(_("This registration is already being cancelled."))
        request = CancellationRequest.objects.create(
            registration=registration, received_on=today, requested_by=user,
            reason=CancellationRequest.Reason.ORGANIZER_CHANGED,
        )
        _settle(request, full_refund(registration, request.reason), user)
    try:
        with transaction.atomic():
            response = ChangeResponse.objects.create(
                notice=notice, registration=registration, answered_on=today,
                answer=(
                    ChangeResponse.Answer.CANCELLED if cancel else ChangeResponse.Answer.ACCEPTED
                ),
            )
            record("change_notice.answered", response, actor=user,
                   organizer=registration.edition.course.organizer_id,
                   after={"registration": registration.pk, "notice": notice.pk,
                          "answer": response.answer, "answered_on": today})
            return response
    except IntegrityError:
        raise CancellationError(_("You have already answered this change.")) from None
