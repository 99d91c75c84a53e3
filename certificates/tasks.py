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
    from certificates.services import issue_due_certificates, review_certificates
    from exams.models import Publication
    from registrations.models import Registration

    publication = Publication.objects.filter(pk=publication_id).select_related("period").first()
    if publication is None:
        return 0
    registrations = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        edition__course_id=publication.course_id,
        edition__academic_year_id=publication.period.academic_year_id,
    ).order_by("pk")
    issued = 0
    for registration in registrations:
        review_certificates(registration)
        issued += len(issue_due_certificates(registration))
    return issued


@shared_task(acks_late=True)
def issue_all_due_certificates_task() -> int:
    from certificates.services import issue_all_due

    return issue_all_due()
