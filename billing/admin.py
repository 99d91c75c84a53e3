"""Finance reads invoices in the admin; they are never edited (the database refuses it too).
Corrections are credit notes, issued through the action below with a reason."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from billing.admin_access import FINANCE_READ, require_finance
from billing.balances import OPEN, OVERDUE, PAID, PARTLY_PAID
from billing.invoicing import credit_left, issue_credit_note
from billing.models import (
    CreditNote,
    Instalment,
    Invoice,
    InvoiceLine,
    KmoProject,
    NumberSeries,
    Payment,
    VatNumberCheck,
)
from billing.payments import cents, record_payment, state_of, with_status
from billing.vat_rechecks import ANSWERED


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


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["paid_on", "amount", "method", "reference", "payer_name", "instalment",
              "recorded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    fields = ["number", "amount", "due_date", "structured_communication"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CreditNoteInline(admin.TabularInline):
    """The corrections of the invoice, on its page (its open balance already counts them)."""

    model = CreditNote
    extra = 0
    fields = ["number", "issue_date", "net_total", "vat_total", "total", "reason"]
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


class VatRecheckFilter(admin.SimpleListFilter):
    """Invoices issued while VIES could not confirm the buyer's VAT number, by what VIES said
    since (billing/vat_rechecks.py). The invoice never changes: one VIES found invalid is
    corrected with a credit note."""

    title = _("VIES re-check")
    parameter_name = "vies_recheck"

    def lookups(self, request, model_admin):
        return [("invalid", _("found invalid since")), ("verified", _("verified since")),
                ("none", _("no answer yet"))]

    def queryset(self, request, queryset):
        if self.value() not in ("invalid", "verified", "none"):
            return queryset
        checks = VatNumberCheck.objects.filter(checkout=OuterRef("checkout_id"))
        queryset = queryset.filter(vat_check=Invoice.VatCheck.UNVERIFIED)
        if self.value() == "none":
            return queryset.exclude(Exists(checks.filter(status__in=ANSWERED)))
        return queryset.filter(Exists(checks.filter(status=self.value())))


STATUS_LABELS = {PAID: _("paid"), PARTLY_PAID: _("partly paid"), OPEN: _("open"),
                 OVERDUE: _("overdue")}


class StatusFilter(admin.SimpleListFilter):
    """By the status the list shows, computed in the list's own query (billing.payments
    .with_status): on an invoice in instalments overdue only while a part past its due date is
    left open."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in STATUS_LABELS:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organizer", "customer_name", "issue_date", "due_date", "total",
                    "balance", "status"]
    list_filter = [StatusFilter, "organizer", "year", "kind", "customer_kind", "vat_check",
                   VatRecheckFilter, "kmo_portefeuille"]
    search_fields = ["number", "customer_name", "customer_email", "customer_vat_number",
                     "structured_communication"]
    list_select_related = ["organizer"]
    date_hierarchy = "issue_date"
    inlines = [InvoiceLineInline, InstalmentInline, CreditNoteInline, PaymentInline]
    # View-only: these come after the model's fields, below the totals.
    readonly_fields = ["balance", "status"]
    actions = ["credit"]
    change_list_template = "admin/billing/invoice_change_list.html"
    change_form_template = "admin/billing/invoice/change_form.html"

    def get_queryset(self, request):
        from django.utils import timezone

        # Balance and status in the list's query, for every row at once (and for the filter).
        return with_status(super().get_queryset(request), timezone.localdate())

    @admin.display(description=_("open"))
    def balance(self, obj):
        return cents(obj.balance)

    @admin.display(description=_("status"))
    def status(self, obj):
        state = state_of(obj)
        label = STATUS_LABELS[state.status]
        if state.overpaid:
            return _("%(status)s, over-paid by %(amount)s: to refund") % {
                "status": label, "amount": state.overpaid}
        return label

    def get_urls(self):
        from django.urls import path

        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view),
                 name="billing_finance_dashboard"),
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view),
                 name="billing_invoice_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        """The invoice's PDF as the customer got it (billing/views.py serves only the
        participant's own)."""
        from billing.pdf import invoice_filename, render_invoice_pdf

        require_finance(request)
        invoice = get_object_or_404(Invoice, pk=pk)
        return pdf_download(render_invoice_pdf(invoice), invoice_filename(invoice))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"finance": request.user.has_perms(FINANCE_READ), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def dashboard_view(self, request):
        """Outstanding per month and organizer, ageing, what the KMO wallet still owes."""
        from billing.finance_dashboard import bar_chart, dashboard_numbers

        require_finance(request)
        numbers = dashboard_numbers()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Finance dashboard"),
            "opts": self.model._meta,
            "numbers": numbers,
            "month_bars": bar_chart([(m.strftime("%m/%Y"), a) for m, a in numbers["per_month"]]),
            "organizer_bars": bar_chart(numbers["per_organizer"]),
            "ageing_bars": bar_chart(numbers["ageing"]),
            "paid_bars": bar_chart(
                [(row["month"].strftime("%m/%Y"), row["amount"])
                 for row in numbers["paid_per_month"]]
            ),
        }
        return render(request, "admin/billing/finance_dashboard.html", context)

    @admin.action(description=_("Issue a credit note for the selected invoice"),
                  permissions=["credit"])
    def credit(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one invoice."), messages.WARNING)
            return None
        invoice = queryset.get()
        net_left, vat_left = credit_left(invoice)
        form = CreditNoteForm(request.POST if "apply" in request.POST else None,
                              initial={"net": net_left, "vat": vat_left})
        if form.is_valid():
            try:
                note = issue_credit_note(invoice=invoice, user=request.user,
                                         **form.cleaned_data)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("Credit note %(number)s issued.")
                                  % {"number": note.number})
                # The note may have withdrawn a late charge of the invoice (seed 2 art. 4.7,
                # billing/late_charge_withdrawal.py): finance is told, not left to find it.
                for withdrawal in CreditNote.objects.filter(
                        invoice__charged_for=invoice, pk__gt=note.pk).select_related("invoice"):
                    self.message_user(request, _(
                        "The late-payment charge %(charge)s is withdrawn: credit note "
                        "%(number)s.") % {"charge": withdrawal.invoice.number,
                                          "number": withdrawal.number})
                return redirect("admin:billing_creditnote_change", note.pk)
        context = {**self.admin_site.each_context(request), "form": form, "invoice": invoice,
                   "net_left": net_left, "vat_left": vat_left, "title": _("Credit note"),
                   "opts": self.model._meta, "action": "credit", "selected": invoice.pk}
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
    change_form_template = "admin/billing/creditnote/change_form.html"

    def get_urls(self):
        from django.urls import path

        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view),
                 name="billing_creditnote_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        from billing.pdf import credit_note_filename, render_credit_note_pdf

        require_finance(request)
        note = get_object_or_404(CreditNote.objects.select_related("invoice"), pk=pk)
        return pdf_download(render_credit_note_pdf(note), credit_note_filename(note))


