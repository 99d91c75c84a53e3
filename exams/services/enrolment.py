"""Enrolment per chance (seed 2, art. 8): automatic for the first chance, by the participant for
the second chance of a failed unit, from 11 July up to and including 8 August."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from exams import grading, windows
from exams.models import Chance, Enrolment
from exams.services.common import published_result
from registrations.models import Registration


class EnrolmentRefused(Exception):
    """The participant may not enrol; the message says why."""


@transaction.atomic
def enrol_first_chance(registration: Registration, today: date | None = None) -> int:
    """Enrol a confirmed registration for the first chance of every unit of its course.

    Idempotent; returns how many enrolments were created. Call it after checkout.
    """
    from django.utils import timezone

    if registration.status != Registration.Status.CONFIRMED:
        return 0
    today = today or timezone.localdate()
    created = 0
    for unit in registration.edition.course.units.all():
        _enrolment, was_created = Enrolment.objects.get_or_create(
            registration=registration,
            unit=unit,
            chance=Chance.FIRST,
            defaults={"origin": Enrolment.Origin.AUTOMATIC, "enrolled_on": today},
        )
        created += was_created
    return created


def enrol_first_chances(registrations, today: date) -> int:
    """`enrol_first_chance` for the brand-new registrations of a checkout, in one statement
    (`INSERT ... SELECT` over their courses' units; PostgreSQL and SQLite): the checkout needs
    no round trip to read the units. Returns how many enrolments were created."""
    from django.db import connection
    from django.utils import timezone

    from courses.models import CourseUnit, Edition

    ids = [r.pk for r in registrations if r.status == Registration.Status.CONFIRMED]
    if not ids:
        return 0
    ops = connection.ops
    table = {model: ops.quote_name(model._meta.db_table)
             for model in (Enrolment, Registration, Edition, CourseUnit)}
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        INSERT INTO {table[Enrolment]}
               (registration_id, unit_id, chance, origin, enrolled_on, created_at)
        SELECT r.id, u.id, %s, %s, %s, %s
          FROM {table[Registration]} r
          JOIN {table[Edition]} e ON e.id = r.edition_id
          JOIN {table[CourseUnit]} u ON u.course_id = e.course_id
         WHERE r.id IN ({placeholders})
        ON CONFLICT DO NOTHING
    """  # noqa: S608  # nosec B608 - table names from the models, values as parameters
    params = [
        Chance.FIRST, Enrolment.Origin.AUTOMATIC, ops.adapt_datefield_value(today),
        ops.adapt_datetimefield_value(timezone.now()), *ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def window_year(registration: Registration) -> int:
    """The calendar year of the academic year's second-chance window (its summer)."""
    return registration.edition.academic_year.end.year


_LOOK_UP = object()


def second_chance_refusal(first: Enrolment, today: date, published=_LOOK_UP) -> str | None:
    """Why `first` (a first-chance enrolment) cannot lead to a second-chance enrolment today.
    `published`: its published result when the caller already has it (None: none yet)."""
    if first.chance != Chance.FIRST:
        return _("This is not a first-chance enrolment.")
    if first.registration.status != Registration.Status.CONFIRMED:
        return _("The registration is cancelled.")
    if not windows.may_examine_again(first.unit.examinable_once_a_year, 1):
        return _("This unit is examined once a year: register again next academic year.")
    result = published_result(first) if published is _LOOK_UP else published
    if result is None or grading.unit_passed(result.grading_value):
        return _("Only a failed unit has a second chance.")
    first_day, last_day = windows.second_chance_window(window_year(first.registration))
    if not first_day <= today <= last_day:
        return _("Enrolment for the second chance is open from %(first)s up to and including "
                 "%(last)s.") % {"first": f"{first_day:%d/%m/%Y}", "last": f"{last_day:%d/%m/%Y}"}
    return None


@transaction.atomic
def enrol_second_chance(user, enrolment_id: int, today: date) -> Enrolment:
    """The participant `user` enrols for the second chance of the unit of their first-chance
    enrolment `enrolment_id`. Idempotent; raises EnrolmentRefused with the reason."""
    first = (
        Enrolment.objects.select_related("registration__edition__academic_year",
                                         "registration__edition__course", "unit")
        .filter(pk=enrolment_id, registration__user=user)
        .first()
    )
    if first is None:
        raise EnrolmentRefused(_("No such exam enrolment."))
    Registration.objects.select_for_update().get(pk=first.registration_id)
    existing = Enrolment.objects.filter(
        registration_id=first.registration_id, unit_id=first.unit_id, chance=Chance.SECOND
    ).first()
    if existing is not None:
        return existing
    reason = second_chance_refusal(first, today)
    if reason:
        raise EnrolmentRefused(reason)
    return Enrolment.objects.create(
        registration=first.registration,
        unit=first.unit,
        chance=Chance.SECOND,
        origin=Enrolment.Origin.PARTICIPANT,
        enrolled_on=today,
    )
