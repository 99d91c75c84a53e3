"""Finance uploads bank statements and follows their import in the admin.

The upload is stored (private MEDIA_ROOT) and imported by a Celery task after the commit;
the statement's page shows a progress bar fed by a small JSON view. Lines are read-only; an
unmatched one can be matched by hand to an invoice, which records the payment.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from billing.admin import warn_if_overpaid
from billing.models import BankStatement, StatementLine
from billing.statements.detect import detect_format
from billing.statements.manual import MatchingError, find_invoice, match_by_hand
from billing.statements.parsed import StatementFormatError
from billing.tasks import import_statement_task
from portal.queueing import enqueue_on_commit

MAX_UPLOAD = 20 * 1024 * 1024
Result = StatementLine.Result


class StatementUploadForm(forms.ModelForm):
    class Meta:
        model = BankStatement
        fields = ["file"]
        help_texts = {"file": _("camt.053 (XML) or CODA, as the bank delivers it; at most "
                                "20 MB. The format is recognised from the content.")}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        # A file that is no statement at all (a PDF, a spreadsheet...) is said here, from its
        # first bytes, instead of being stored as a failed statement; the import reads the rest.
        upload.seek(0)
        head = upload.read(HEAD)
        upload.seek(0)
        try:
            detect_format(head)
        except StatementFormatError as error:
            raise forms.ValidationError(error.text.shown()) from None
        return upload


HEAD = 4096  # more than a CODA record and an XML prolog


@admin.register(BankStatement)
class BankStatementAdmin(admin.ModelAdmin):
    form = StatementUploadForm
    change_form_template = "admin/billing/bankstatement/change_form.html"
    list_display = ["original_name", "format", "status", "progress", "uploaded_by",
                    "uploaded_at"]
    list_filter = ["status", "format"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["uploaded_by"]
    readonly_fields = ["original_name", "format", "status", "progress", "results",
                       "error_text", "sha256", "uploaded_by", "uploaded_at"]

    def get_fields(self, request, obj=None):
        return ["file"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a statement is what the bank sent: never edited

    def has_delete_permission(self, request, obj=None):
        return False  # its lines may have recorded payments

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        obj.sha256 = digest.hexdigest()
        obj.original_name = upload.name[:200]
        obj.uploaded_by = request.user
        earlier = BankStatement.objects.filter(sha256=obj.sha256).first()
        super().save_model(request, obj, form, change)
        if earlier is not None:
            self.message_user(request, _("This file was uploaded before (%(name)s): lines "
                                         "already recorded will be shown as already "
                                         "imported.") % {"name": earlier}, messages.WARNING)
        enqueue_on_commit(import_statement_task, statement_id=obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        """Straight to the statement's page, where the progress bar is."""
        return redirect("admin:billing_bankstatement_change", obj.pk)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.lines_done} / {obj.lines_total}"

    @admin.display(description=_("error"))
    def error_text(self, obj):
        return obj.shown_error()

    @admin.display(description=_("results"))
    def results(self, obj):
        counts = dict(obj.lines.order_by().values_list("result").annotate(n=Count("pk")))
        base = reverse("admin:billing_statementline_changelist")
        links = [(f"{base}?statement__id__exact={obj.pk}&result__exact={value}", label,
                  counts.get(value, 0)) for value, label in Result.choices]
        return format_html_join(" · ", '<a href="{}">{}: {}</a>', links)

    def get_urls(self):
        return [
            path("<int:pk>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="billing_bankstatement_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request, pk):
        """Polled by static/js/statement_progress.js for the progress bar."""
        statement = get_object_or_404(BankStatement, pk=pk)
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        counts = dict(statement.lines.order_by().values_list("result")
                      .annotate(n=Count("pk")))
        return JsonResponse({
            "status": statement.status,
            "status_display": str(statement.get_status_display()),
            "lines_done": statement.lines_done,
            "lines_total": statement.lines_total,
            "error": statement.shown_error(),
            "results": {value: counts.get(value, 0) for value in Result.values},
        })


class MatchForm(forms.Form):
    invoice = forms.CharField(label=_("Invoice number or structured communication"),
                              max_length=40)


@admin.register(StatementLine)
class StatementLineAdmin(admin.ModelAdmin):
    list_display = ["statement", "position", "booked_on", "amount", "counterparty_name",
                    "communication", "result", "message_text", "invoice", "suggested_invoice",
                    "match_link"]
    list_filter = ["result", "booked_on"]
    search_fields = ["counterparty_name", "counterparty_iban", "communication",
                     "invoice__number", "statement__original_name"]
    list_select_related = ["statement", "invoice", "suggested_invoice"]
    readonly_fields = ["statement", "position", "booked_on", "amount", "counterparty_name",
                       "counterparty_iban", "communication", "result", "message_text",
                       "invoice", "suggested_invoice", "match_link"]
    fields = readonly_fields

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "statement__id__exact" or super().lookup_allowed(lookup, value,
                                                                          request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"show_save": False, "show_save_and_continue": False, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def can_match(self, request) -> bool:
        return (request.user.has_perm("billing.change_statementline")
                and request.user.has_perm("billing.add_payment"))

    @admin.display(description=_("message"))
    def message_text(self, obj):
        return obj.shown_message()

    @admin.display(description=_("match"))
    def match_link(self, obj):
        if obj.result != Result.UNMATCHED:
            return ""
        url = reverse("admin:billing_statementline_match", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Match by hand"))

    def get_urls(self):
        return [
            path("<int:pk>/match/", self.admin_site.admin_view(self.match_view),
                 name="billing_statementline_match"),
            *super().get_urls(),
        ]

    def match_view(self, request, pk):
        if not self.can_match(request):
            raise PermissionDenied
        line = get_object_or_404(StatementLine.objects.select_related(
            "statement", "suggested_invoice"), pk=pk)
        # By its structured communication: unique, where a number repeats across organizers.
        suggested = line.suggested_invoice
        initial = {"invoice": suggested.structured_communication} if suggested else {}
        form = MatchForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                invoice, instalment = find_invoice(form.cleaned_data["invoice"])
                match_by_hand(line_id=line.pk, invoice=invoice, instalment=instalment,
                              user=request.user)
            except MatchingError as error:
                form.add_error("invoice", str(error))
            else:
                self.message_user(request, _("Payment of %(amount)s recorded on invoice "
                                             "%(number)s.") % {"amount": line.amount,
                                                               "number": invoice.number})
                warn_if_overpaid(self, request, invoice)
                return redirect("admin:billing_statementline_change", line.pk)
        context = {**self.admin_site.each_context(request), "form": form, "line": line,
                   "title": _("Match a statement line by hand"), "opts": self.model._meta}
        return render(request, "admin/billing/statementline_match.html", context)
