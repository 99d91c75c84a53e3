from django import forms
from django.utils.translation import gettext_lazy as _

from billing.vat import normalise_vat
from registrations.errors import PriceChanged
from registrations.models import Checkout


class VoucherForm(forms.Form):
    code = forms.CharField(label=_("Voucher code"), max_length=40)


class CheckoutForm(forms.Form):
    """Who the invoice is for (rules.md §2). Amounts never come from the form: they are
    computed from the cart on the server, so a tampered form cannot change a price."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    # The total the page showed (rendered from the summary, not from the form): the checkout
    # refuses when the price changed since, so nobody pays a price they did not see. Optional
    # for "look up" only: a confirm without it is refused (views.checkout_page).
    total = forms.DecimalField(
        max_digits=12, decimal_places=2, required=False, widget=forms.HiddenInput,
        error_messages={"invalid": PriceChanged.message, "max_digits": PriceChanged.message,
                        "max_decimal_places": PriceChanged.message,
                        "max_whole_digits": PriceChanged.message},
    )
    invoice_to = forms.ChoiceField(
        label=_("Invoice to"),
        choices=Checkout.InvoiceTo.choices,
        initial=Checkout.InvoiceTo.PERSON,
        widget=forms.RadioSelect,
    )
    vat_number = forms.CharField(
        label=_("Enterprise or VAT number"),
        max_length=30,
        required=False,
        help_text=_("In any form, for example 0403.170.701 or BE 0403 170 701."),
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    company_address = forms.CharField(
        label=_("Company address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    third_party_name = forms.CharField(
        label=_("Paid by a third party (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example your employer. You remain liable for the payment."),
    )
    third_party_address = forms.CharField(
        label=_("Address of the third party"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    third_party_vat_number = forms.CharField(
        label=_("VAT number of the third party (if it has one)"),
        max_length=30,
        required=False,
        help_text=_("Printed on the invoice with the third party's name and address."),
    )
    kmo_portefeuille = forms.BooleanField(
        label=_("The company pays (part) through the KMO-portefeuille"), required=False
    )

    instalments = forms.TypedChoiceField(
        label=_("Pay in"), coerce=int, initial=1, choices=[(1, "1")], required=False,
        empty_value=1,
    )

    def __init__(self, *args, max_instalments: int = 1, kmo_possible: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Not every course in the cart is recognised for the KMO-portefeuille: the page does
        # not offer it (a posted one still gets the checkout's refusal, services/checkout.py).
        self.kmo_possible = kmo_possible
        self.fields["instalments"].choices = [
            (n, _("one payment") if n == 1 else _("%(count)d instalments") % {"count": n})
            for n in range(1, max_instalments + 1)
        ]

    def clean_vat_number(self):
        return _normalised_vat(self.cleaned_data["vat_number"])

    def clean_third_party_vat_number(self):
        return _normalised_vat(self.cleaned_data["third_party_vat_number"])

    def clean(self):
        data = super().clean()
        if data.get("invoice_to") == Checkout.InvoiceTo.COMPANY:
            if not data.get("vat_number") and "vat_number" not in self.errors:
                self.add_error("vat_number", _("A company invoice needs its VAT number."))
        elif data.get("kmo_portefeuille"):
            self.add_error(
                "kmo_portefeuille", _("The KMO-portefeuille is for invoices to a company.")
            )
        if data.get("kmo_portefeuille") and (data.get("instalments") or 1) > 1:
            # The wallet pays the invoice excluding VAT in one payment (rules.md §2): parts
            # would ask the company for money the wallet pays.
            self.add_error(
                "instalments", _("With the KMO-portefeuille the invoice is paid in one go.")
            )
        if data.get("third_party_name") and not data.get("third_party_address", "").strip():
            self.add_error("third_party_address", _("Give the third party's address."))
        if data.get("third_party_vat_number") and not data.get("third_party_name", "").strip():
            self.add_error("third_party_name", _("Give the third party's name."))
        return data


def _normalised_vat(typed: str) -> str:
    """A VAT number typed in any form, in its normal form ("" stays ""); rules.md §2."""
    raw = typed.strip()
    if not raw:
        return ""
    try:
        return normalise_vat(raw)
    except (ValueError, TypeError):
        raise forms.ValidationError(
            _("This is not a valid enterprise or VAT number. Check the digits."),
            code="invalid_vat",
        ) from None


class AdmissionApplicationForm(forms.Form):
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea, max_length=5000)
    prior_knowledge = forms.CharField(
        label=_("Prior knowledge"), widget=forms.Textarea, max_length=5000
    )
    experience = forms.CharField(
        label=_("Professional experience"), widget=forms.Textarea, max_length=5000
    )
    cv = forms.FileField(
        label=_("CV (PDF, at most 5 MB, optional)"),
        required=False,
        # A new application has no CV to clear: a plain file input (a posted "cv-clear" made
        # the cleared value False, which is no file).
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_cv(self):
        from registrations.services.admission import ApplicationError, validate_cv

        cv = self.cleaned_data["cv"] or None
        if cv is not None:
            # The service checks it again; here the refusal becomes the CV field's own error
            # (next to its input, tied to it for screen readers), not one for the whole form.
            try:
                validate_cv(cv)
            except ApplicationError as error:
                raise forms.ValidationError(error.message, code="cv") from None
        return cv
