"""Certificate jobs: issue what is due right after the triggering event (attendance recorded,
results published or corrected) and in an hourly sweep (scheduled by
certificates/migrations/0002_...), and mark for review the certificates whose basis changed.
Thin and idempotent: issuing twice returns the first certificate."""

from celery import shared_task


@shared_task(acks_late=True)
def issue_certificates_for_registration_task(registration_id: int) -> int:
    from certificates.services import issue_due_certificates, review_certificates
    from registrations.models import Registration

    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None:
        return 0
    review_certificates(registration)
    return len(issue_due_certificates(registration))


@shared_task(acks_late=True)
def issue_certificates_for_publication_task(publication_id: int) -> int:
    from certificates.services import issue_due_for_publication

    return issue_due_for_publication(publication_id)


@shared_task(acks_late=True)
def issue_all_due_certificates_task() -> int:
    from certificates.services import issue_all_due

    return issue_all_due()
