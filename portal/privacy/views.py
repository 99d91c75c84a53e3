"""The participant's personal-data page: download everything, ask to be erased (thin views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.privacy.erasure import request_erasure, withdraw_erasure_request
from portal.privacy.export import export_filename, stream_export
from portal.privacy.forms import ErasureRequestForm
from portal.privacy.models import ErasureRequest
from portal.ratelimit import hit


@login_required
def privacy(request):
    pending = ErasureRequest.objects.filter(
        user=request.user, status=ErasureRequest.Status.PENDING
    ).first()
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        request_erasure(user=request.user, note=form.cleaned_data["note"])
        messages.success(
            request,
            _("Your request has been recorded. Staff will confirm it and erase your data."),
        )
        return redirect("privacy")
    return render(request, "portal/privacy/privacy.html", {"pending": pending, "form": form})


# Building the ZIP renders every PDF: a few downloads in a row are plenty.
EXPORTS_PER_WINDOW = 5
EXPORT_WINDOW_SECONDS = 600


@login_required
def export(request):
    """The ZIP of the person's own data, streamed while it is written."""
    if not hit("privacy-export", str(request.user.pk), limit=EXPORTS_PER_WINDOW,
               window_seconds=EXPORT_WINDOW_SECONDS):
        messages.error(
            request, _("You downloaded your data several times just now; try again later.")
        )
        return redirect("privacy")
    response = StreamingHttpResponse(stream_export(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    return response


@login_required
@require_POST
def withdraw(request, pk):
    if withdraw_erasure_request(user=request.user, request_id=pk):
        messages.success(request, _("Your erasure request has been withdrawn."))
    return redirect("privacy")
