"""Money in (payments, instalments, the KMO-portefeuille) and money out (refunds, SEPA files)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import CreditNote, Invoice


class Instalment(models.Model):
    """One part of an invoice paid in instalments: its own due date and structured
    communication, and reminders of its own (issue: instalments where the edition allows)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="instalments", verbose_name=_("invoice")
    )
    number = models.PositiveSmallIntegerField(_("part"))
    amount = models.DecimalField(_("amount"), max_digits=11, decimal_places=2)
    due_date = models.DateField(_("due date"))
    structured_communication = models.CharField(
        _("structured communication"), max_length=20, unique=True
    )

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["invoice", "number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="instalment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=9), name="instalment_number_1_9"
            ),
        ]

    def __str__(self):
        return f"{self.invoice} {self.number}"


class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        KMO_PORTEFEUILLE = "kmo", _("KMO-portefeuille")
        CARD = "card", _("card")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
        verbose_name=_("instalment"),
    )
    amount = models.DecimalField(_("amount"), max_digits=11, decimal_places=2)
    paid_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    statement_line = models.OneToOneField(
        "billing.StatementLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("statement line"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["invoice", "paid_on"])]

    def __str__(self):
        return f"{self.invoice} {self.amount}"


class KmoProject(models.Model):
    """KMO-portefeuille (rules.md §2): the company's project, what the wallet is expected to pay
    (the invoice amount excluding VAT) and, through payments of method "kmo", what arrived."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="kmo_project", verbose_name=_("invoice")
    )
    enterprise_number = models.CharField(_("company's enterprise number"), max_length=20)
    project_number = models.CharField(_("project number"), max_length=40, blank=True)
    expected_amount = models.DecimalField(
        _("expected from the wallet"), max_digits=11, decimal_places=2
    )

    class Meta:
        verbose_name = _("KMO-portefeuille project")
        verbose_name_plural = _("KMO-portefeuille projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_amount__gte=0), name="kmo_expected_not_negative"
            ),
        ]

    def __str__(self):
        return self.project_number or str(self.invoice)


class SepaExport(models.Model):
    """A pain.001 credit-transfer file of pending refunds, made by finance to upload."""

    message_id = models.CharField(_("message ID"), max_length=35, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("created by"),
    )
    xml = models.TextField()
    total = models.DecimalField(_("total"), max_digits=13, decimal_places=2)
    paid_on = models.DateField(_("marked paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("SEPA export")
        verbose_name_plural = _("SEPA exports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.message_id


class Refund(models.Model):
    """Money back to the account it came from, always against a credit note (rules.md §4)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        EXPORTED = "exported", _("in a SEPA file")
        PAID = "paid", _("paid")

    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("credit note")
    )
    amount = models.DecimalField(_("amount"), max_digits=11, decimal_places=2)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    export = models.ForeignKey(
        SepaExport, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds",
        verbose_name=_("SEPA export"),
    )
    # A bulk refund run twice must not pay twice: one refund per reason and credit note.
    dedup_key = models.CharField(
        _("deduplication key"), max_length=100, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="exported") | Q(export__isnull=False),
                name="exported_refund_has_export",
            ),
        ]

    def __str__(self):
        return f"{self.credit_note} {self.amount}"


