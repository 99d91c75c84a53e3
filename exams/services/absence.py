"""After 8 August, a failed unit without second-chance enrolment gets `A` for that chance
(seed 2, art. 8.5). Daily job; idempotent."""

from datetime import date

from django.db import transaction

from exams import grading, windows
from exams.models import Chance, Enrolment, Result
from exams.services.common import published_result
from registrations.models import Registration

REASON = "Art. 8.5: not enrolled for the second chance by 8 August."


@transaction.atomic
def auto_absent(today: date) -> int:
    """Give `A` for the second chance of every failed, unenrolled unit whose window closed
    before `today`. Returns how many results were created."""
    _opens, closes = windows.second_chance_window(today.year)
    last_closed_year = today.year if today > closes else today.year - 1
    firsts = (
        Enrolment.objects.filter(
            chance=Chance.FIRST,
            registration__status=Registration.Status.CONFIRMED,
            registration__edition__academic_year__end__year__lte=last_closed_year,
            unit__examinable_once_a_year=False,
        )
        .select_related("registration__edition__course", "unit")
    )
    created = 0
    for first in firsts:
        result = published_result(first)
        if result is None or grading.unit_passed(result.grading_value):
            continue
        second, was_created = Enrolment.objects.get_or_create(
            registration_id=first.registration_id, unit_id=first.unit_id, chance=Chance.SECOND,
            defaults={"origin": Enrolment.Origin.NOT_ENROLLED, "enrolled_on": today},
        )
        if not was_created:
            continue
        result = Result.objects.create(
            enrolment=second, code=grading.UNJUSTIFIED_ABSENCE, reason=REASON
        )
        from exams.services.results import audit_result

        audit_result(result, None, None, first.registration.edition.course.organizer_id)
        created += 1
    return created

