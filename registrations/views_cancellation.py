"""The participant cancels from the dashboard, after seeing what the policy keeps and refunds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.conditions import cancellation_conditions
from registrations import errors
from registrations.models import Registration
from registrations.services.cancellation import preview, request_cancellation
from registrations.services.edition_changes import answer_change


@login_required
def cancel(request, pk):
    registration = (
        Registration.objects.select_related("edition__course", "edition__academic_year")
        .filter(pk=pk, user=request.user, status=Registration.Status.CONFIRMED)
        .first()
    )
    if registration is None:
        raise Http404
    if request.method == "POST":
        try:
            decided = request_cancellation(user=request.user, registration_id=registration.pk)
        except errors.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Your registration is cancelled.") if decided.status == "confirmed"
                else _("Your cancellation request has been received; we confirm it by e-mail."),
            )
        return redirect("dashboard")
    today = timezone.localdate()
    return render(request, "registrations/cancel.html", {
        "registration": registration,
        "outcome": preview(registration, today),
        "today": today,
        "conditions": cancellation_conditions(registration.edition, registration),
    })


@login_required
@require_POST
def answer(request, pk, notice_id):
    try:
        answer_change(user=request.user, registration_id=pk, notice_id=notice_id,
                      cancel=request.POST.get("answer") == "cancel")
    except errors.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you, your answer has been recorded."))
    return redirect("dashboard")
