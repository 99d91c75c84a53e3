"""Exam administration: periods, enrolments, attendance, append-only results (with CSV upload),
committees (size by ECTS, seed 2 art. 10-11), publications and programme decisions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.trail import record
from billing.exports.csv_stream import stream_csv
from courses.admin import EditionListFilter
from exams.committees import TOO_FEW_MEMBERS, size_error, size_limits
from exams.models import (
    Attendance,
    Committee,
    CommitteeMember,
    Enrolment,
    ExamPeriod,
    ExamRules,
    ProgrammeDecision,
    Publication,
    Result,
)
from exams.services.publication import PublicationRefused, may_publish, publish
from exams.services.results import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    ResultRefused,
    _check,
    column_names,
    import_results_csv,
    record_result,
    template_header,
)
from portal.privacy.trail import without_person


class AppendOnlyAdmin(admin.ModelAdmin):
    """Rows are added, never changed or deleted: a correction is a new row."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExamRules)
class ExamRulesAdmin(admin.ModelAdmin):
    list_display = ["organizer", "decimal_places", "extra_codes"]


@admin.register(ExamPeriod)
class ExamPeriodAdmin(admin.ModelAdmin):
    list_display = ["organizer", "academic_year", "chance", "start", "end"]
    list_filter = ["academic_year", "organizer", "chance"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["registration", "unit", "chance", "origin", "enrolled_on"]
    list_filter = ["chance", "origin", "unit__course"]
    search_fields = ["registration__user__email", "registration__user__last_name", "unit__code"]
    list_select_related = ["registration__user", "registration__edition__course", "unit"]
    raw_id_fields = ["registration", "unit"]

    def get_readonly_fields(self, request, obj=None):
        # What the enrolment's results are about: changing it would move them (and the
        # certificates issued on them) to another person, unit or chance.
        return ["registration", "unit", "chance"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "registration", "unpaid", "present", "recorded_by",
                    "recorded_at"]
    list_editable = ["present"]
    list_filter = [("session__edition", EditionListFilter), "present"]
    search_fields = ["registration__user__email", "registration__user__last_name"]
    list_select_related = ["session", "registration__user", "registration__edition__course",
                           "recorded_by"]
    raw_id_fields = ["registration", "session"]
    exclude = ["recorded_by"]

    def get_queryset(self, request):
        from django.db.models import Exists, OuterRef

        from billing.models import UnpaidFlag

        # Seed 2 art. 4.4: staff see on the list who is unpaid past the due date (one subquery).
        open_flags = UnpaidFlag.objects.filter(
            registration=OuterRef("registration"), lifted_at__isnull=True
        )
        return super().get_queryset(request).annotate(is_unpaid=Exists(open_flags))

    @admin.display(description=gettext_lazy("unpaid"), boolean=True)
    def unpaid(self, obj):
        return obj.is_unpaid

    def save_model(self, request, obj, form, change):
        from certificates.models import ReviewCause
        from certificates.services import review_certificates
        from certificates.tasks import issue_certificates_for_registration_task
        from portal.queueing import enqueue_on_commit

        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        # A participation certificate issued may no longer hold: marked "to review" in the
        # admin's transaction, with the change (rules.md §7). One may now be due: the task.
        review_certificates(obj.registration, cause=ReviewCause.ATTENDANCE, by=request.user)
        enqueue_on_commit(issue_certificates_for_registration_task,
                          registration_id=obj.registration_id)

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        from certificates.models import ReviewCause
        from certificates.services import review_certificates
        from certificates.tasks import issue_certificates_for_registration_task
        from portal.queueing import enqueue_on_commit
        from registrations.models import Registration

        with transaction.atomic():  # the deletion and the marks together (rules.md §7)
            registrations = set(queryset.values_list("registration_id", flat=True))
            super().delete_queryset(request, queryset)
            for registration in Registration.objects.filter(pk__in=registrations):
                review_certificates(registration, cause=ReviewCause.ATTENDANCE,
                                    by=request.user)
        for registration_id in sorted(registrations):  # a certificate may now be due
            enqueue_on_commit(issue_certificates_for_registration_task,
                              registration_id=registration_id)


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["enrolment", "value", "code", "reason"]

    def clean(self):
        cleaned = super().clean()
        enrolment = cleaned.get("enrolment")
        if enrolment is not None:
            try:
                cleaned["value"], cleaned["code"] = _check(
                    enrolment, cleaned.get("value"), (cleaned.get("code") or "").strip(),
                    cleaned.get("reason") or "",
                )
            except ResultRefused as error:
                raise ValidationError(str(error)) from error
            # What the service will do, so that the model's constraints validate the same row.
            self.instance.supersedes = Result.objects.current().filter(enrolment=enrolment).first()
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


@admin.register(Result)
class ResultAdmin(AppendOnlyAdmin):
    form = ResultForm
    list_display = ["enrolment", "display", "entered_by", "entered_at", "reason", "is_current"]
    list_filter = ["enrolment__chance", "enrolment__unit__course"]
    search_fields = ["enrolment__registration__user__email", "enrolment__unit__code"]
    list_select_related = ["enrolment__registration__user", "enrolment__unit", "entered_by",
                           "superseded_by"]
    raw_id_fields = ["enrolment"]
    change_list_template = "exams/admin/result_changelist.html"

    @admin.display(boolean=True, description=gettext_lazy("current"))
    def is_current(self, obj):
        return not hasattr(obj, "superseded_by")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        result = record_result(data["enrolment"], user=request.user, value=data["value"],
                               code=data["code"], reason=data.get("reason") or "")
        obj.pk = result.pk
        obj.entered_by = result.entered_by
        obj.supersedes = result.supersedes

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        template = self.admin_site.admin_view(self.template_view)
        return [path("upload/", upload, name="exams_result_upload"),
                path("upload/template/", template, name="exams_result_template"),
                *super().get_urls()]

    def template_view(self, request):
        """The results CSV to fill in: the header in the language of the person asking (the
        upload reads it in either language), ``;``-separated UTF-8 with a BOM, as Excel in a
        Belgian locale opens and saves it (billing.exports.csv_stream)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(b"".join(stream_csv([template_header()])),
                                content_type="text/csv; charset=utf-8")
        name = _("results-template")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_results_csv(form.cleaned_data["file"], request.user)
            if report.ok:
                self.message_user(
                    request, _("%(count)s result(s) imported.") % {"count": report.created},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:exams_result_changelist"))
            self.message_user(request, _("Nothing was imported: correct the lines below."),
                              messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload results"),
            "form": form,
            "report": report,
            "required_columns": column_names(COLUMNS),
            "optional_columns": column_names(OPTIONAL_COLUMNS),
        }
        return render(request, "exams/admin/result_upload.html", context)


class MemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        committee = self.instance
        if any(self.errors) or not committee.course_id or not committee.kind:
            return
        members = [
            form.cleaned_data for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if committee.kind == Committee.Kind.LEC and not all(
            member.get("teaches_in_programme") for member in members
        ):
            raise ValidationError(_("Members of the LEC teach in the programme (art. 10.1)."))
        credits = committee.course.total_credits
        error = size_error(committee.kind, credits, len(members))
        if error:
            minimum, maximum = size_limits(committee.kind, credits)
            bound = _("at least %(n)s") % {"n": minimum} if error == TOO_FEW_MEMBERS else (
                _("at most %(n)s") % {"n": maximum})
            raise ValidationError(
                _("A %(kind)s of a programme of %(ects)s ECTS has %(bound)s member(s), "
                  "not %(count)s (seed 2, art. 10.1 and 11.1).")
                % {"kind": committee.kind, "ects": credits, "bound": bound,
                   "count": len(members)}
            )


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    formset = MemberFormSet
    extra = 3
    raw_id_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["course", "kind"]
    list_filter = ["kind"]
    inlines = [CommitteeMemberInline]


class PublicationForm(forms.ModelForm):
    user = None  # set by PublicationAdmin.get_form

    class Meta:
        model = Publication
        fields = ["period", "course"]

    def clean(self):
        cleaned = super().clean()
        period, course = cleaned.get("period"), cleaned.get("course")
        if period and course:
            if course.organizer_id != period.organizer_id:
                raise ValidationError(_("The programme belongs to another organizer."))
            if not may_publish(self.user, course):
                raise ValidationError(
                    _("Only a member of the programme's LEC publishes results (art. 10.2 c).")
                )
        return cleaned


@admin.register(Publication)
class PublicationAdmin(AppendOnlyAdmin):
    form = PublicationForm
    list_display = ["course", "period", "published_by", "published_at"]
    list_filter = ["period__academic_year", "period__chance"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        try:
            publication = publish(obj.period, obj.course, request.user)
        except PublicationRefused as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = publication.pk


class ProgrammeDecisionForm(forms.ModelForm):
    user = None  # set by ProgrammeDecisionAdmin.get_form

    class Meta:
        model = ProgrammeDecision
        fields = ["registration", "favourable_deviation", "reason"]

    def clean(self):
        cleaned = super().clean()
        registration = cleaned.get("registration")
        if registration and not may_publish(self.user, registration.edition.course):
            raise ValidationError(
                _("Only a member of the programme's LEC decides on a deviation (art. 9.1).")
            )
        return cleaned


@admin.register(ProgrammeDecision)
class ProgrammeDecisionAdmin(AppendOnlyAdmin):
    form = ProgrammeDecisionForm
    list_display = ["registration", "favourable_deviation", "reason", "decided_by", "decided_at"]
    fields = ["registration", "favourable_deviation", "reason"]
    raw_id_fields = ["registration"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        from certificates.tasks import issue_certificates_for_registration_task
        from portal.queueing import enqueue_on_commit

        obj.decided_by = request.user
        obj.supersedes = ProgrammeDecision.objects.filter(
            registration=obj.registration, superseded_by__isnull=True
        ).first()
        obj.save()
        record("programme_decision.recorded", obj, actor=request.user,
               organizer=obj.registration.edition.course.organizer_id,
               before=({"decision": obj.supersedes.pk,
                        "favourable_deviation": obj.supersedes.favourable_deviation}
                       if obj.supersedes else None),
               after={"registration": obj.registration_id,
                      "favourable_deviation": obj.favourable_deviation,
                      "reason": without_person(obj.reason, obj.registration.user)})
        # A getuigschrift issued on a withdrawn deviation no longer holds: marked "to review"
        # in the decision's own transaction (seed 2 art. 9.1; rules.md §7). The programme may
        # now be passed (a getuigschrift due): the task.
        from certificates.models import ReviewCause
        from certificates.services import review_certificates

        review_certificates(obj.registration, cause=ReviewCause.DECISION, by=request.user)
        enqueue_on_commit(issue_certificates_for_registration_task,
                          registration_id=obj.registration_id)
