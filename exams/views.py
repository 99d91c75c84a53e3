"""The participant's exams page: enrolments, published results, programme outcome, whether they
may sit each exam, and enrolment for a second chance during the window (seed 2, art. 8-9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from exams.models import Chance
from exams.services.common import published_result
from exams.services.eligibility import may_sit
from exams.services.enrolment import EnrolmentRefused, enrol_second_chance, second_chance_refusal
from exams.services.outcome import programme_outcome
from registrations.models import Registration

GRADE_LABELS = {
    "greatest_distinction": gettext_lazy("with the greatest distinction"),
    "great_distinction": gettext_lazy("with great distinction"),
    "distinction": gettext_lazy("with distinction"),
    "satisfaction": gettext_lazy("with satisfaction"),
}


def today():
    """The participant's date (a function, so tests can fix the clock)."""
    return timezone.localdate()


def _programme(registration, day):
    enrolments = list(
        registration.exam_enrolments.select_related("unit").order_by("unit__position",
                                                                       "unit__code", "chance")
    )
    seconds = {e.unit_id for e in enrolments if e.chance == Chance.SECOND}
    rows = []
    for enrolment in enrolments:
        enrolment.registration = registration
        result = published_result(enrolment)
        allowed, reason = may_sit(enrolment) if result is None else (True, "")
        can_enrol = (
            enrolment.chance == Chance.FIRST
            and enrolment.unit_id not in seconds
            and second_chance_refusal(enrolment, day) is None
        )
        rows.append({"enrolment": enrolment, "result": result, "may_sit": allowed,
                     "reason": reason, "can_enrol_second": can_enrol})
    outcome = programme_outcome(registration)
    return {
        "registration": registration,
        "rows": rows,
        "outcome": outcome,
        "grade_label": GRADE_LABELS.get(outcome.grade, ""),
        "has_published": any(row["result"] for row in rows),
    }


@login_required
def my_exams(request):
    day = today()
    registrations = (
        Registration.objects.filter(user=request.user, status=Registration.Status.CONFIRMED,
                                    exam_enrolments__isnull=False)
        .distinct()
        .select_related("edition__course__organizer", "edition__academic_year")
        .order_by("-created_at")
    )
    return render(request, "exams/my_exams.html", {
        "programmes": [_programme(registration, day) for registration in registrations],
        "today": day,
    })


@login_required
@require_POST
def second_chance(request, enrolment_id):
    try:
        enrolment = enrol_second_chance(request.user, enrolment_id, today())
    except EnrolmentRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You are enrolled for the second chance of %(unit)s.")
                         % {"unit": enrolment.unit.title})
    return redirect("my_exams")
