"""Cancellations by participants and changes by the organizer (rules.md §4-5, seed 2 art. 5-6).

Every decision is recorded with who, when, which policy, its inputs and the amounts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CancellationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Reason(models.TextChoices):
        PARTICIPANT = "participant", _("participant's request")
        ORGANIZER_CANCELLED = "organizer_cancelled", _("edition cancelled by the organizer")
        ORGANIZER_CHANGED = "organizer_changed", _("free cancellation after a change")

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="cancellations",
        verbose_name=_("registration")
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.PARTICIPANT,
                              verbose_name=_("reason"))
    # Seed 2 art. 5.1 / seed 1: the date of cancellation is the date the request was received.
    received_on = models.DateField(_("request received on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING,
                              verbose_name=_("status"))
    # The decision, written once on confirmation.
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    policy = models.CharField(max_length=1, blank=True, verbose_name=_("cancellation policy"))
    force_majeure = models.BooleanField(_("force majeure"), default=False)
    waive_programme_amount = models.BooleanField(_("waive the programme amount"), default=False)
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=300, blank=True)
    inputs = models.JSONField(default=dict, blank=True, verbose_name=_("inputs"))
    kept = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True,
                               verbose_name=_("kept"))
    credited = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True,
                                   verbose_name=_("credited"))
    refunded = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True,
                                   verbose_name=_("refunded"))
    credit_note = models.OneToOneField(
        "billing.CreditNote", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cancellation", verbose_name=_("credit note"),
    )

    class Meta:
        verbose_name = _("cancellation")
        verbose_name_plural = _("cancellations")
        ordering = ["-requested_at"]
        constraints = [
            # One open or confirmed cancellation per registration: cancelling twice is refused.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="one_cancellation_per_registration",
            ),
            models.CheckConstraint(
                condition=~Q(waive_programme_amount=True) | ~Q(waiver_reason=""),
                name="waiver_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.registration} ({self.get_status_display()})"


class EditionChangeNotice(models.Model):
    """The organizer changes date, time or location before the start (seed 2 art. 6.2)."""

    edition = models.ForeignKey(
        "courses.Edition", on_delete=models.PROTECT, related_name="change_notices",
        verbose_name=_("edition")
    )
    notice_date = models.DateField(_("notice date"))
    description_nl = models.TextField(_("what changes (Dutch)"))
    description_en = models.TextField(_("what changes (English)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-notice_date", "-pk"]

    def __str__(self):
        return f"{self.edition} {self.notice_date}"


class ChangeResponse(models.Model):
    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        CANCELLED = "cancelled", _("cancelled free of charge")

    notice = models.ForeignKey(EditionChangeNotice, on_delete=models.CASCADE,
                               related_name="responses", verbose_name=_("change notice"))
    registration = models.ForeignKey("registrations.Registration", on_delete=models.PROTECT,
                                     related_name="change_responses",
                                     verbose_name=_("registration"))
    answer = models.CharField(max_length=10, choices=Answer.choices, verbose_name=_("answer"))
    answered_on = models.DateField(verbose_name=_("answered on"))

    class Meta:
        verbose_name = _("answer to a change")
        verbose_name_plural = _("answers to changes")
        constraints = [
            models.UniqueConstraint(fields=["notice", "registration"], name="one_answer"),
        ]

    def __str__(self):
        return f"{self.registration}: {self.answer}"


class BulkJob(models.Model):
    """A bulk operation run by a Celery task, with its progress for the admin's progress bar."""

    class Kind(models.TextChoices):
        CANCEL_EDITION = "cancel_edition", _("cancel an edition")
        NOTIFY_CHANGE = "notify_change", _("notify a change")

    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    edition = models.ForeignKey("courses.Edition", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("edition"))
    notice = models.ForeignKey(EditionChangeNotice, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("change notice"))
    # The registrations the job acts on: the edition's confirmed ones when it was made (seed 2
    # art. 6.1-6.2 owe the refund or the notice to those). Every run, a re-run too, works
    # through this set, and both `total` and `done` count it, so the progress ends at 100 %.
    registrations = models.ManyToManyField("registrations.Registration", related_name="+",
                                           blank=True, verbose_name=_("registrations"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("done"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.edition} {self.done}/{self.total}"


class BulkJobFailure(models.Model):
    """A registration the job could not handle (its own transaction rolled back): one row per
    job and registration, kept until a re-run handles it. Rows rather than a JSON list on the
    job so that each item adds, or clears, its own record without rewriting the job's row."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="failures",
                            verbose_name=_("bulk job"))
    registration = models.ForeignKey("registrations.Registration", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("registration"))
    error = models.CharField(_("error"), max_length=500)
    failed_at = models.DateTimeField(_("failed at"), auto_now=True)

    class Meta:
        verbose_name = _("failed registration of a bulk job")
        verbose_name_plural = _("failed registrations of bulk jobs")
        ordering = ["job", "registration"]
        constraints = [
            models.UniqueConstraint(fields=["job", "registration"],
                                    name="one_failure_per_job_and_registration"),
        ]

    def __str__(self):
        return f"{self.job_id}: {self.registration_id}"
