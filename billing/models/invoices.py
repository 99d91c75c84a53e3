"""Invoices, credit notes and their number series (rules.md §2).

Issued invoices and credit notes are never edited or deleted: the database refuses it
(triggers in migration 0002); corrections are credit notes numbered in their own series.
Seller and buyer details are copied onto the invoice so it reads the same forever.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from courses.models import Organizer


class NumberSeries(models.Model):
    """The last number handed out, per organizer, document kind and year; locked to hand out."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    organizer = models.ForeignKey(Organizer, on_delete=models.PROTECT, verbose_name=_("organizer"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["organizer", "kind", "year"], name="one_series"),
        ]

    def __str__(self):
        return f"{self.organizer} {self.kind} {self.year}: {self.last_number}"


class CommunicationNumber(models.Model):
    """One row per structured communication handed out (rules.md §2): its id is the 10-digit
    base. The database's own counter gives each INSERT a new id without any lock shared by
    organizers, so a communication is unique for any number of organizers, years and
    instalments. Ids lost to a rollback leave gaps, which communications may have. Migration
    0007 starts the counter above every base issued before, when the base was made of the year,
    the organizer and the sequence."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("structured communication number")
        verbose_name_plural = _("structured communication numbers")

    def __str__(self):
        return str(self.pk)


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        LATE_CHARGE = "late_charge", _("late-payment charge")

    class CustomerKind(models.TextChoices):
        PERSON = "person", _("private person")
        COMPANY = "company", _("company")

    class VatCheck(models.TextChoices):
        NOT_APPLICABLE = "", _("not applicable")
        VERIFIED = "verified", _("verified in VIES")
        UNVERIFIED = "unverified", _("not verified (VIES unavailable)")
        INVALID = "invalid", _("not valid according to VIES")

    organizer = models.ForeignKey(
        Organizer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("organizer")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    # A late-payment charge points at the invoice that was paid late (seed 2 art. 4.7).
    charged_for = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="late_charges",
        verbose_name=_("late-payment charge for"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("participant (liable)"),
    )
    checkout = models.ForeignKey(
        "registrations.Checkout", on_delete=models.PROTECT, null=True, related_name="invoices",
        verbose_name=_("checkout"),
    )
    number = models.CharField(_("number"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    language = models.CharField(_("language"), max_length=2, default="nl")
    structured_communication = models.CharField(
        _("structured communication"), max_length=20, unique=True
    )
    # Seller, as it was on the day of issue.
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_address = models.TextField(_("seller's address"))
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=20)
    seller_iban = models.CharField(_("seller's IBAN"), max_length=34)
    seller_bic = models.CharField(_("seller's BIC"), max_length=11)
    # Buyer: the person, or the company named at checkout.
    customer_kind = models.CharField(_("customer type"), max_length=7, choices=CustomerKind.choices)
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_address = models.TextField(_("customer's address"), blank=True)
    customer_email = models.EmailField(_("customer's e-mail address"))
    customer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    vat_check = models.CharField(
        _("VIES check"), max_length=10, choices=VatCheck.choices, blank=True
    )
    third_party_name = models.CharField(_("paid by (third party)"), max_length=200, blank=True)
    third_party_address = models.TextField(_("address of the third party"), blank=True)
    # Seed 2 art. 4.5: the participant passes on the third party's details, "such as
    # coordinates and VAT number".
    third_party_vat_number = models.CharField(
        _("VAT number of the third party"), max_length=20, blank=True
    )
    kmo_portefeuille = models.BooleanField(_("KMO-portefeuille"), default=False)
    kmo_recognition_number = models.CharField(
        _("KMO-portefeuille recognition number"), max_length=30, blank=True
    )
    vat_mention = models.CharField(_("VAT mention"), max_length=200, blank=True)
    net_total = models.DecimalField(_("net"), max_digits=11, decimal_places=2)
    vat_total = models.DecimalField(_("VAT"), max_digits=11, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=11, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "number"], name="invoice_number_unique"),
            models.UniqueConstraint(
                fields=["organizer", "year", "sequence"], name="invoice_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(net_total__gte=0) & Q(vat_total__gte=0)
                & Q(total=F("net_total") + F("vat_total")),
                name="invoice_totals_add_up",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice")
    )
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        verbose_name=_("registration"),
    )
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=9, decimal_places=2, default=0)
    net = models.DecimalField(_("net"), max_digits=9, decimal_places=2)
    vat_rate_percent = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=9, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(net=F("amount") - F("discount")) & Q(total=F("net") + F("vat")),
                name="invoice_line_adds_up",
            ),
        ]

    def __str__(self):
        return self.description


class CreditNote(models.Model):
    organizer = models.ForeignKey(
        Organizer, on_delete=models.PROTECT, related_name="credit_notes",
        verbose_name=_("organizer"),
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("invoice")
    )
    number = models.CharField(_("number"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    issue_date = models.DateField(_("issue date"))
    reason = models.CharField(_("reason"), max_length=300)
    net_total = models.DecimalField(_("net"), max_digits=11, decimal_places=2)
    vat_total = models.DecimalField(_("VAT"), max_digits=11, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=11, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "number"], name="credit_note_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organizer", "year", "sequence"], name="credit_note_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(net_total__gt=0) & Q(vat_total__gte=0)
                & Q(total=F("net_total") + F("vat_total")),
                name="credit_note_totals_add_up",
            ),
        ]

    def __str__(self):
        return self.number


class VatNumberCheck(models.Model):
    """Each answer VIES gave about a number (checkout and background re-checks)."""

    vat_number = models.CharField(_("VAT number"), max_length=20, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Invoice.VatCheck.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checkout = models.ForeignKey(
        "registrations.Checkout", on_delete=models.CASCADE, null=True, related_name="vat_checks",
        verbose_name=_("checkout"),
    )

    class Meta:
        verbose_name = _("VAT number check")
        verbose_name_plural = _("VAT number checks")
        ordering = ["-checked_at"]

    def __str__(self):
        return f"{self.vat_number}: {self.status}"
