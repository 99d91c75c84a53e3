"""Finance reads invoices in the admin; they are never edited (the database refuses it too).
Corrections are credit notes, issued through the action below with a reason."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from billing.invoicing import issue_credit_note
from billing.models import CreditNote, Invoice, InvoiceLine, NumberSeries, VatNumberCheck


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["description", "amount", "discount", "net", "vat_rate_percent", "vat", "total"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CreditNoteForm(forms.Form):
    net = forms.DecimalField(label=_("Amount excluding VAT"), min_value=Decimal("0.01"),
                             decimal_places=2)
    vat = forms.DecimalField(label=_("VAT"), min_value=Decimal("0"), decimal_places=2,
                             initial=Decimal("0.00"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organizer", "customer_name", "issue_date", "due_date", "total",
                    "vat_check"]
    list_filter = ["organizer", "year", "customer_kind", "vat_check", "kmo_portefeuille"]
    search_fields = ["number", "customer_name", "customer_email", "customer_vat_number",
                     "structured_communication"]
    list_select_related = ["organizer"]
    date_hierarchy = "issue_date"
    inlines = [InvoiceLineInline]
    actions = ["credit"]

    @admin.action(description=_("Issue a credit note for the selected invoice"),
                  permissions=["credit"])
    def credit(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one invoice."), messages.WARNING)
            return None
        invoice = queryset.get()
        form = CreditNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                note = issue_credit_note(invoice=invoice, user=request.user,
                                         **form.cleaned_data)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("Credit note %(number)s issued.")
                                  % {"number": note.number})
                return redirect("admin:billing_creditnote_change", note.pk)
        context = {**self.admin_site.each_context(request), "form": form, "invoice": invoice,
                   "title": _("Credit note"), "opts": self.model._meta,
                   "action": "credit", "selected": invoice.pk}
        return render(request, "admin/billing/credit_note_form.html", context)

    def has_credit_permission(self, request):
        return request.user.has_perm("billing.add_creditnote")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("billing.view_invoice")


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "organizer", "invoice", "issue_date", "total", "reason"]
    list_filter = ["organizer", "year"]
    search_fields = ["number", "invoice__number", "reason"]
    list_select_related = ["organizer", "invoice"]


@admin.register(NumberSeries)
class NumberSeriesAdmin(ReadOnlyAdmin):
    list_display = ["organizer", "kind", "year", "last_number"]
    list_filter = ["organizer", "kind", "year"]


@admin.register(VatNumberCheck)
class VatNumberCheckAdmin(ReadOnlyAdmin):
    list_display = ["vat_number", "status", "name", "checked_at", "detail"]
    list_filter = ["status"]
    search_fields = ["vat_number", "name"]
