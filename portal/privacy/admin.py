"""Erasure requests in the admin: a privacy officer (or superuser) confirms on its own page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.privacy.erasure import ErasureRefused, erase_person, refusal_for
from portal.privacy.models import ErasureRequest

CONFIRM_PERMISSION = "portal.confirm_erasure"


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person", "status", "requested_at", "decided_at", "confirm_link"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__last_name"]
    date_hierarchy = "requested_at"
    fields = ["user", "status", "requested_at", "note", "decided_at", "decided_by", "summary"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False  # the participant asks from the dashboard

    def has_change_permission(self, request, obj=None):
        return False  # the one change is the confirmation below

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("person"))
    def person(self, obj):
        return obj.user.email

    @admin.display(description="")
    def confirm_link(self, obj):
        if obj.status != ErasureRequest.Status.PENDING:
            return ""
        url = reverse("admin:portal_erasurerequest_confirm", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Confirm and erase…"))

    def get_urls(self):
        confirm = self.admin_site.admin_view(self.confirm_view)
        return [
            path("<int:pk>/confirm/", confirm, name="portal_erasurerequest_confirm"),
            *super().get_urls(),
        ]

    def confirm_view(self, request, pk):
        if not request.user.has_perm(CONFIRM_PERMISSION):
            raise PermissionDenied
        erasure = get_object_or_404(ErasureRequest.objects.select_related("user"), pk=pk)
        changelist = reverse("admin:portal_erasurerequest_changelist")
        if erasure.status != ErasureRequest.Status.PENDING:
            self.message_user(request, _("This request is no longer pending."), messages.WARNING)
            return redirect(changelist)
        if request.method == "POST":
            try:
                erase_person(request_id=erasure.pk, staff_user=request.user)
            except ErasureRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("The person's data has been erased."),
                                  messages.SUCCESS)
            return redirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase a person's data"),
            "opts": self.model._meta,
            "erasure": erasure,
            "refusal": refusal_for(erasure.user),
            "registrations": erasure.user.registrations.count(),
            "invoices": erasure.user.invoices.count(),
        }
        return TemplateResponse(request, "portal/privacy/admin_confirm.html", context)
