"""E-mail reminders: when the second-chance window opens and a few days before it closes, and
before a digital exam.

Set-based: whom to remind is selected in a fixed number of queries whatever the number of
participants (the enrolments, their published results, the mails already queued), then each
mail still to queue costs a fixed number (its savepoint, the outbox's look-up and insert).

Each participant's mail is queued in its own transaction: one that cannot be queued (bad data,
a bug) is logged and counted, and everyone else still gets theirs (seed 2 art. 8.3 and 8.5 are
owed to each); the next day's run tries it again, and the dedup key sends each mail once.
"""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from exams import windows
from exams.models import Chance, Enrolment, ExamPeriod, Publication, Result
from exams.services.enrolment import second_chance_refusal
from portal.models import OutgoingEmail
from portal.outbox import Email, portal_url, queue_emails
from registrations.models import Registration

logger = logging.getLogger(__name__)

DAYS_BEFORE_CLOSING = 3


def reminder_kind(today: date) -> str | None:
    """The reminder due on `today`: "opens" from the day the window opens, "closes" from
    DAYS_BEFORE_CLOSING days before it closes, up to its last day. Not only on those exact
    days, so a day the daily job did not run (beat or the worker down) is caught up by the next
    run; the mail's dedup key (per kind, year and person) sends each one once."""
    opens, closes = windows.second_chance_window(today.year)
    if not opens <= today <= closes:
        return None
    if today >= closes - timedelta(days=DAYS_BEFORE_CLOSING):
        return "closes"
    return "opens"


# Participants per batch of the second-chance reminders: memory stays bounded by this, not by
# a year's first-chance enrolments (a few queries more per batch).
PARTICIPANTS_PER_BATCH = 500


def send_second_chance_reminders(today: date) -> int:
    """One mail per participant with a failed unit not yet enrolled for, per kind and year
    (idempotent); returns the mails queued or found. Participants are taken in batches of
    PARTICIPANTS_PER_BATCH (by user id), each with all of its first chances, so one person's
    units are always in one mail."""
    kind = reminder_kind(today)
    if kind is None:
        return 0
    without_second = Enrolment.objects.filter(
        chance=Chance.FIRST,
        registration__status=Registration.Status.CONFIRMED,
        registration__edition__academic_year__end__year=today.year,
    ).exclude(Exists(Enrolment.objects.filter(
        registration_id=OuterRef("registration_id"), unit_id=OuterRef("unit_id"),
        chance=Chance.SECOND,
    )))
    found, after_user = 0, 0
    while True:
        next_users = (without_second.filter(registration__user_id__gt=after_user)
                      .order_by("registration__user_id")
                      .values("registration__user_id").distinct()[:PARTICIPANTS_PER_BATCH])
        firsts = list(
            without_second.filter(registration__user_id__in=next_users)
            .select_related("registration__user", "registration__edition__course",
                            "registration__edition__academic_year", "unit")
            .order_by("registration__user_id", "pk")
        )
        if not firsts:
            return found
        found += _queue_each("second chance", _second_chance_mails(firsts, today, kind))
        users = {first.registration.user_id for first in firsts}
        if len(users) < PARTICIPANTS_PER_BATCH:
            return found
        after_user = max(users)


