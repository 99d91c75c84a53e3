"""After 8 August, a failed unit without second-chance enrolment gets `A` for that chance
(seed 2, art. 8.5). Daily job; idempotent.

One query selects what is due, in the database: first-chance enrolments of confirmed
registrations whose published current result is failed (art. 9.1: under 10/20, or a code other
than an exemption) and that have no second-chance enrolment yet. So a day with nothing to do, and
the years already settled, cost that one query however much data there is. Each `A` is then
written in its own transaction: one unit that fails is rolled back alone, logged and counted,
and the others still get theirs (the next day's run tries it again).
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Trim, Upper

from exams import grading, windows
from exams.models import Chance, Enrolment, Publication, Result
from registrations.models import Registration

logger = logging.getLogger(__name__)

REASON = "Art. 8.5: not enrolled for the second chance by 8 August."


def auto_absent(today: date) -> int:
    """Give `A` for the second chance of every failed, unenrolled unit whose window closed
    before `today`. Returns how many results were created."""
    created = failed = 0
    for first in due_for_absence(today):
        try:
            with transaction.atomic():
                _give_absence(first, today)
            created += 1
        except IntegrityError:
            # Enrolled for the second chance since the selection (by staff, or another run
            # wrote its `A`): nothing is owed, this run leaves it alone.
            logger.info("Auto absent (art. 8.5): enrolment %s was enrolled meanwhile", first.pk)
        except Exception:  # noqa: BLE001 - one unit's problem must not stop the others
            logger.exception("Auto absent (art. 8.5): enrolment %s (registration %s) failed",
                             first.pk, first.registration_id)
            failed += 1
    if failed:
        logger.error("Auto absent (art. 8.5): %s created, %s failed (see above); the next run "
                     "tries the failed ones again", created, failed)
    else:
        logger.info("Auto absent (art. 8.5): %s created", created)
    return created


def due_for_absence(today: date) -> QuerySet[Enrolment]:
    """The first-chance enrolments that get `A` today, in one query (see the module's doc).

    The years: every academic year that ends in the calendar year of the last second-chance
    window closed before `today`, or earlier (a period published late still gets its `A`).
    Units examinable once a year have no second chance (art. 8.2), hence no `A` either."""
    _opens, closes = windows.second_chance_window(today.year)
    last_closed_year = today.year if today > closes else today.year - 1
    edition = "registration__edition__"
    published = Publication.objects.filter(
        course_id=OuterRef(f"{edition}course_id"),
        period__academic_year_id=OuterRef(f"{edition}academic_year_id"),
        period__organizer_id=OuterRef(f"{edition}course__organizer_id"),
        period__chance=Chance.FIRST,
    )
    current = (Result.objects.current().filter(enrolment_id=OuterRef("pk"))
               .order_by("entered_at", "pk"))
    second = Enrolment.objects.filter(registration_id=OuterRef("registration_id"),
                                      unit_id=OuterRef("unit_id"), chance=Chance.SECOND)
    return (
        Enrolment.objects.filter(
            chance=Chance.FIRST,
            registration__status=Registration.Status.CONFIRMED,
            registration__edition__academic_year__end__year__lte=last_closed_year,
            unit__examinable_once_a_year=False,
        )
        .filter(Exists(published), ~Exists(second))
        .annotate(result_value=Subquery(current.values("value")[:1]),
                  result_code=Upper(Trim(Subquery(current.values("code")[:1]))))
        # grading.unit_passed in SQL: failed is a number under the pass mark, or a code that is
        # not an exemption; no current result is not failed.
        .filter(Q(result_value__lt=grading.PASS_MARK)
                | (Q(result_value__isnull=True, result_code__gt="")
                   & ~Q(result_code__in=sorted(grading.EXEMPTION_CODES))))
        .select_related("registration__user", "registration__edition__course")
        .order_by("pk")
    )


def _give_absence(first: Enrolment, today: date) -> None:
    """The `A` of one unit: its second-chance enrolment (origin "not enrolled") and result.
    Selected without a second-chance enrolment, so it is created straight away; one made in
    between breaks the unique (registration, unit, chance) and the caller skips the unit."""
    second = Enrolment.objects.create(
        registration=first.registration, unit_id=first.unit_id, chance=Chance.SECOND,
        origin=Enrolment.Origin.NOT_ENROLLED, enrolled_on=today,
    )
    result = Result.objects.create(
        enrolment=second, code=grading.UNJUSTIFIED_ABSENCE, reason=REASON
    )
    from exams.services.results import audit_result

    audit_result(result, None, None, first.registration.edition.course.organizer_id)
