"""Certificates in the admin: read-only rows, issue by hand (a form, and an action on
registrations), revoke with a reason (an action with a confirmation form). Thin: the services
decide."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import Certificate, Review, Signatory
from certificates.services import (
    CertificateRefused,
    issue_credit_certificate,
    issue_due_certificates,
    issue_getuigschrift,
    issue_participation_certificate,
    issue_registration_certificate,
    keep_certificate,
    revoke_certificate,
)
from courses.models import CourseUnit
from registrations.models import Registration


class SignatoryForm(forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["organizer", "course", "name", "function_nl", "function_en"]

    def clean(self):
        cleaned = super().clean()
        organizer, course = cleaned.get("organizer"), cleaned.get("course")
        if organizer and course and course.organizer_id != organizer.pk:
            raise forms.ValidationError(_("The programme belongs to another organizer."))
        return cleaned


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    form = SignatoryForm
    list_display = ["name", "function_nl", "organizer", "course"]
    list_filter = ["organizer"]
    raw_id_fields = ["course"]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for revocation"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class KeepForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for keeping the certificate"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the certificate stands although its basis changed (for "
                               "instance the exam committee's decision)."),
    )


class IssueForm(forms.Form):
    registration = forms.ModelChoiceField(
        Registration.objects.filter(status=Registration.Status.CONFIRMED),
        label=gettext_lazy("Registration"), widget=forms.NumberInput,
        help_text=gettext_lazy("The registration's number (admin → Registrations)."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Certificate.Kind.choices)
    unit = forms.ModelChoiceField(
        CourseUnit.objects.all(), required=False, label=gettext_lazy("Course unit"),
        widget=forms.NumberInput,
        help_text=gettext_lazy("Credit certificates only: the unit's number."),
    )


def issue(registration, kind, unit, by) -> Certificate:
    if kind == Certificate.Kind.REGISTRATION:
        return issue_registration_certificate(registration, by=by)
    if kind == Certificate.Kind.PARTICIPATION:
        return issue_participation_certificate(registration, by=by)
    if kind == Certificate.Kind.PROGRAMME:
        return issue_getuigschrift(registration, by=by)
    if unit is None:
        raise CertificateRefused(_("Choose the course unit of the credit certificate."))
    return issue_credit_certificate(registration, unit, by=by)


class ToReviewFilter(admin.SimpleListFilter):
    """Valid certificates whose basis changed after issue (certificates.services.review)."""

    title = gettext_lazy("to review")
    parameter_name = "to_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), *Review.choices]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.valid().exclude(review="")
        if self.value() in Review.values:
            return queryset.valid().filter(review=self.value())
        return queryset


class ValidFilter(admin.SimpleListFilter):
    """Valid or revoked, in those words (the field's own filter said "revoked at: empty")."""

    title = gettext_lazy("valid")
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return [("yes", capfirst(_("valid"))), ("no", capfirst(_("revoked")))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["holder_name", "kind", "title_nl", "credits", "issued_on", "valid",
                    "review", "issued_by"]
    list_filter = [ToReviewFilter, "kind", ValidFilter,
                   "issued_on", "registration__edition__course__organizer"]
    search_fields = ["holder_name", "user__email", "code", "title_nl", "title_en",
                     "registration__edition__code"]
    list_select_related = ["issued_by"]
    date_hierarchy = "issued_on"
    actions = ["revoke", "keep"]
    change_list_template = "certificates/admin/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Certificate._meta.fields]
        return [*names[:names.index("review") + 1], "review_why",
                *names[names.index("review") + 1:]]

    @admin.display(description=gettext_lazy("why to review"))
    def review_why(self, obj):
        """In words: what no longer holds, since when and what changed (the change page)."""
        if not obj.review:
            return "-"
        since = (formats.date_format(timezone.localtime(obj.review_since), "SHORT_DATETIME_FORMAT")
                 if obj.review_since else "?")
        return _("%(finding)s since %(since)s: %(cause)s. Revoke it (with the reason) or keep "
                 "it (with the reason).") % {
            "finding": capfirst(obj.get_review_display()), "since": since,
            "cause": obj.get_review_cause_display() or "?"}

    @admin.display(boolean=True, description=gettext_lazy("valid"))
    def valid(self, obj):
        return obj.revoked_at is None

    def has_add_permission(self, request):
        return False  # issued by the services: the "issue" page below, tasks, the action

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("certificates.revoke_certificate")

    def has_issue_permission(self, request):
        return request.user.has_perm("certificates.add_certificate")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "may_issue": self.has_issue_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("issue/", self.admin_site.admin_view(self.issue_view),
                 name="certificates_certificate_issue"),
            *super().get_urls(),
        ]

    def issue_view(self, request):
        if not self.has_issue_permission(request):
            raise PermissionDenied
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                certificate = issue(data["registration"], data["kind"], data["unit"],
                                    request.user)
            except CertificateRefused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("Certificate %(code)s: %(certificate)s.")
                                  % {"code": certificate.code, "certificate": certificate},
                                  messages.SUCCESS)
                return redirect(reverse("admin:certificates_certificate_change",
                                        args=[certificate.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Issue a certificate"), "form": form}
        return render(request, "certificates/admin/issue.html", context)

    @admin.action(description=gettext_lazy("Revoke the selected certificates"),
                  permissions=["revoke"])
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for certificate in queryset.filter(revoked_at__isnull=True):
                revoke_certificate(certificate, form.cleaned_data["reason"], request.user)
                done += 1
            self.message_user(request, _("%(count)d certificate(s) revoked.") % {"count": done})
            return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Revoke certificates"), "form": form, "queryset": queryset,
                   "action": "revoke", "submit": _("Revoke")}
        return render(request, "certificates/admin/revoke.html", context)

    @admin.action(description=gettext_lazy("Keep the selected certificates (reviewed)"),
                  permissions=["revoke"])
    def keep(self, request, queryset):
        """The other decision on a certificate marked "to review": it stands. The same roles
        as revocation decide, with a reason (rules.md §7)."""
        form = KeepForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for certificate in queryset.valid().exclude(review=""):
                keep_certificate(certificate, form.cleaned_data["reason"], request.user)
                done += 1
            self.message_user(request, _("%(count)d certificate(s) kept; no longer to review.")
                              % {"count": done})
            return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Keep certificates to review"), "form": form,
                   "queryset": queryset, "action": "keep", "submit": _("Keep")}
        return render(request, "certificates/admin/revoke.html", context)


@admin.action(description=gettext_lazy("Issue the certificates that are due"),
              permissions=["issue_certificates"])
def issue_certificates(modeladmin, request, queryset):
    """An action for the registrations' list (registrations/admin.py)."""
    count = 0
    for registration in queryset.filter(status=Registration.Status.CONFIRMED):
        count += len(issue_due_certificates(registration, by=request.user))
    modeladmin.message_user(
        request, _("%(count)d certificate(s) issued or already there.") % {"count": count}
    )
