import re
from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Language, Organizer

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
SEARCH_FIELDS = (
    "code",
    "course__code",
    "course__title_nl",
    "course__title_en",
    "course__description_nl",
    "course__description_en",
)


class CatalogFilterForm(forms.Form):
    """The catalog's filters, submitted by GET. An invalid field is reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Title, code or keyword")}
        ),
    )
    organizer = forms.ModelChoiceField(
        label=_("Organizer"),
        queryset=Organizer.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All organizers"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Course.Kind.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of instruction"),
        choices=[("", _("All languages")), *Language.choices],
        required=False,
    )
    month = forms.CharField(
        label=_("Starting month"),
        required=False,
        help_text=_("YYYY-MM"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    open = forms.BooleanField(label=_("Open for registration only"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2027-03."))
        return date(int(match[1]), int(match[2]), 1)

    def filter(self, editions):
        """Narrow a queryset of editions by the valid filters (call ``is_valid()`` first)."""
        data = getattr(self, "cleaned_data", {})
        for word in (data.get("q") or "").split():
            matches = Q()
            for field in SEARCH_FIELDS:
                matches |= Q(**{f"{field}__icontains": word})
            editions = editions.filter(matches)
        if data.get("organizer"):
            editions = editions.filter(course__organizer=data["organizer"])
        if data.get("kind"):
            editions = editions.filter(course__kind=data["kind"])
        if data.get("language"):
            editions = editions.filter(course__language=data["language"])
        if month := data.get("month"):
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            editions = editions.filter(start__gte=month, start__lt=following)
        if data.get("open"):
            editions = editions.open_for_registration()
        return editions

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, "cleaned_data", {}).values())
