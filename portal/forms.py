from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import User


class SignupForm(AllauthSignupForm):
    """Sign-up by e-mail; the person's own name goes on their certificates and invoices."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

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
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
