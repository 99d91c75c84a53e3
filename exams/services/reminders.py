"""E-mail reminders: when the second-chance window opens and a few days before it closes, and
before a digital exam.

Each participant's mail is queued in its own transaction: one that cannot be queued (bad data,
a bug) is logged and counted, and everyone else still gets theirs (seed 2 art. 8.3 and 8.5 are
owed to each); the next day's run tries it again, and the dedup key sends each mail once.
"""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from exams import windows
from exams.models import Chance, Enrolment
from exams.services.enrolment import second_chance_refusal
from portal.outbox import queue_email
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


def send_second_chance_reminders(today: date) -> int:
    """One mail per participant with a failed unit not yet enrolled for, per kind and year
    (idempotent); returns the mails queued or found."""
    kind = reminder_kind(today)
    if kind is None:
        return 0
    opens, closes = windows.second_chance_window(today.year)
    firsts = Enrolment.objects.filter(
        chance=Chance.FIRST,
        registration__status=Registration.Status.CONFIRMED,
        registration__edition__academic_year__end__year=today.year,
    ).select_related("registration__user", "registration__edition__course", "unit")
    units_by_user: dict = {}
    for first in firsts:
        if Enrolment.objects.filter(registration_id=first.registration_id,
                                    unit_id=first.unit_id, chance=Chance.SECOND).exists():
            continue
        if second_chance_refusal(first, today) is None:
            units_by_user.setdefault(first.registration.user, []).append(first.unit)
    queued = sum(
        _queue_one(
            "second chance", user,
            subject=_("Enrol for the second exam chance"),
            template="exams/second_chance_reminder",
            context={"user": user, "units": units, "opens": opens, "closes": closes,
                     "kind": kind},
            dedup_key=f"exams-second-chance-{kind}-{today.year}-{user.pk}",
        )
        for user, units in units_by_user.items()
    )
    _log_failures("second chance", len(units_by_user) - queued)
    return queued


DIGITAL_EXAM_DAYS_BEFORE = 7


def send_digital_exam_reminders(today: date) -> int:
    """In the week before each exam period, participants with a digital exam on their own
    device are reminded to test the software (seed 2, art. 8.3). One mail per person and period
    (the first day they are enrolled, so a second-chance enrolment of the last days, a period
    entered late or a day the job missed still gets it); returns the mails queued or found."""
    from exams.models import ExamPeriod

    sent = failed = 0
    last_start = today + timedelta(days=DIGITAL_EXAM_DAYS_BEFORE)
    for period in ExamPeriod.objects.filter(start__gt=today, start__lte=last_start):
        enrolments = Enrolment.objects.filter(
            chance=period.chance,
            unit__digital_exam=True,
            registration__status=Registration.Status.CONFIRMED,
            registration__edition__academic_year_id=period.academic_year_id,
            registration__edition__course__organizer_id=period.organizer_id,
        ).select_related("registration__user", "unit")
        units_by_user: dict = {}
        for enrolment in enrolments:
            units_by_user.setdefault(enrolment.registration.user, []).append(enrolment.unit)
        for user, units in units_by_user.items():
            queued = _queue_one(
                "digital exam", user,
                subject=_("Test the software for your digital exam"),
                template="exams/digital_exam_reminder",
                context={"user": user, "units": units, "period": period},
                dedup_key=f"exams-digital-{period.pk}-{user.pk}",
            )
            sent += queued
            failed += 1 - queued
    _log_failures("digital exam", failed)
    return sent


def _queue_one(what: str, user, **mail) -> int:
    """1 when the mail is queued (or was before), 0 when it failed: logged, rolled back alone."""
    try:
        with transaction.atomic():
            queue_email(to=user.email, user=user, language=user.preferred_language or "nl",
                        **mail)
        return 1
    except Exception:  # noqa: BLE001 - one participant's mail must not stop the others
        logger.exception("Exam reminders: the %s reminder of user %s failed", what, user.pk)
        return 0


def _log_failures(what: str, failed: int) -> None:
    if failed:
        logger.error("Exam reminders (%s): %s failed (see above); the next run tries them "
                     "again", what, failed)
