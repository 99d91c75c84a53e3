"""Staff side of cancellations and organizer changes: thin forms over the services."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from registrations import errors
from registrations.models import (
    BulkJob,
    CancellationRequest,
    ChangeResponse,
    EditionChangeNotice,
    Registration,
)
from registrations.organizer_changes import change_deemed_accepted
from registrations.services.cancellation import confirm_cancellation, record_cancellation_request


class RecordRequestForm(forms.ModelForm):
    class Meta:
        model = CancellationRequest
        fields = ["registration", "received_on", "note"]


class ConfirmForm(forms.Form):
    force_majeure = forms.BooleanField(label=_("Force majeure (policy B)"), required=False)
    waive_programme_amount = forms.BooleanField(
        label=_("Waive the programme amount (policy A)"), required=False
    )
    waiver_reason = forms.CharField(label=_("Reason for the waiver"), required=False,
                                    max_length=300)


@admin.register(CancellationRequest)
class CancellationRequestAdmin(admin.ModelAdmin):
    list_display = ["registration", "reason", "received_on", "status", "policy", "kept",
                    "credited", "refunded", "decided_by"]
    list_filter = ["status", "reason", "policy", "registration__edition__course__organizer"]
    search_fields = ["registration__user__email", "registration__edition__code"]
    list_select_related = ["registration__user", "registration__edition__course", "decided_by"]
    autocomplete_fields = ["registration"]
    actions = ["confirm"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RecordRequestForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["registration", "received_on", "note"] if obj is None else [
            f.name for f in CancellationRequest._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """A request that arrived by e-mail, recorded with the date it was received."""
        if change:
            return
        try:
            created = record_cancellation_request(
                staff_user=request.user, registration_id=obj.registration_id,
                received_on=obj.received_on, note=obj.note,
            )
        except errors.RegistrationError as error:
            raise forms.ValidationError(error.message) from error
        obj.pk = created.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except forms.ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.path)

    @admin.action(description=_("Confirm the selected cancellations"), permissions=["change"])
    def confirm(self, request, queryset):
        form = ConfirmForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for cancellation in queryset.filter(status=CancellationRequest.Status.PENDING):
                try:
                    confirm_cancellation(request_id=cancellation.pk, staff_user=request.user,
                                         **form.cleaned_data)
                    done += 1
                except errors.RegistrationError as error:
                    self.message_user(request, f"{cancellation}: {error.message}",
                                      messages.ERROR)
            self.message_user(request, _("%(count)d cancellation(s) confirmed.")
                              % {"count": done})
            return None
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Confirm cancellations"), "queryset": queryset,
                   "action": "confirm"}
        return render(request, "admin/registrations/confirm_cancellation.html", context)


class ChangeNoticeForm(forms.Form):
    description_nl = forms.CharField(label=_("What changes (Dutch)"), widget=forms.Textarea)
    description_en = forms.CharField(label=_("What changes (English)"), widget=forms.Textarea)


@admin.register(EditionChangeNotice)
class EditionChangeNoticeAdmin(admin.ModelAdmin):
    """Who accepted, who cancelled, who did not answer (yet) each change."""

    list_display = ["edition", "notice_date", "accepted", "cancelled", "no_answer"]
    list_select_related = ["edition__course"]
    readonly_fields = ["edition", "notice_date", "description_nl", "description_en",
                       "created_by", "answers"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        """The counts of the list in the list's query (one subquery each), not per row."""
        from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
        from django.db.models.functions import Coalesce

        registered = (
            Registration.objects.filter(edition=OuterRef("edition"), status="confirmed",
                                        registered_on__lte=OuterRef("notice_date"))
            .order_by().values("edition").annotate(n=Count("pk")).values("n")
        )
        return super().get_queryset(request).annotate(
            n_accepted=Count("responses", filter=Q(responses__answer="accepted")),
            n_cancelled=Count("responses", filter=Q(responses__answer="cancelled")),
            n_registered=Coalesce(Subquery(registered, output_field=IntegerField()), Value(0)),
        )

    def _counts(self, obj):
        if hasattr(obj, "n_registered"):
            return (obj.n_accepted, obj.n_cancelled,
                    max(obj.n_registered - obj.n_accepted, 0))
        answers = dict(ChangeResponse.objects.filter(notice=obj).values_list("registration_id",
                                                                             "answer"))
        # Only the registrations the change was announced to (seed 2 art. 6.2).
        registered = Registration.objects.filter(
            edition=obj.edition, status="confirmed", registered_on__lte=obj.notice_date
        ).count()
        cancelled = sum(1 for a in answers.values() if a == "cancelled")
        accepted = sum(1 for a in answers.values() if a == "accepted")
        return accepted, cancelled, max(registered - accepted, 0)

    @admin.display(description=_("accepted"))
    def accepted(self, obj):
        return self._counts(obj)[0]

    @admin.display(description=_("cancelled"))
    def cancelled(self, obj):
        return self._counts(obj)[1]

    @admin.display(description=_("no answer"))
    def no_answer(self, obj):
        from django.utils import timezone

        silent = self._counts(obj)[2]
        if change_deemed_accepted(obj.notice_date, timezone.localdate()):
            return _("%(count)d (counted as accepted)") % {"count": silent}
        return silent

    @admin.display(description=_("answers"))
    def answers(self, obj):
        from django.utils.html import format_html_join

        rows = ChangeResponse.objects.filter(notice=obj).select_related("registration__user")
        return format_html_join("", "<div>{}: {} ({})</div>", (
            (r.registration.user, r.get_answer_display(), r.answered_on) for r in rows))


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    """Where staff follow a bulk job: its progress and the registrations it could not handle."""

    list_display = ["kind", "edition", "progress", "done", "total", "failed", "created_at",
                    "finished_at"]
    list_filter = ["kind"]
    list_select_related = ["edition__course"]
    readonly_fields = [f.name for f in BulkJob._meta.fields] + ["progress", "failures"]
    # The set the job acts on (`total`): fixed when it is made, and an edition's worth of
    # registrations is no field to show, let alone pick from.
    exclude = ["registrations"]
    actions = ["run_again"]

    def has_add_permission(self, request):
        return False

    def has_rerun_permission(self, request):
        """Running a job again cancels or notifies like its first run: whoever may start one
        (the edition's change permission, see the edition's actions) may run it again."""
        return request.user.has_perm("courses.change_edition")

    @admin.action(description=_("Run again (the registrations left, e.g. the failed ones)"),
                  permissions=["rerun"])
    def run_again(self, request, queryset):
        from registrations.services.edition_changes import run_job_again

        for job in queryset:
            run_job_again(job_id=job.pk, staff_user=request.user)
        self.message_user(request, _("%(count)d job(s) will run again in the background.")
                          % {"count": len(queryset)})

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from django.db.models import Count

        # The failed count in the list's own query, not one query per job.
        return super().get_queryset(request).annotate(n_failed=Count("failures"))

    @admin.display(description=_("failed"), ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    @admin.display(description=_("progress"))
    def progress(self, obj):
        from django.utils.html import format_html

        # `done` and `total` count the same registrations (edition_changes._new_job), so the
        # bar ends full; a job with nobody to act on is full once it has finished.
        value = obj.done if obj.total else int(obj.finished_at is not None)
        bar = format_html('<progress value="{}" max="{}">{} / {}</progress>',
                          value, obj.total or 1, obj.done, obj.total)
        if not obj.n_failed:
            return bar
        return format_html('{} <strong class="errornote">{}</strong>', bar,
                           _("%(count)d failed") % {"count": obj.n_failed})

    @admin.display(description=_("failed registrations"))
    def failures(self, obj):
        """Which registrations failed and why: a re-run of the job, once the cause is fixed,
        handles them and clears these lines."""
        from django.urls import reverse
        from django.utils.html import format_html_join

        from registrations.models import BulkJobFailure

        rows = (BulkJobFailure.objects.filter(job=obj)
                .select_related("registration__user").order_by("registration_id"))
        return format_html_join(
            "", '<div><a href="{}">{} &lt;{}&gt;</a>: {} <small>({})</small></div>', (
                (reverse("admin:registrations_registration_change", args=[f.registration_id]),
                 f.registration.user, f.registration.user.email, f.error, f.failed_at)
                for f in rows
            )) or "-"