def _second_chance_mails(firsts: list[Enrolment], today: date, kind: str) -> list:
    """The (user, Email) of a batch's participants still owed a reminder. Two queries: the
    publications of their courses, their current results (as exams.services.overview does for
    one person)."""
    opens, closes = windows.second_chance_window(today.year)
    published = set(
        Publication.objects.filter(
            course_id__in={first.registration.edition.course_id for first in firsts},
            period__chance=Chance.FIRST,
        ).values_list("course_id", "period__academic_year_id", "period__organizer_id")
    )
    results = {}
    for result in Result.objects.current().filter(enrolment_id__in=[f.pk for f in firsts]):
        results.setdefault(result.enrolment_id, result)  # as current_result's .first()
    units_by_user: dict = {}
    for first in firsts:
        edition = first.registration.edition
        is_published = (edition.course_id, edition.academic_year_id,
                        edition.course.organizer_id) in published
        result = results.get(first.pk) if is_published else None
        if second_chance_refusal(first, today, published=result) is None:
            units_by_user.setdefault(first.registration.user, []).append(first.unit)
    return [
        (user, Email(
            to=user.email, user=user, language=user.preferred_language or "nl",
            subject=_("Enrol for the second exam chance"),
            template="exams/second_chance_reminder",
            context={"user": user, "units": units, "opens": opens, "closes": closes,
                     "kind": kind, "exams_url": portal_url("my_exams")},
            dedup_key=f"exams-second-chance-{kind}-{today.year}-{user.pk}",
        ))
        for user, units in units_by_user.items()
    ]


DIGITAL_EXAM_DAYS_BEFORE = 7


def send_digital_exam_reminders(today: date) -> int:
    """In the week before each exam period, participants with a digital exam on their own
    device are reminded to test the software (seed 2, art. 8.3). One mail per person and period
    (the first day they are enrolled, so a second-chance enrolment of the last days, a period
    entered late or a day the job missed still gets it); returns the mails queued or found."""
    last_start = today + timedelta(days=DIGITAL_EXAM_DAYS_BEFORE)
    periods = {
        (period.chance, period.academic_year_id, period.organizer_id): period
        for period in ExamPeriod.objects.filter(start__gt=today, start__lte=last_start)
    }
    if not periods:
        return 0
    # One query for all the periods starting this week: an enrolment belongs to the period of
    # its chance, academic year and organizer (unique, exam_period_unique).
    of_a_period = Q()
    for chance, academic_year_id, organizer_id in periods:
        of_a_period |= Q(chance=chance,
                         registration__edition__academic_year_id=academic_year_id,
                         registration__edition__course__organizer_id=organizer_id)
    enrolments = (
        Enrolment.objects.filter(of_a_period, unit__digital_exam=True,
                                 registration__status=Registration.Status.CONFIRMED)
        .select_related("registration__user", "registration__edition__course", "unit")
    )
    units_by_mail: dict = {}
    for enrolment in enrolments:
        edition = enrolment.registration.edition
        period = periods[(enrolment.chance, edition.academic_year_id,
                          edition.course.organizer_id)]
        user = enrolment.registration.user
        units_by_mail.setdefault((period, user), []).append(enrolment.unit)
    return _queue_each("digital exam", [
        (user, Email(
            to=user.email, user=user, language=user.preferred_language or "nl",
            subject=_("Test the software for your digital exam"),
            template="exams/digital_exam_reminder",
            context={"user": user, "units": units, "period": period,
                     "exams_url": portal_url("my_exams")},
            dedup_key=f"exams-digital-{period.pk}-{user.pk}",
        ))
        for (period, user), units in units_by_mail.items()
    ])


def _queue_each(what: str, mails: list) -> int:
    """Queue each (user, Email) on its own; return the mails queued or found. The mails already
    queued (an earlier run, a day caught up) are found in one query and not rendered again; each
    other one is rendered and inserted in its own savepoint, so one that fails is logged and
    rolled back alone."""
    keys = [email.dedup_key for _user, email in mails]
    queued = set(OutgoingEmail.objects.filter(dedup_key__in=keys)
                 .values_list("dedup_key", flat=True)) if keys else set()
    found = failed = 0
    for user, email in mails:
        if email.dedup_key in queued:
            found += 1
            continue
        try:
            with transaction.atomic():
                # No row returned: a concurrent run queued it first (ON CONFLICT), found too.
                queue_emails([email])
            found += 1
        except Exception:  # noqa: BLE001 - one participant's mail must not stop the others
            logger.exception("Exam reminders: the %s reminder of user %s failed", what, user.pk)
            failed += 1
    if failed:
        logger.error("Exam reminders (%s): %s failed (see above); the next run tries them "
                     "again", what, failed)
    return found