def pdf_download(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@admin.register(NumberSeries)
class NumberSeriesAdmin(ReadOnlyAdmin):
    list_display = ["organizer", "kind", "year", "last_number"]
    list_filter = ["organizer", "kind", "year"]


@admin.register(VatNumberCheck)
class VatNumberCheckAdmin(ReadOnlyAdmin):
    list_display = ["vat_number", "status", "name", "checked_at", "invoices", "detail"]
    list_filter = ["status"]
    search_fields = ["vat_number", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("checkout__invoices")

    @admin.display(description=_("invoices"))
    def invoices(self, obj):
        """The invoices issued with the number (an invalid answer is corrected on them)."""
        if obj.checkout is None:
            return ""
        return ", ".join(invoice.number for invoice in obj.checkout.invoices.all())


class PaymentForm(forms.ModelForm):
    # The part by its number on the chosen invoice, not a list of every instalment of every
    # invoice (which grows with the books).
    instalment_number = forms.IntegerField(
        label=_("part"), required=False, min_value=1, max_value=99,
        help_text=_("For an invoice paid in instalments: the number of the part this pays. "
                    "Leave empty to apply it to the parts in order."))

    class Meta:
        model = Payment
        fields = ["invoice", "instalment_number", "amount", "paid_on", "method", "reference",
                  "payer_name"]

    def clean_amount(self):
        """Said in words: the database constraint's own message only names the constraint."""
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A payment is a positive amount."))
        return amount

    def clean_paid_on(self):
        """Today in Brussels at the latest: a typo in the year would count as paid in time for
        every reminder term and late charge."""
        from django.utils import timezone

        paid_on = self.cleaned_data["paid_on"]
        if paid_on is not None and paid_on > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be dated after today."))
        return paid_on

    def clean(self):
        data = super().clean()
        number, invoice = data.pop("instalment_number", None), data.get("invoice")
        data["instalment"] = None
        if number and invoice:
            data["instalment"] = Instalment.objects.filter(invoice=invoice, number=number).first()
            if data["instalment"] is None:
                self.add_error("instalment_number", _(
                    "Invoice %(invoice)s has no part %(part)s.")
                    % {"invoice": invoice.number, "part": number})
        return data


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Finance records a payment by hand; payments are never edited (a wrong one is corrected
    by a credit note or a refund, so the books keep what happened)."""

    form = PaymentForm
    list_display = ["invoice", "amount", "paid_on", "method", "reference", "recorded_by"]
    list_filter = ["method", "invoice__organizer"]
    search_fields = ["invoice__number", "reference", "payer_name"]
    list_select_related = ["invoice", "recorded_by"]
    autocomplete_fields = ["invoice"]
    date_hierarchy = "paid_on"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        payment = record_payment(recorded_by=request.user, **data)
        obj.pk = payment.pk
        warn_if_overpaid(self, request, payment.invoice)


def warn_if_overpaid(model_admin, request, invoice) -> None:
    """Over-payments are accepted (the money arrived), but one recorded by hand (on an invoice
    already paid, or credited after a cancellation) is said at once: it is to be refunded."""
    from billing.payments import balance_of

    state = balance_of(invoice)
    if state.overpaid:
        model_admin.message_user(request, _(
            "Invoice %(number)s is now over-paid by %(amount)s (it was already paid or "
            "credited): refund the difference.") % {"number": invoice.number,
                                                    "amount": state.overpaid},
            messages.WARNING)


@admin.register(KmoProject)
class KmoProjectAdmin(admin.ModelAdmin):
    """What the KMO-portefeuille still owes: expected (the invoice excluding VAT) minus what
    arrived from the wallet; the company's VAT payment is matched on the invoice separately."""

    list_display = ["invoice", "enterprise_number", "project_number", "expected_amount",
                    "received", "still_expected"]
    list_editable = ["project_number"]
    search_fields = ["invoice__number", "enterprise_number", "project_number"]
    list_select_related = ["invoice"]
    readonly_fields = ["invoice", "expected_amount"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        from decimal import Decimal

        from django.db.models import DecimalField, Q, Sum, Value
        from django.db.models.functions import Coalesce

        return super().get_queryset(request).annotate(
            received_amount=Coalesce(
                Sum("invoice__payments__amount",
                    filter=Q(invoice__payments__method=Payment.Method.KMO_PORTEFEUILLE)),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=13, decimal_places=2),
            )
        )

    @admin.display(description=_("received from the wallet"))
    def received(self, obj):
        return cents(obj.received_amount)

    @admin.display(description=_("still expected"))
    def still_expected(self, obj):
        return obj.expected_amount - obj.received_amount


# The admin classes of other billing subjects, registered on import.
from billing import admin_dunning, admin_finance, admin_statements  # noqa: E402,F401,I001
