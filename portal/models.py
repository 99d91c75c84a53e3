"""The person (one lifelong profile each) and organizer-wide settings."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """Users are identified by e-mail address; there are no usernames (rules.md §1)."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person's lifelong profile: a participant, or a staff member with a role (group)."""

    class Language(models.TextChoices):
        DUTCH = "nl", _("Dutch")
        ENGLISH = "en", _("English")

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="BE")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class WorkEmailDomain(models.Model):
    """A work or university e-mail domain: signing up with it earns a warning (seed 1)."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example ugent.be; subdomains such as student.ugent.be match too."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("work e-mail domain")
        verbose_name_plural = _("work e-mail domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="work_domain_lower_case"
            ),
        ]

    def __str__(self):
        return self.domain


class OutgoingEmail(models.Model):
    """One e-mail in the outbox, written in the use case's transaction and sent after commit.

    The row is the source of truth: a task sends it and marks it sent; the periodic sweep sends
    what is still pending, so a broker outage delays mail but never loses it. The bodies are
    rendered when queued (what the person was told at that moment), or, for a mail queued
    while its use case holds shared locks (the checkout's invoice mail), when sent, from
    `template` and `context_references`, and then stored on the row; attachments are
    references rendered at send time so a large PDF is not stored twice. A mail that holds a
    one-time secret (allauth's password-reset and verification mails) has `secret_valid_until`:
    its bodies are blanked once it is sent or expired. See portal/outbox.py.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # Held a one-time secret that was no longer valid before it could be sent.
        EXPIRED = "expired", _("expired")

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        null=True,
        blank=True,
        # The mail log outlives an account that is removed; the address is kept on the row.
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    template = models.CharField(
        _("template"),
        max_length=100,
        blank=True,
        help_text=_("Set when the bodies are rendered at send time, from the references below."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=100,
        blank=True,
        help_text=_("Which mail this is, e.g. registrations/seat_offered or "
                    "account/email/password_reset_key; kept when the bodies are blanked."),
    )
    secret_valid_until = models.DateTimeField(
        _("secret valid until"),
        null=True,
        blank=True,
        help_text=_("Set when the mail holds a one-time link or code: not sent after this "
                    "moment, and its bodies are blanked once it is sent or expired."),
    )
    context_references = models.JSONField(
        _("context references"),
        default=dict,
        blank=True,
        help_text=_('What the template is rendered from at send time, e.g. {"invoice": 42}.'),
    )
    language = models.CharField(_("language"), max_length=2, choices=User.Language.choices)
    attachments = models.JSONField(
        _("attachments"),
        default=list,
        blank=True,
        help_text=_('References rendered at send time, e.g. {"kind": "invoice_pdf", "id": 42}.'),
    )
    dedup_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("A use case run twice queues one e-mail, e.g. registration-confirmed:123."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        help_text=_("The sweep leaves the row alone until then (the task goes first; backoff)."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            # The sweep's query: only pending rows, so the index stays small however much is sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False)
                | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                name="outbox_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


from portal.privacy.models import ErasureRequest  # noqa: E402 - one app, two modules

__all__ = ["ErasureRequest", "OutgoingEmail", "User", "WorkEmailDomain"]
