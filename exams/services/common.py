"""Queries the use cases share: the period of an enrolment, publication, current results."""

from exams.models import Enrolment, ExamPeriod, Publication, Result


def period_of(enrolment: Enrolment) -> ExamPeriod | None:
    edition = enrolment.registration.edition
    return ExamPeriod.objects.filter(
        academic_year_id=edition.academic_year_id,
        organizer_id=edition.course.organizer_id,
        chance=enrolment.chance,
    ).first()


def is_published(enrolment: Enrolment) -> bool:
    edition = enrolment.registration.edition
    return Publication.objects.filter(
        course_id=edition.course_id,
        period__academic_year_id=edition.academic_year_id,
        period__organizer_id=edition.course.organizer_id,
        period__chance=enrolment.chance,
    ).exists()


def current_result(enrolment: Enrolment) -> Result | None:
    return Result.objects.current().filter(enrolment=enrolment).first()


def published_result(enrolment: Enrolment) -> Result | None:
    """The current result if the LEC has published the period for the programme, else None."""
    if not is_published(enrolment):
        return None
    return current_result(enrolment)
