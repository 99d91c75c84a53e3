"""An erasure request: asked by the participant, confirmed by staff (seed 2 art. 14)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("erased")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # PROTECT: the person row is anonymised, never deleted (invoices point at it).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    # What was done, without anything that identifies the person (counts, certificate ids).
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]
        permissions = [("confirm_erasure", _("Can confirm the erasure of a person's data"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_erasure_request",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(decided_at__isnull=False),
                name="erasure_done_has_date",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.get_status_display()})"
