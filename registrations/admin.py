from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from audit.trail import record
from billing.vat import enterprise_number_only
from billing.vies import lookup_vat
from certificates.admin import issue_certificates
from courses.admin import EditionListFilter
from registrations import errors
from registrations.forms import CheckoutForm
from registrations.models import (
    AdmissionApplication,
    Checkout,
    Registration,
    RegistrationSettings,
    Voucher,
    WaitingListEntry,
)
from registrations.services.admission import decide_admission
from registrations.services.checkout import BillingDetails
from registrations.services.late import register_late


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cart_hold_minutes", "offer_valid_hours", "admission_payment_days"]

    def has_add_permission(self, request):
        return not RegistrationSettings.objects.exists()


class ParticipantChoiceField(forms.ModelChoiceField):
    """People by name and e-mail address: two people of the same name are told apart."""

    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


# The checkout's errors say "you" to the person registering; here staff register someone else.
STAFF_WORDING = {
    errors.AlreadyRegistered: _("This person is already registered for this edition."),
    errors.EditionFull: _("This edition is full: raise its seats first (people on its waiting "
                          "list are offered a freed seat before anyone else)."),
}


class LateRegistrationForm(forms.Form):
    """The person, the edition and who the invoice is for: the person, or a company (the
    employer pays), with the checkout's fields and checks (rules.md §2)."""

    user = ParticipantChoiceField(queryset=None, label=_("Participant"))
    edition = forms.ModelChoiceField(queryset=None, label=_("Edition"))
    invoice_to = CheckoutForm.base_fields["invoice_to"]
    vat_number = CheckoutForm.base_fields["vat_number"]
    company_name = CheckoutForm.base_fields["company_name"]
    company_address = CheckoutForm.base_fields["company_address"]

    clean_vat_number = CheckoutForm.clean_vat_number

    def clean(self):
        data = super().clean()
        company = data.get("invoice_to") == Checkout.InvoiceTo.COMPANY
        if company and not data.get("vat_number") and "vat_number" not in self.errors:
            self.add_error("vat_number", _("A company invoice needs its VAT number."))
        return data

    def billing(self) -> BillingDetails | None:
        """The company's details, completed from VIES as the checkout does (None: the
        person's own invoice); a form error when VIES refuses the number or no name is
        known."""
        data = self.cleaned_data
        if data["invoice_to"] != Checkout.InvoiceTo.COMPANY:
            return None
        lookup = lookup_vat(data["vat_number"])
        if lookup.status == "invalid" and not enterprise_number_only(data["vat_number"],
                                                                     lookup.status):
            self.add_error("vat_number", _("VIES reports that this VAT number is not active."))
            return None
        name = data["company_name"].strip() or lookup.name
        if not name:
            self.add_error("company_name", _("Give the company's name."))
            return None
        return BillingDetails(
            invoice_to=Checkout.InvoiceTo.COMPANY, vat_number=data["vat_number"],
            vat_status=lookup.status, company_name=name,
            company_address=data["company_address"].strip() or lookup.address,
        )

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        from courses.models import Edition

        super().__init__(*args, **kwargs)
        self.fields["invoice_to"].required = False  # left out: the person's own invoice
        # The checkout's "me" is the participant here, not the staff member filling this in.
        self.fields["invoice_to"].choices = [
            (Checkout.InvoiceTo.PERSON, _("the participant (not subject to VAT)")),
            (Checkout.InvoiceTo.COMPANY, Checkout.InvoiceTo.COMPANY.label),
        ]
        self.fields["user"].queryset = get_user_model().objects.filter(
            is_staff=False).order_by("last_name", "first_name", "email")
        self.fields["edition"].queryset = Edition.objects.exclude(
            status__in=[Edition.Status.DRAFT, Edition.Status.CANCELLED]
        ).select_related("course")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "edition", "status", "registered_on", "total", "late_by_staff"]
    list_filter = [
        "status", "late_by_staff", "edition__course__organizer", "edition__academic_year"
    ]
    search_fields = [
        "user__email", "user__last_name", "edition__code", "edition__course__title_nl"
    ]
    list_select_related = ["user", "edition__course"]
    date_hierarchy = "registered_on"
    readonly_fields = [f.name for f in Registration._meta.fields]
    actions = [issue_certificates]
    change_list_template = "admin/registrations/registration/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "may_register_late": self.may_register_late(request)}
        return super().changelist_view(request, extra_context)

    def may_register_late(self, request) -> bool:
        return request.user.has_perm("registrations.change_registration")

    def has_issue_certificates_permission(self, request):
        return request.user.has_perm("certificates.add_certificate")

    def has_add_permission(self, request):
        return False  # registrations come from a checkout, or from "late registration" below

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("late/", self.admin_site.admin_view(self.late_view),
                 name="registrations_registration_late"),
            *super().get_urls(),
        ]

    def late_view(self, request):
        """Staff accept a registration after the deadline by hand (seed 2 art. 3.2)."""
        if not self.may_register_late(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = LateRegistrationForm(request.POST or None)
        billing = form.billing() if request.method == "POST" and form.is_valid() else None
        if request.method == "POST" and form.is_valid():  # no error from the billing either
            try:
                registration = register_late(
                    staff_user=request.user,
                    user=form.cleaned_data["user"],
                    edition_id=form.cleaned_data["edition"].pk,
                    billing=billing,
                )
            except errors.RegistrationError as error:
                form.add_error(None, STAFF_WORDING.get(type(error), error.message))
            else:
                self.message_user(request, _("Late registration recorded and invoiced."))
                return redirect("admin:registrations_registration_change", registration.pk)
        context = {**self.admin_site.each_context(request), "form": form,
                   "title": _("Late registration"), "opts": self.model._meta}
        return render(request, "admin/registrations/late_registration.html", context)


@admin.register(Checkout)
class CheckoutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "invoice_to", "vat_number", "vat_status"]
    list_filter = ["invoice_to", "vat_status", "kmo_portefeuille"]
    search_fields = ["user__email", "vat_number", "company_name"]
    readonly_fields = [f.name for f in Checkout._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(admin.ModelAdmin):
    list_display = ["edition", "user", "status", "joined_at", "offer_expires_at"]
    list_filter = ["status", "edition__course__organizer"]
    search_fields = ["user__email", "edition__code"]
    list_select_related = ["user", "edition__course"]
    readonly_fields = ["user", "edition", "joined_at", "offered_at", "offer_expires_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            record("waiting_list.changed", obj, organizer=obj.edition.course.organizer_id,
                   before={"status": form.initial.get("status")}, after={"status": obj.status})


@admin.register(AdmissionApplication)
class AdmissionApplicationAdmin(admin.ModelAdmin):
    list_display = ["user", "edition", "status", "submitted_at", "register_before"]
    list_filter = ["status", "edition__course__organizer", ("edition", EditionListFilter)]
    search_fields = ["user__email", "user__last_name", "edition__code"]
    list_select_related = ["user", "edition__course"]
    readonly_fields = ["user", "edition", "motivation", "prior_knowledge", "experience",
                       "cv_link", "status", "submitted_at", "decided_at", "decided_by",
                       "register_before"]
    fields = [*readonly_fields, "decision_note"]
    actions = ["admit", "reject"]

    @admin.display(description=_("CV"))
    def cv_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if not obj.cv:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("application_cv", args=[obj.pk]),
                           obj.cv_name or "cv.pdf")

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, admitted):
        done = 0
        for application in queryset:
            try:
                decide_admission(application_id=application.pk, admitted=admitted,
                                 staff_user=request.user, note=application.decision_note)
                done += 1
            except errors.RegistrationError as error:
                self.message_user(request, f"{application}: {error.message}", messages.WARNING)
        self.message_user(request, _("%(count)d application(s) decided; the candidates are "
                                     "told by e-mail.") % {"count": done})

    @admin.action(description=_("Admit the selected candidates"),
                  permissions=["change"])
    def admit(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected candidates"),
                  permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


class VoucherAdminForm(forms.ModelForm):
    class Meta:
        model = Voucher
        fields = ["code", "kind", "value", "valid_from", "valid_until", "max_uses",
                  "organizers", "courses", "editions", "active"]

    def clean_code(self):
        """Codes are stored in capitals (participants type them in any case): `welcome ` is
        WELCOME, as apply_voucher reads it, instead of a database constraint error."""
        return self.cleaned_data["code"].strip().upper()

    def clean_max_uses(self):
        """`times_used` is not on the form, so Django skips the constraint that compares the
        two: checked here instead of a database error on save."""
        max_uses = self.cleaned_data["max_uses"]
        if self.instance.pk:
            # The uses as they are now, locked until the admin's transaction commits: a
            # checkout may have used the voucher since the page read it, and the save writes
            # the count back.
            self.instance.times_used = (
                Voucher.objects.select_for_update().filter(pk=self.instance.pk)
                .values_list("times_used", flat=True).get()
            )
        if max_uses is not None and max_uses < self.instance.times_used:
            raise forms.ValidationError(
                _("This voucher was used %(count)d time(s) already; the maximum cannot be "
                  "lower.") % {"count": self.instance.times_used}
            )
        return max_uses


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    form = VoucherAdminForm
    list_display = ["code", "kind", "value", "valid_from", "valid_until", "times_used",
                    "max_uses", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code"]
    filter_horizontal = ["organizers", "courses", "editions"]
    readonly_fields = ["times_used"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "editions":  # an edition's name is its course's title
            kwargs["queryset"] = db_field.related_model.objects.select_related("course")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


from registrations import admin_cancellation  # noqa: E402,F401 - cancellations' admin classes
