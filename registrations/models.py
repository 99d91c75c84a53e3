"""Carts, checkouts, registrations, waiting lists, admission applications and vouchers.

Seats are a hard limit (rules.md §1): `Edition.seats_taken` counts confirmed registrations and the
database refuses `seats_taken > seats`; cart holds and waiting-list offers are counted by the
services under the edition's row lock (registrations/seats.py).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Edition, Organizer


class RegistrationSettings(models.Model):
    """Site-wide registration settings staff can edit (a single row)."""

    cart_hold_minutes = models.PositiveSmallIntegerField(
        _("a cart holds its seats for (minutes)"), default=20
    )
    offer_valid_hours = models.PositiveSmallIntegerField(
        _("a waiting-list offer is valid for (hours)"), default=48
    )
    admission_payment_days = models.PositiveSmallIntegerField(
        _("admitted candidates register within (days)"), default=14
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(cart_hold_minutes__gte=1), name="cart_hold_min_1",
                violation_error_message=_("A cart is held for at least 1 minute."),
            ),
            models.CheckConstraint(
                condition=Q(offer_valid_hours__gte=1), name="offer_hours_min_1",
                violation_error_message=_("A waiting-list offer is valid for at least 1 hour."),
            ),
        ]

    def __str__(self):
        return str(_("registration settings"))

    @classmethod
    def current(cls) -> "RegistrationSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", _("percentage")
        FIXED = "fixed", _("fixed amount")

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    times_used = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    organizers = models.ManyToManyField(Organizer, blank=True, verbose_name=_("organizers"))
    courses = models.ManyToManyField(Course, blank=True, verbose_name=_("courses"))
    editions = models.ManyToManyField(Edition, blank=True, verbose_name=_("editions"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code=Upper("code")), name="voucher_code_upper"),
            models.CheckConstraint(
                condition=Q(value__gt=0), name="voucher_value_positive",
                violation_error_message=_("The value is more than 0."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100),
                name="voucher_percentage_at_most_100",
                violation_error_message=_("A percentage is at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(times_used__lte=F("max_uses")),
                name="voucher_not_over_used",
                violation_error_message=_("The maximum uses cannot be lower than the times the "
                                          "voucher was used already."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="voucher_valid_from_le_until",
                violation_error_message=_("“Valid until” cannot be before “valid from”."),
            ),
        ]

    def __str__(self):
        return self.code


class Cart(models.Model):
    """One cart per person; its items hold seats until `CartItem.held_until`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    voucher = models.ForeignKey(Voucher, on_delete=models.SET_NULL, null=True, blank=True)
    # Rendered into the checkout form: a second "confirm" with the same token finds the first.
    checkout_token = models.UUIDField(default=uuid.uuid4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self):
        return str(self.user)


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="cart_items")
    added_at = models.DateTimeField(auto_now_add=True)
    held_until = models.DateTimeField(_("seat held until"))

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "edition"], name="cart_item_unique"),
        ]
        indexes = [models.Index(fields=["edition", "held_until"])]

    def __str__(self):
        return str(self.edition)


