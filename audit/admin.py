"""The audit trail in the admin: read-only for finance and superusers, and the chain check.

``admin/audit/auditentry/chain/`` recomputes every organizer's hash chain from the current
invoice and credit-note rows and shows OK or the first broken link (who may: the view
permission on audit entries, i.e. finance and superusers).
"""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.chain import verify
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "model_label", "object_id", "organizer",
                    "chain_seq"]
    list_filter = ["action", "model_label", "organizer"]
    search_fields = ["=object_id", "action"]
    list_select_related = ["organizer"]
    date_hierarchy = "at"
    fields = ["at", "actor", "actor_label", "action", "model_label", "object_id", "organizer",
              "before_json", "after_json", "chain_seq", "content_hash", "prev_hash",
              "entry_hash"]
    readonly_fields = fields

    @admin.display(description=_("before"))
    def before_json(self, entry):
        return format_html("<pre>{}</pre>", _pretty(entry.before))

    @admin.display(description=_("after"))
    def after_json(self, entry):
        return format_html("<pre>{}</pre>", _pretty(entry.after))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("chain/", view(self.chain_view), name="audit_chain"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "chain_url": reverse("admin:audit_chain")}
        return super().changelist_view(request, extra_context)

    def chain_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Hash chain of invoices and credit notes"),
            "reports": verify(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/audit/chain.html", context)


def _pretty(value) -> str:
    if value is None:
        return "-"
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
