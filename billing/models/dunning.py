"""Late payment (seed 2 art. 4.4 and 4.7): the interest table, each reminder step taken, and
the unpaid flag on a registration."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import Invoice


class InterestRate(models.Model):
    """The late-interest rate per half-year (law of 2 August 2002, art. 5: ECB rate + 8)."""

    valid_from = models.DateField(_("from"), unique=True)
    valid_until = models.DateField(_("up to and including"))
    annual_rate_percent = models.DecimalField(_("annual rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("late-interest rate")
        verbose_name_plural = _("late-interest rates")
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_until")), name="rate_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(annual_rate_percent__gte=0) & Q(annual_rate_percent__lte=100),
                name="rate_percent_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.valid_from}–{self.valid_until}: {self.annual_rate_percent} %"


class LatePaymentStep(models.Model):
    """A step taken for an unpaid invoice (or one instalment): unique, so the daily job run
    twice, or after a crash, never sends or charges twice."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("written reminder")
        CHARGE = "charge", _("late interest and flat fee charged")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="late_steps", verbose_name=_("invoice")
    )
    instalment = models.ForeignKey(
        "billing.Instalment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("instalment"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    taken_on = models.DateField(_("taken on"))
    term_until = models.DateField(_("term until"), null=True, blank=True)
    charge = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="late_step",
        verbose_name=_("late-payment charge"),
    )

    class Meta:
        verbose_name = _("late-payment step")
        verbose_name_plural = _("late-payment steps")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind"],
                condition=Q(instalment__isnull=True),
                name="one_step_per_invoice",
            ),
            models.UniqueConstraint(
                fields=["invoice", "instalment", "kind"],
                condition=Q(instalment__isnull=False),
                name="one_step_per_instalment",
            ),
        ]

    def __str__(self):
        return f"{self.invoice} {self.kind}"


class UnpaidFlag(models.Model):
    """Unpaid past the due date: staff may refuse sessions and exams (seed 2 art. 4.4)."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="unpaid_flags",
        verbose_name=_("registration"),
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    raised_on = models.DateField(_("raised on"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unpaid flag")
        verbose_name_plural = _("unpaid flags")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(lifted_at__isnull=True),
                name="one_open_unpaid_flag",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""),
                name="lifted_flag_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.registration}"
