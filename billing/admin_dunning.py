"""Late payment in the admin (seed 2 art. 4.4 and 4.7; rules.md §3): finance edits the interest
rate per half-year, reads the steps the daily job took and lifts unpaid flags with a reason.
Who may do what is the roles' permissions (migration billing 0004): course administrators and
the exam committee only see the flags."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from billing.admin import ReadOnlyAdmin
from billing.dunning_flags import lift_flag
from billing.models import InterestRate, LatePaymentStep, UnpaidFlag

ONE_DAY = timedelta(days=1)


class InterestRateForm(forms.ModelForm):
    class Meta:
        model = InterestRate
        fields = ["valid_from", "valid_until", "annual_rate_percent"]

    def clean_annual_rate_percent(self):
        rate = self.cleaned_data["annual_rate_percent"]
        if rate is not None and not 0 <= rate <= 100:
            raise forms.ValidationError(_("The rate is a yearly percentage from 0 to 100."))
        return rate

    def clean(self):
        """Two rates for one day would make the job refuse every charge over that day."""
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and start > end:
            # Said in words: the database constraint's own message only names the constraint.
            self.add_error("valid_until", _("The period ends before it starts."))
        elif start and end:
            overlapping = InterestRate.objects.filter(valid_from__lte=end, valid_until__gte=start)
            if self.instance.pk:
                overlapping = overlapping.exclude(pk=self.instance.pk)
            if overlapping.exists():
                raise forms.ValidationError(_("This period overlaps another rate."))
        return data


@admin.register(InterestRate)
class InterestRateAdmin(admin.ModelAdmin):
    """The reference rate of the law of 2 August 2002 plus 8 points, per half-year."""

    form = InterestRateForm
    list_display = ["valid_from", "valid_until", "annual_rate_percent"]
    ordering = ["-valid_from"]

    def save_model(self, request, obj, form, change):
        """An overlap is refused (the form); a gap is allowed (the next half-year may be
        entered ahead) but said, as no charge over a day without a rate can be made."""
        super().save_model(request, obj, form, change)
        before = (InterestRate.objects.filter(valid_from__lt=obj.valid_from)
                  .order_by("-valid_from").first())
        after = (InterestRate.objects.filter(valid_from__gt=obj.valid_from)
                 .order_by("valid_from").first())
        gaps = []
        if before is not None and before.valid_until + ONE_DAY < obj.valid_from:
            gaps.append((before.valid_until + ONE_DAY, obj.valid_from - ONE_DAY))
        if after is not None and obj.valid_until + ONE_DAY < after.valid_from:
            gaps.append((obj.valid_until + ONE_DAY, after.valid_from - ONE_DAY))
        for start, end in gaps:
            self.message_user(request, _(
                "No late-interest rate covers %(start)s to %(end)s: no late interest can be "
                "charged over those days until a rate is added.") % {
                    "start": date_format(start, "SHORT_DATE_FORMAT"),
                    "end": date_format(end, "SHORT_DATE_FORMAT")}, messages.WARNING)


@admin.register(LatePaymentStep)
class LatePaymentStepAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "instalment", "kind", "taken_on", "term_until", "charge"]
    list_filter = ["kind", "taken_on"]
    search_fields = ["invoice__number", "charge__number", "invoice__customer_name"]
    list_select_related = ["invoice", "instalment__invoice", "charge"]
    date_hierarchy = "taken_on"


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("open")), ("lifted", _("lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class LiftForm(forms.ModelForm):
    lift_reason = forms.CharField(label=_("Reason for lifting"), max_length=300, strip=True)

    class Meta:
        model = UnpaidFlag
        fields = ["lift_reason"]


class LiftActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


@admin.register(UnpaidFlag)
class UnpaidFlagAdmin(admin.ModelAdmin):
    """Open flags block sessions and exams (``registration_is_blocked``); finance lifts one with
    a reason, on its page or for several at once with the action."""

    form = LiftForm
    action_form = LiftActionForm
    list_display = ["registration", "invoice", "raised_on", "lifted_at", "lifted_by",
                    "lift_reason"]
    list_filter = [OpenFilter, "raised_on"]
    search_fields = ["invoice__number", "registration__user__email",
                     "registration__user__last_name"]
    list_select_related = ["registration__user", "registration__edition__course", "invoice",
                           "lifted_by"]
    readonly_fields = ["registration", "invoice", "raised_on", "lifted_at", "lifted_by"]
    actions = ["lift"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.lifted_at is not None:
            return False  # lifted for good: read only
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        lift_flag(flag_id=obj.pk, staff_user=request.user,
                  reason=form.cleaned_data["lift_reason"])

    @admin.action(description=_("Lift the selected flags (reason required)"),
                  permissions=["change"])
    def lift(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Give a reason to lift a flag."), messages.ERROR)
            return
        lifted = 0
        for flag in queryset.filter(lifted_at__isnull=True):
            lift_flag(flag_id=flag.pk, staff_user=request.user, reason=reason)
            lifted += 1
        self.message_user(request, _("%(count)d flag(s) lifted.") % {"count": lifted})
