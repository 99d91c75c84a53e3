"""Bank statements uploaded by finance (camt.053 or CODA) and what became of each line."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import Invoice


def statement_upload_path(instance, filename):
    import uuid

    return f"statements/{uuid.uuid4().hex}"


class BankStatement(models.Model):
    class Format(models.TextChoices):
        CAMT053 = "camt053", "camt.053 (ISO 20022)"
        CODA = "coda", "CODA (Febelfin)"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file = models.FileField(_("file"), upload_to=statement_upload_path)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    lines_total = models.PositiveIntegerField(_("lines"), default=0)
    lines_done = models.PositiveIntegerField(_("lines done"), default=0)
    error = models.TextField(blank=True)  # in English; shown in the reader's language:
    error_code = models.CharField(max_length=40, blank=True)  # billing.statements.texts
    error_params = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    def shown_error(self) -> str:
        """The import's error in the reader's language (as stored for rows without a code)."""
        from billing.statements.texts import shown

        return shown(self.error_code, self.error_params, self.error)


class StatementLine(models.Model):
    class Result(models.TextChoices):
        MATCHED = "matched", _("matched")
        ALREADY_IMPORTED = "already_imported", _("already imported")
        UNMATCHED = "unmatched", _("unmatched")
        ERROR = "error", _("error")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines",
        verbose_name=_("bank statement"),
    )
    # The same bank movement in a second upload has the same key: importing twice changes nothing.
    dedup_key = models.CharField(max_length=200)
    position = models.PositiveIntegerField(_("position"))
    booked_on = models.DateField(_("booked on"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=13, decimal_places=2, null=True, blank=True
    )
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("counterparty's IBAN"), max_length=34, blank=True)
    communication = models.CharField(_("communication"), max_length=500, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    message = models.CharField(max_length=300, blank=True)  # in English; shown by its code:
    message_code = models.CharField(max_length=40, blank=True)  # billing.statements.texts
    message_params = models.JSONField(default=dict, blank=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="statement_lines",
        verbose_name=_("invoice"),
    )
    suggested_invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("suggested invoice"),
    )

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        indexes = [models.Index(fields=["dedup_key"])]

    def __str__(self):
        return f"{self.statement} #{self.position}"

    def shown_message(self) -> str:
        """What became of the line, in the reader's language (as stored for older rows)."""
        from billing.statements.texts import shown

        return shown(self.message_code, self.message_params, self.message)
