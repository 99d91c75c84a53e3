"""A participant's exams at a glance (the exams page): every programme with its enrolments, the
published results, whether they may sit each exam, the second-chance offer and the outcome, in
a fixed number of queries whatever the number of programmes and units."""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, F
from django.utils import timezone

from billing.models import UnpaidFlag
from courses.models import Session
from exams.models import Attendance, Chance, Enrolment, ProgrammeDecision, Publication, Result
from exams.services.eligibility import sitting_refusal
from exams.services.enrolment import second_chance_refusal
from exams.services.outcome import outcome_of
from registrations.models import Registration


def exam_programmes(user, day: date, now: datetime | None = None) -> list[dict]:
    """One dict per confirmed registration with exam enrolments, newest first: registration,
    rows (enrolment, result, may_sit, reason, can_enrol_second), outcome, and `final`: whether
    every unit's latest chance has a published result (the outcome is then the programme's)."""
    now = now or timezone.now()
    registrations = list(
        Registration.objects.filter(user=user, status=Registration.Status.CONFIRMED,
                                    exam_enrolments__isnull=False)
        .distinct()
        .select_related("edition__course__organizer", "edition__academic_year")
        .prefetch_related("edition__course__units")
        .order_by("-created_at")
    )
    if not registrations:
        return []
    by_pk = {registration.pk: registration for registration in registrations}
    enrolments = list(
        Enrolment.objects.filter(registration_id__in=by_pk).select_related("unit")
        .order_by("registration_id", "unit__position", "unit__code", "chance")
    )
    published = set(
        Publication.objects.filter(course_id__in={r.edition.course_id for r in registrations})
        .values_list("course_id", "period__academic_year_id", "period__organizer_id",
                     "period__chance")
    )
    results = {}
    for result in Result.objects.current().filter(enrolment__in=enrolments):
        results.setdefault(result.enrolment_id, result)  # as current_result's .first()
    blocked = set(
        UnpaidFlag.objects.filter(registration_id__in=by_pk, lifted_at__isnull=True)
        .values_list("registration_id", flat=True)
    )
    held, present = _attendance(registrations, enrolments, now)
    decisions = {}
    for decision in ProgrammeDecision.objects.filter(registration_id__in=by_pk,
                                                     superseded_by__isnull=True):
        decisions.setdefault(decision.registration_id, decision)

    rows_of = defaultdict(list)
    for enrolment in enrolments:
        registration = enrolment.registration = by_pk[enrolment.registration_id]
        edition = registration.edition
        is_published = (edition.course_id, edition.academic_year_id,
                        edition.course.organizer_id, enrolment.chance) in published
        rows_of[registration.pk].append({"enrolment": enrolment,
                                         "result": results.get(enrolment.pk) if is_published
                                         else None})
    programmes = []
    for registration in registrations:
        rows = rows_of[registration.pk]
        seconds = {row["enrolment"].unit_id for row in rows
                   if row["enrolment"].chance == Chance.SECOND}
        # Per unit, rows by chance: the result published for its latest chance (None while
        # that chance awaits one), and the latest published result (what the outcome counts,
        # outcome.unit_results).
        latest, counted = {}, {}
        for row in rows:
            enrolment = row["enrolment"]
            latest[enrolment.unit_id] = row["result"]
            counted[enrolment.unit_id] = row["result"] or counted.get(enrolment.unit_id)
            reason = "" if row["result"] is not None else sitting_refusal(
                confirmed=True, blocked=registration.pk in blocked, unit=enrolment.unit,
                present=present.get((registration.pk, enrolment.unit_id), 0),
                total=held.get((registration.edition_id, enrolment.unit_id), 0),
            )
            row.update(may_sit=not reason, reason=reason, can_enrol_second=(
                enrolment.chance == Chance.FIRST and enrolment.unit_id not in seconds
                and second_chance_refusal(enrolment, day, published=row["result"]) is None
            ))
        units = list(registration.edition.course.units.all())
        outcome = outcome_of(
            [(unit, counted.get(unit.pk)) for unit in units], decisions.get(registration.pk),
            uses_weighted_percentage=registration.edition.course.uses_weighted_percentage,
        )
        programmes.append({
            "registration": registration, "rows": rows, "outcome": outcome,
            "final": all(latest.get(unit.pk) is not None for unit in units),
        })
    return programmes


def _attendance(registrations, enrolments, now):
    """Sessions held so far per (edition, unit) and the participant's presences per
    (registration, unit), for the units that require attendance: two queries."""
    units = {e.unit_id for e in enrolments if e.unit.attendance_required}
    if not units:
        return {}, {}
    editions = {registration.edition_id for registration in registrations}
    held = {
        (row["edition_id"], row["unit_id"]): row["n"]
        for row in Session.objects.filter(edition_id__in=editions, unit_id__in=units,
                                          starts_at__lte=now)
        .values("edition_id", "unit_id").annotate(n=Count("pk"))
    }
    present = {
        (row["registration_id"], row["session__unit_id"]): row["n"]
        for row in Attendance.objects.filter(
            registration_id__in=[r.pk for r in registrations], present=True,
            session__unit_id__in=units, session__starts_at__lte=now,
            session__edition_id=F("registration__edition_id"),
        )
        .values("registration_id", "session__unit_id").annotate(n=Count("pk"))
    }
    return held, present
