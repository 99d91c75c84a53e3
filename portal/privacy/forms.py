from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account will be anonymised and closed for good."),
        required=True,
        # Not kept across a language switch (static/js/keep_typing.js): read it again first.
        widget=forms.CheckboxInput(attrs={"data-keep-typing-skip": ""}),
    )
    note = forms.CharField(
        label=_("Anything staff should know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
