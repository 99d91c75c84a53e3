from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import (
    AcademicYear,
    CancellationTier,
    Course,
    CourseUnit,
    Edition,
    Organizer,
    Session,
)


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ["name", "enterprise_number", "iban", "contact_email"]
    # A website typed without its scheme is taken as https (Django 6's default, already now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["name", "enterprise_number", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "website"]}),
        (_("Address"), {"fields": ["street", "postal_code", "city", "country"]}),
        (
            _("Invoicing"),
            {"fields": ["enterprise_number", "iban", "bic", "invoice_due_days", "finance_email"]},
        ),
        (
            _("KMO-portefeuille"),
            {"fields": ["kmo_recognition_short", "kmo_recognition_postgraduate"]},
        ),
        (_("Contact"), {"fields": ["contact_email"]}),
        (_("Personal data"), {"fields": ["certificates_on_erasure"]}),
    ]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["code", "start", "second_semester_start", "end"]
    search_fields = ["code"]


class CourseUnitInline(admin.TabularInline):
    model = CourseUnit
    extra = 0
    fields = [
        "position",
        "code",
        "title_nl",
        "title_en",
        "credits",
        "semester",
        "examinable_once_a_year",
        "attendance_required",
        "attendance_threshold_percent",
        "digital_exam",
    ]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title_nl", "organizer", "kind", "language", "total_credits"]
    list_filter = ["organizer", "kind", "language"]
    search_fields = ["code", "title_nl", "title_en", "description_nl", "description_en"]
    list_select_related = ["organizer"]
    prepopulated_fields = {"slug": ["code", "title_en"]}
    inlines = [CourseUnitInline]


@admin.register(CourseUnit)
class CourseUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title_nl", "course", "credits", "semester", "digital_exam"]
    list_filter = [
        "semester",
        "examinable_once_a_year",
        "attendance_required",
        "digital_exam",
        "course__organizer",
    ]
    search_fields = ["code", "title_nl", "title_en", "course__code", "course__title_nl"]
    list_select_related = ["course"]