class Checkout(models.Model):
    """One confirmed checkout: its registrations and one invoice per organizer."""

    class InvoiceTo(models.TextChoices):
        PERSON = "person", _("me (not subject to VAT)")
        COMPANY = "company", _("a company")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts",
        verbose_name=_("participant")
    )
    token = models.UUIDField(unique=True, verbose_name=_("token"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    invoice_to = models.CharField(max_length=7, choices=InvoiceTo.choices,
                                  verbose_name=_("invoice to"))
    company_name = models.CharField(max_length=200, blank=True, verbose_name=_("company name"))
    company_address = models.TextField(blank=True, verbose_name=_("company address"))
    vat_number = models.CharField(max_length=20, blank=True, verbose_name=_("VAT number"))
    vat_status = models.CharField(max_length=12, blank=True, verbose_name=_("VIES answer"))
    third_party_name = models.CharField(max_length=200, blank=True,
                                        verbose_name=_("third-party payer"))
    third_party_address = models.TextField(blank=True,
                                           verbose_name=_("third-party payer's address"))
    third_party_vat_number = models.CharField(max_length=20, blank=True,
                                              verbose_name=_("third-party payer's VAT number"))
    kmo_portefeuille = models.BooleanField(default=False, verbose_name=_("KMO-portefeuille"))
    instalments = models.PositiveSmallIntegerField(default=1, verbose_name=_("instalments"))
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True,
                                verbose_name=_("voucher"))

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice_to="person") | ~Q(vat_number=""),
                name="checkout_company_has_vat_number",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("participant"),
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("edition")
    )
    checkout = models.ForeignKey(
        Checkout, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations",
        verbose_name=_("checkout")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_on = models.DateField(_("registration date"))
    late_by_staff = models.BooleanField(_("late registration accepted by staff"), default=False)
    # The price as it was at registration: it never rises afterwards (rules.md §1).
    fee = models.DecimalField(_("fee"), max_digits=9, decimal_places=2)
    programme_amount = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"),
                                           verbose_name=_("amount per programme"))
    credit_amount = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"),
                                        verbose_name=_("amount per credit"))
    discount = models.DecimalField(_("discount"), max_digits=9, decimal_places=2, default=0)
    net = models.DecimalField(_("net"), max_digits=9, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=9, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=9, decimal_places=2)
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True,
                                verbose_name=_("voucher"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "edition"],
                condition=Q(status="confirmed"),
                name="one_confirmed_registration_per_person_and_edition",
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(discount__gte=0) & Q(discount__lte=F("fee"))
                & Q(net=F("fee") - F("discount")) & Q(vat__gte=0) & Q(total=F("net") + F("vat")),
                name="registration_amounts_add_up",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.edition}"


class WaitingListEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("seat offered")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("offer expired")
        WITHDRAWN = "withdrawn", _("withdrawn")
        # The person registered (through an offer or otherwise): nothing left to wait for.
        REGISTERED = "registered", _("registered")
        # Registration closed before a seat came free: no more offers (rules.md §1).
        CLOSED = "closed", _("list closed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waiting_list_entries",
        verbose_name=_("participant")
    )
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="waiting_list",
                                verbose_name=_("edition"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING,
                              verbose_name=_("status"))
    joined_at = models.DateTimeField(auto_now_add=True, verbose_name=_("joined at"))
    offered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("offered at"))
    offer_expires_at = models.DateTimeField(null=True, blank=True,
                                            verbose_name=_("offer expires at"))

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "edition"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_open_waiting_list_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="offer_has_expiry",
            ),
        ]
        indexes = [models.Index(fields=["edition", "status", "joined_at"])]

    def __str__(self):
        return f"{self.user} — {self.edition}"


def cv_upload_path(instance, filename):
    # A random name: the person's file name never reaches the file system (path separators,
    # clashes); the original name is kept in `cv_name` for display.
    return f"admission/cv/{uuid.uuid4().hex}.pdf"


class AdmissionApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ADMITTED = "admitted", _("admitted")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admission_applications",
        verbose_name=_("participant")
    )
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("edition"))
    motivation = models.TextField(_("motivation"))
    prior_knowledge = models.TextField(_("prior knowledge"))
    experience = models.TextField(_("professional experience"))
    cv = models.FileField(_("CV (PDF)"), upload_to=cv_upload_path, blank=True)
    cv_name = models.CharField(max_length=200, blank=True, verbose_name=_("CV file name"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED,
                              verbose_name=_("status"))
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("note to the candidate"), blank=True)
    register_before = models.DateField(_("register and pay before"), null=True, blank=True)

    class Meta:
        verbose_name = _("admission application")
        verbose_name_plural = _("admission applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "edition"], name="one_application_per_edition"),
            models.CheckConstraint(
                condition=~Q(status="admitted") | Q(register_before__isnull=False),
                name="admitted_has_term",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.edition}"


from registrations.models_cancellation import (  # noqa: E402 - one app, two modules
    BulkJob,
    BulkJobFailure,
    CancellationRequest,
    ChangeResponse,
    EditionChangeNotice,
)

__all__ = [
    "AdmissionApplication",
    "BulkJob",
    "BulkJobFailure",
    "CancellationRequest",
    "Cart",
    "CartItem",
    "ChangeResponse",
    "Checkout",
    "EditionChangeNotice",
    "Registration",
    "RegistrationSettings",
    "Voucher",
    "WaitingListEntry",
]
