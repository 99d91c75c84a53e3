"""The participant's exams page: enrolments, published results, programme outcome, whether they
may sit each exam, and enrolment for a second chance during the window (seed 2, art. 8-9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from exams.services.enrolment import EnrolmentRefused, enrol_second_chance
from exams.services.overview import exam_programmes

GRADE_LABELS = {
    "greatest_distinction": gettext_lazy("with the greatest distinction"),
    "great_distinction": gettext_lazy("with great distinction"),
    "distinction": gettext_lazy("with distinction"),
    "satisfaction": gettext_lazy("with satisfaction"),
}


def today():
    """The participant's date (a function, so tests can fix the clock)."""
    return timezone.localdate()


@login_required
def my_exams(request):
    day = today()
    programmes = exam_programmes(request.user, day)
    for programme in programmes:
        programme["grade_label"] = (GRADE_LABELS.get(programme["outcome"].grade, "")
                                    if programme["final"] else "")
        programme["has_published"] = any(row["result"] for row in programme["rows"])
    return render(request, "exams/my_exams.html", {
        "programmes": programmes,
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