class EditionListFilter(admin.RelatedFieldListFilter):
    """A list filter on an edition: the editions' names (their course's title) in one query."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        editions = Edition.objects.select_related("course").order_by(*ordering)
        return [(edition.pk, str(edition)) for edition in editions]


def offer_once(field, queryset) -> None:
    """Let a choice field of a form class list `queryset`, read once here: every form of an
    inline formset copies the field and would otherwise read the list again (a query per
    row). The admin wraps the select (RelatedFieldWidgetWrapper): the inner one renders."""
    choices = [("", field.empty_label or ""), *((o.pk, str(o)) for o in queryset)]
    field.queryset = queryset
    field.choices = choices
    getattr(field.widget, "widget", field.widget).choices = choices


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["starts_at", "ends_at", "location", "topic", "unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        unit = formset.form.base_fields.get("unit")
        if unit is not None:
            # The units of the edition's course (a new edition has no course yet: all of
            # them; Session.clean refuses another course's unit), read once for all rows.
            units = CourseUnit.objects.all()
            if obj is not None:
                units = units.filter(course_id=obj.course_id)
            offer_once(unit, units)
        return formset


class CancellationTierInline(admin.TabularInline):
    model = CancellationTier
    extra = 0


class EditionAdminForm(forms.ModelForm):
    """The admin builds the Meta (model and fieldsets) on top of this."""

    def clean_code(self):
        # The code is part of public addresses (/editions/<code>/): with a "/" no page linking
        # the edition could be built (a server error on the course page and the dashboard).
        code = self.cleaned_data["code"]
        if "/" in code or not code.isprintable():
            raise forms.ValidationError(
                _("A code cannot contain a slash (/), a line break or other control characters.")
            )
        return code

    def clean_seats(self):
        seats = self.cleaned_data["seats"]
        if self.instance.pk:
            # The count as it is now, locked until the admin's transaction commits: a checkout
            # may have taken a seat since the page read the edition, and the save writes the
            # count back (rules.md §1: capacity is hard).
            self.instance.seats_taken = (
                Edition.objects.select_for_update().filter(pk=self.instance.pk)
                .values_list("seats_taken", flat=True).get()
            )
        if self.instance.pk and seats < self.instance.seats_taken:
            raise forms.ValidationError(
                _("%(taken)d people are registered already; seats cannot go below that.")
                % {"taken": self.instance.seats_taken}
            )
        return seats


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionAdminForm
    list_display = ["code", "course", "start", "end", "seats", "seats_taken", "status",
                    "cancellation_policy"]
    list_filter = [
        "status",
        "course__organizer",
        "course__kind",
        "academic_year",
        "cancellation_policy",
        "admission_required",
    ]
    search_fields = ["code", "course__code", "course__title_nl", "course__title_en", "location"]
    list_select_related = ["course", "course__organizer"]
    date_hierarchy = "start"
    autocomplete_fields = ["course"]
    inlines = [SessionInline, CancellationTierInline]
    fieldsets = [
        (None, {"fields": ["course", "academic_year", "code", "status"]}),
        (_("Dates and place"), {"fields": ["start", "end", "location"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "seats",
                    "seats_taken",
                    "registration_closes_days_before",
                    "admission_required",
                ]
            },
        ),
        (
            _("Fee"),
            {
                "fields": [
                    "fee_kind",
                    "fee_amount",
                    "credit_amount",
                    "programme_amount",
                    "vat_treatment",
                    "vat_rate_percent",
                    "vat_exemption_mention",
                    "instalments_allowed",
                    "max_instalments",
                    "kmo_eligible",
                ]
            },
        ),
        (
            _("Cancellation"),
            {
                "fields": [
                    "cancellation_policy",
                    "policy_b_percent_kept",
                    "policy_b_minimum_kept",
                    "policy_b_days_before",
                ]
            },
        ),
        (_("Certificates"), {"fields": ["attendance_threshold_percent"]}),
    ]
    readonly_fields = ["seats_taken"]
    actions = ["cancel_edition", "notify_change"]

    @admin.action(description=_("Cancel the edition: credit and refund every participant"),
                  permissions=["change"])
    def cancel_edition(self, request, queryset):
        from registrations.errors import RegistrationError
        from registrations.services.edition_changes import cancel_edition

        for edition in queryset:
            try:
                cancel_edition(edition_id=edition.pk, staff_user=request.user)
            except RegistrationError as error:
                self.message_user(request, f"{edition}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(edition)s: cancelled; refunds run in the "
                                             "background (see Bulk jobs).") % {"edition": edition})

    @admin.action(description=_("Notify a change of date, time or location"),
                  permissions=["change"])
    def notify_change(self, request, queryset):
        from django.shortcuts import render

        from registrations.admin_cancellation import ChangeNoticeForm
        from registrations.errors import RegistrationError
        from registrations.services.edition_changes import notify_change

        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one edition."), messages.WARNING)
            return None
        edition = queryset.get()
        form = ChangeNoticeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                notify_change(edition_id=edition.pk, staff_user=request.user,
                              **form.cleaned_data)
            except RegistrationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("The participants are being notified."))
            return None
        return render(request, "admin/courses/change_notice.html", {
            **self.admin_site.each_context(request), "form": form, "edition": edition,
            "opts": self.model._meta, "title": _("Notify a change")})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "seats" in form.changed_data:
            # More seats: the waiting list gets its offers (registrations/services/waiting_list).
            from registrations.tasks import offer_free_seats_later

            offer_free_seats_later()


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["edition", "starts_at", "ends_at", "location", "topic"]
    list_filter = ["edition__course__organizer"]
    search_fields = ["edition__code", "location", "topic"]
    list_select_related = ["edition", "edition__course"]
    date_hierarchy = "starts_at"
    # Searched, not listed: a list of every edition (with its course's title) and of every
    # unit grows with the catalog, and cost a query per edition.
    autocomplete_fields = ["edition", "unit"]
