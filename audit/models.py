"""The audit trail (issue 9): who changed what, when, before and after.

Entries are written by the use cases themselves, in their own transaction (Zulip's style: an
explicit call, no model signals), and are append-only: the database refuses UPDATE and DELETE
(migration 0002). Invoices, late-payment charges and credit notes are also links of a hash
chain per organizer (``chain_seq``, ``content_hash``, ``prev_hash``, ``entry_hash``): see
``audit/chain.py``. No personal data is copied into ``before``/``after`` except the content of
invoices and credit notes, which the law keeps with the document anyway.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Organizer


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("who"),
    )
    actor_label = models.CharField(_("acting as"), max_length=100)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    model_label = models.CharField(_("model"), max_length=60)
    object_id = models.CharField(_("object"), max_length=40)
    organizer = models.ForeignKey(
        Organizer, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organizer"),
    )
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    # Hash chain of issued documents, per organizer (empty on other entries).
    chain_seq = models.PositiveIntegerField(_("chain position"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model_label", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "chain_seq"], condition=Q(chain_seq__isnull=False),
                name="audit_one_link_per_position",
            ),
            models.CheckConstraint(
                condition=Q(chain_seq__isnull=True) | Q(organizer__isnull=False),
                name="audit_chain_has_organizer",
            ),
        ]

    def __str__(self):
        return f"{self.action} {self.model_label}#{self.object_id}"


class ChainHead(models.Model):
    """One row per organizer, locked (after the number series) to append to its chain."""

    organizer = models.OneToOneField(
        Organizer, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self):
        return str(self.organizer_id)
