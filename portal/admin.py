from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.defaultfilters import linebreaksbr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import OutgoingEmail, User, WorkEmailDomain
from portal.outbox import send_pending


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "preferred_language"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "street",
                    "postal_code",
                    "city",
                    "country",
                    "phone",
                    "preferred_language",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    actions = ["record_erasure_request"]

    def has_erasure_permission(self, request):
        return request.user.has_perm("portal.confirm_erasure")

    @admin.action(
        description=_("Record an erasure request (received by letter or e-mail)"),
        permissions=["erasure"],
    )
    def record_erasure_request(self, request, queryset):
        from portal.privacy.erasure import request_erasure

        for user in queryset:
            request_erasure(user=user, note=str(_("Recorded by staff")))
        self.message_user(request, _("Erasure requested; confirm it under Erasure requests."))


@admin.register(WorkEmailDomain)
class WorkEmailDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note"]
    search_fields = ["domain", "note"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox as a read-only log; "send now" is the one thing staff can do with it."""

    list_display = ["recipient", "subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["recipient", "subject", "dedup_key"]
    date_hierarchy = "created_at"
    actions = ["send_now"]
    fields = [
        "recipient",
        "user",
        "language",
        "subject",
        "kind",
        "text_body",
        "html_body",
        "template",
        "context_references",
        "attachments",
        "dedup_key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "secret_valid_until",
    ]
    readonly_fields = fields

    # A mail with a one-time secret (a password-reset link) is readable by no one here: whoever
    # can view the outbox could otherwise take over the account before the mail arrives. Its
    # bodies are blanked anyway once it is sent or expired (portal/outbox.py).
    @admin.display(description=_("text body"))
    def text_body(self, obj):
        return _readable_body(obj, obj.body_text)

    @admin.display(description=_("HTML body"))
    def html_body(self, obj):
        return _readable_body(obj, obj.body_html)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        return request.user.has_perm("portal.change_outgoingemail")

    @admin.action(description=_("Send now (unless already sent)"), permissions=["send"])
    def send_now(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        sent = sum(send_pending(pk) for pk in pks)
        self.message_user(
            request,
            ngettext(
                "%(sent)d of %(total)d e-mail sent.",
                "%(sent)d of %(total)d e-mails sent.",
                len(pks),
            )
            % {"sent": sent, "total": len(pks)},
            messages.SUCCESS if sent == len(pks) else messages.WARNING,
        )


def _readable_body(email, body):
    """The body as the admin shows a text field (escaped, line breaks kept), or a note."""
    if email.secret_valid_until and body:
        return _("(Hidden: this e-mail holds a one-time link or code; it is blanked once sent.)")
    return linebreaksbr(body, autoescape=True)


from portal.privacy import admin as privacy_admin  # noqa: E402,F401 - registers ErasureRequest
