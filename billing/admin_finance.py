"""Finance in the admin: refunds and their SEPA files, the period exports, Peppol downloads.

* Refunds (issue "payments out"): listed by status; one recorded by hand is checked (IBAN, BIC,
  not more than its credit note); the action "export selected pending refunds to a SEPA file"
  makes one pain.001 file for one organizer (billing.sepa) and downloads it.
* SEPA exports: read-only, the XML downloadable again, the action "mark paid".
* ``admin/billing/refund/exports/``: organizer, period, kind and format → a streamed CSV, an XLSX
  or a ZIP of Peppol documents (billing.exports); ``.../peppol/invoice/<id>/`` and
  ``.../peppol/credit-note/<id>/``: one Peppol BIS Billing 3.0 document (billing.peppol).

Who: finance only. The exports and Peppol documents need ``billing.view_invoice`` together with
``view_creditnote`` and ``view_payment`` (course administrators may read invoices and payments, not
credit notes, so they are kept out); the refunds ``billing.view_refund``, making a SEPA file
``billing.add_sepaexport``, marking it paid ``billing.change_sepaexport``; everyone else gets 403.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.trail import record
from billing import exports
from billing.admin_access import FINANCE_READ
from billing.admin_access import require as _require
from billing.exports import rows
from billing.models import CreditNote, Invoice, Refund, SepaExport
from billing.peppol import PeppolError, credit_note_xml, invoice_xml
from billing.sepa import clean_bic, clean_iban, export_pending_refunds, mark_export_paid
from courses.models import Organizer

DATE_INPUT = {"type": "date"}  # the browser's date picker sends and shows ISO dates
FORM_PAGE = (
    '{% extends "admin/base_site.html" %}{% block content %}'
    '<form method="post">{% csrf_token %}{{ form.as_p }}'
    '<input type="submit" value="{{ submit }}"></form>{% endblock %}'
)


class ExportForm(forms.Form):
    organizer = forms.ModelChoiceField(Organizer.objects.all(), label=_("Organizer"))
    start = forms.DateField(label=_("From"), widget=forms.DateInput(DATE_INPUT, "%Y-%m-%d"))
    end = forms.DateField(label=_("To (inclusive)"),
                          widget=forms.DateInput(DATE_INPUT, "%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Export"), choices=[
        (rows.INVOICES, _("invoices")), (rows.CREDIT_NOTES, _("credit notes")),
        (rows.PAYMENTS, _("payments")), (rows.OPEN_BALANCES, _("open balances")),
    ])
    format = forms.ChoiceField(label=_("Format"), choices=[
        ("csv", "CSV"), ("xlsx", "XLSX"), ("peppol", _("Peppol UBL (ZIP, company customers)")),
    ])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        if data.get("format") == "peppol" and data.get("kind") not in (rows.INVOICES,
                                                                       rows.CREDIT_NOTES):
            raise forms.ValidationError(_("Peppol documents exist for invoices and credit notes."))
        return data


def _xml_download(xml, filename):
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RefundForm(forms.ModelForm):
    class Meta:
        model = Refund
        fields = ["credit_note", "amount", "beneficiary_name", "iban", "bic"]

    def clean_iban(self):
        try:
            return clean_iban(self.cleaned_data["iban"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_bic(self):
        try:
            return clean_bic(self.cleaned_data.get("bic", ""))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_amount(self):
        """Here and not in clean(): without a credit note, clean() would leave the amount to
        the database constraint, whose message only names the constraint."""
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A refund is a positive amount."))
        return amount

    def clean(self):
        data = super().clean()
        note, amount = data.get("credit_note"), data.get("amount")
        if note and amount is not None:
            others = note.refunds.exclude(pk=self.instance.pk).aggregate(s=Sum("amount"))["s"]
            if amount + (others or Decimal("0")) > note.total:
                self.add_error("amount", _("The refunds would exceed the credit note."))
        return data


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    form = RefundForm
    list_display = ["credit_note", "organizer", "amount", "beneficiary_name", "iban", "status",
                    "export", "created_at"]
    list_filter = ["status", "credit_note__organizer"]
    search_fields = ["credit_note__number", "beneficiary_name", "iban"]
    list_select_related = ["credit_note__organizer", "export"]
    raw_id_fields = ["credit_note"]
    readonly_fields = ["status", "export", "dedup_key", "created_at", "created_by"]
    actions = ["export_to_sepa"]

    @admin.display(description=_("organizer"), ordering="credit_note__organizer__name")
    def organizer(self, refund):
        return refund.credit_note.organizer

    def has_change_permission(self, request, obj=None):
        """Only a pending refund can be corrected; one in a file is history."""
        pending = obj is None or obj.status == Refund.Status.PENDING
        return pending and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        # Audit trail (no account number or name: personal data stays out of the trail).
        record("refund.changed" if change else "refund.created", obj,
               organizer=obj.credit_note.organizer_id,
               before={"amount": form.initial.get("amount"),
                       "iban_known": bool(form.initial.get("iban"))} if change else None,
               after={"amount": obj.amount, "credit_note": obj.credit_note_id,
                      "status": obj.status, "iban_known": bool(obj.iban)})

    def has_sepa_permission(self, request):
        return request.user.has_perm("billing.add_sepaexport")

    @admin.action(description=_("Export selected pending refunds to a SEPA file"),
                  permissions=["sepa"])
    def export_to_sepa(self, request, queryset):
        pending = queryset.filter(status=Refund.Status.PENDING)
        organizer_ids = set(pending.values_list("credit_note__organizer", flat=True))
        if len(organizer_ids) != 1:
            self.message_user(request, _("Select pending refunds of one organizer."),
                              messages.WARNING)
            return None
        try:
            export = export_pending_refunds(
                organizer=Organizer.objects.get(pk=organizer_ids.pop()), user=request.user,
                execution_date=timezone.localdate(), refund_ids=pending.values_list("pk",
                                                                                  flat=True),
            )
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        return _xml_download(export.xml, f"{export.message_id}.xml")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("exports/", view(self.exports_view), name="billing_refund_exports"),
            path("peppol/invoice/<int:pk>/", view(self.peppol_invoice_view),
                 name="billing_peppol_invoice"),
            path("peppol/credit-note/<int:pk>/", view(self.peppol_credit_note_view),
                 name="billing_peppol_credit_note"),
            *super().get_urls(),
        ]

    def exports_view(self, request):
        _require(request, *FINANCE_READ)
        form = ExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            return exports.download(organizer=data["organizer"], start=data["start"],
                                    end=data["end"], kind=data["kind"], fmt=data["format"])
        context = {**self.admin_site.each_context(request), "form": form,
                   "title": _("Finance exports"), "submit": _("Download")}
        return HttpResponse(engines["django"].from_string(FORM_PAGE).render(context, request))

    def peppol_invoice_view(self, request, pk):
        _require(request, *FINANCE_READ)
        invoice = get_object_or_404(Invoice, pk=pk)
        try:
            return _xml_download(invoice_xml(invoice), f"invoice-{invoice.number}.xml")
        except PeppolError as error:
            return self._no_peppol(request, error, "admin:billing_invoice_change", pk)

    def peppol_credit_note_view(self, request, pk):
        _require(request, *FINANCE_READ)
        note = get_object_or_404(CreditNote.objects.select_related("invoice"), pk=pk)
        try:
            return _xml_download(credit_note_xml(note), f"credit-note-{note.number}.xml")
        except PeppolError as error:
            return self._no_peppol(request, error, "admin:billing_creditnote_change", pk)

    def _no_peppol(self, request, error, page, pk):
        """Why there is no Peppol document, on the document's page (a bare 404 said nothing)."""
        self.message_user(request, _("No Peppol document: %(reason)s") % {"reason": error},
                          messages.ERROR)
        return redirect(page, pk)


