import re
from datetime import date

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import User


class SignupForm(AllauthSignupForm):
    """Sign-up by e-mail; the person's own name goes on their certificates and invoices."""

    # autocomplete: the purpose of a field about the person (WCAG 1.3.5), for browsers to fill in.
    first_name = forms.CharField(label=_("First name"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def save(self, request):
        user = super().save(request)
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", "nl") or "nl")[:2]
        user.save(update_fields=["first_name", "last_name", "preferred_language"])
        return user


class ProfileForm(forms.ModelForm):
    """The participant edits their own profile only; the e-mail changes through allauth."""

    class Meta:
        model = User
        fields = [
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
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "date_of_birth": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"},
                                             format="%Y-%m-%d"),
            # One line for street and number: the first address line, not the whole address.
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name goes on certificates and invoices: sign-up asks for it, it cannot be emptied.
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and not EARLIEST_BIRTH_DATE <= born < timezone.localdate():
            raise forms.ValidationError(_("Enter your real date of birth."))
        return born

    def clean_phone(self):
        """Any usual way of writing a number (+32 9 123 45 67, 09/123.45.67, 0032 (0)9 ...),
        but digits it must be."""
        phone = self.cleaned_data.get("phone", "")
        digits = sum(character.isdigit() for character in phone)
        if phone and (not PHONE_CHARACTERS.fullmatch(phone) or not 6 <= digits <= 17):
            raise forms.ValidationError(_("Enter a phone number: digits, spaces and + ( ) . / -"))
        return phone

    def clean_country(self):
        country = self.cleaned_data.get("country", "").upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError(_("Enter the two-letter country code, e.g. BE."))
        return country


EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PHONE_CHARACTERS = re.compile(r"[0-9 +()./-]+")
