"""May a participant sit an exam? Attendance threshold (seed 2, art. 8.3) and the unpaid
refusal (seed 2, art. 4.4)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.dunning_flags import registration_is_blocked
from courses.models import Session
from exams.models import Attendance, Enrolment
from registrations.models import Registration


def may_sit(enrolment: Enrolment, now: datetime | None = None) -> tuple[bool, str]:
    """(True, "") or (False, the reason shown to the participant and staff)."""
    registration = enrolment.registration
    unit = enrolment.unit
    confirmed = registration.status == Registration.Status.CONFIRMED
    blocked = confirmed and registration_is_blocked(registration)
    present = total = 0
    if confirmed and not blocked and unit.attendance_required:
        now = now or timezone.now()
        sessions = Session.objects.filter(
            edition_id=registration.edition_id, unit_id=unit.pk, starts_at__lte=now
        )
        total = sessions.count()
        present = Attendance.objects.filter(
            registration_id=registration.pk, session__in=sessions, present=True
        ).count()
    reason = sitting_refusal(confirmed=confirmed, blocked=blocked, unit=unit, present=present,
                             total=total)
    return not reason, reason


def sitting_refusal(*, confirmed: bool, blocked: bool, unit, present: int, total: int) -> str:
    """The reason a participant may not sit the exam of `unit`, "" when they may: the
    registration must be confirmed, not blocked for an unpaid invoice, and the attendance at
    the unit's sessions held so far (`present` of `total`) at least the unit's threshold."""
    if not confirmed:
        return _("The registration is cancelled.")
    if blocked:
        return _("An invoice for this registration is unpaid past its due date "
                 "(art. 4.4): you may not sit exams until it is paid.")
    # present / total < threshold, in integers: no rounding at the boundary.
    if (unit.attendance_required and total
            and present * 100 < unit.attendance_threshold_percent * total):
        return _(
            "Insufficient attendance (art. 8.3): %(present)s of %(total)s sessions, "
            "%(threshold)s%% required."
        ) % {"present": present, "total": total,
             "threshold": unit.attendance_threshold_percent}
    return ""