class RefundInline(admin.TabularInline):
    model = Refund
    fields = ["credit_note", "amount", "beneficiary_name", "iban", "bic", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SepaExport)
class SepaExportAdmin(admin.ModelAdmin):
    list_display = ["message_id", "created_at", "created_by", "transfers", "total", "paid_on",
                    "download"]
    list_filter = ["paid_on"]
    search_fields = ["message_id", "refunds__credit_note__number"]
    fields = ["message_id", "created_at", "created_by", "total", "paid_on", "download"]
    readonly_fields = fields
    inlines = [RefundInline]
    actions = ["mark_paid"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(
            transfer_count=Count("refunds"))

    @admin.display(description=_("transfers"), ordering="transfer_count")
    def transfers(self, export):
        return export.transfer_count

    @admin.display(description=_("file"))
    def download(self, export):
        url = reverse("admin:billing_sepaexport_xml", args=[export.pk])
        return format_html('<a href="{}">{}.xml</a>', url, export.message_id)

    def has_add_permission(self, request):
        return False  # files are made from the refunds (action there)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_mark_paid_permission(self, request):
        return request.user.has_perm("billing.change_sepaexport")

    @admin.action(description=_("Mark the selected files paid (executed by the bank today)"),
                  permissions=["mark_paid"])
    def mark_paid(self, request, queryset):
        done = 0
        for export in queryset.filter(paid_on__isnull=True):
            mark_export_paid(export, timezone.localdate())
            done += 1
        self.message_user(request, _("%(count)d file(s) marked paid.") % {"count": done})

    def get_urls(self):
        return [
            path("<int:pk>/xml/", self.admin_site.admin_view(self.xml_view),
                 name="billing_sepaexport_xml"),
            *super().get_urls(),
        ]

    def xml_view(self, request, pk):
        _require(request, "billing.view_sepaexport")
        export = get_object_or_404(SepaExport, pk=pk)
        return _xml_download(export.xml, f"{export.message_id}.xml")
