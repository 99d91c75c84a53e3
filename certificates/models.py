"""Certificates (rules.md §7): registration, participation, getuigschrift and credit certificates.

A certificate is a row written once by certificates.services.issue_certificate: what it prints
(holder, title, credits, date, signatory) is snapshotted, so it reads the same years later
whatever happens to the profile or the catalog. One certificate per person and achievement is
held by the database (issuing twice returns the first). The verification code is random and
unguessable; revocation keeps who, when and why.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseUnit, Organizer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I
CODE_LENGTH = 22  # 22 x log2(57) = 128 bits


def new_code() -> str:
    """A verification code from the system's CSPRNG (`secrets`): 128 random bits in 22 letters
    and digits that read unambiguously on paper and need no escaping in a URL."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Signatory(models.Model):
    """The responsible person who signs an organizer's certificates, or one programme's."""

    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="signatories",
        verbose_name=_("organizer"),
    )
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="signatory",
        verbose_name=_("course or programme"),
        help_text=_("Empty: signs every certificate of the organizer without a signatory of "
                    "its own."),
    )
    name = models.CharField(_("name"), max_length=200)
    function_nl = models.CharField(_("function (Dutch)"), max_length=200, blank=True)
    function_en = models.CharField(_("function (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["organizer", "course"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer"], condition=Q(course__isnull=True),
                name="signatory_one_default_per_organizer",
                violation_error_message=_(
                    "This organizer already has a signatory for all its certificates: name a "
                    "course or programme, or change that signatory."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.course or self.organizer})"


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Review(models.TextChoices):
    """Why an issued certificate no longer matches the records (certificates.services.review)."""

    ATTENDANCE = "attendance", _("attendance now below the threshold")
    NOT_PASSED = "not_passed", _("no longer passed")
    GRADE = "grade", _("weighted percentage or grade changed")


class ReviewCause(models.TextChoices):
    """What changed in the records and led to the mark (shown to staff with the mark)."""

    RESULT = "result", _("a result was corrected")
    DECISION = "decision", _("the exam committee's decision changed")
    ATTENDANCE = "attendance", _("the attendance was changed")
    PUBLICATION = "publication", _("results were published")
    CHECK = "check", _("the records changed (found by the periodic check)")


class Certificate(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("registration certificate")
        PARTICIPATION = "participation", _("participation certificate")
        PROGRAMME = "programme", _("getuigschrift (certificate of a passed programme)")
        CREDIT = "credit", _("credit certificate")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates",
        verbose_name=_("holder"),
    )
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="certificates",
        verbose_name=_("registration"),
    )
    unit = models.ForeignKey(
        CourseUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates",
        verbose_name=_("course unit"),
    )
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_code, editable=False
    )
    # What is printed, as it was on the day of issue.
    holder_name = models.CharField(_("holder's name"), max_length=300)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    credits = models.DecimalField(
        _("credits (ECTS)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    weighted_percentage = models.PositiveSmallIntegerField(
        _("weighted percentage"), null=True, blank=True
    )
    grade = models.CharField(_("grade of merit"), max_length=30, blank=True)
    issued_on = models.DateField(_("date of issue"))
    organizer_name = models.CharField(_("organizer"), max_length=200)
    place = models.CharField(_("place of issue"), max_length=100)
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_function_nl = models.CharField(max_length=200, blank=True,
                                             verbose_name=_("signatory's function (Dutch)"))
    signatory_function_en = models.CharField(max_length=200, blank=True,
                                             verbose_name=_("signatory's function (English)"))
    details = models.JSONField(_("other printed facts"), default=dict, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("issued by"),
        help_text=_("Empty when issued automatically."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    review = models.CharField(
        _("to review"), max_length=20, choices=Review.choices, blank=True,
        help_text=_("Set when what the certificate states no longer holds: a result or the "
                    "attendance was corrected after it was issued. Staff revoke it, or leave "
                    "it; it stays valid until revoked."),
    )
    review_since = models.DateTimeField(_("to review since"), null=True, blank=True)
    review_cause = models.CharField(
        _("what changed"), max_length=20, choices=ReviewCause.choices, blank=True,
    )
    # The mark staff cleared by keeping the certificate: the same finding is not raised again
    # until the basis holds once more (then this is emptied) or fails for another reason.
    review_kept = models.CharField(
        _("kept despite"), max_length=20, choices=Review.choices, blank=True,
    )
    # When `review_certificates` last checked the basis: the hourly sweep looks only at
    # corrections entered since (certificates.services.registrations_to_review).
    reviewed_at = models.DateTimeField(_("basis last checked"), null=True, blank=True,
                                       editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        permissions = [("revoke_certificate", _("Can revoke a certificate"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "registration", "kind"], condition=Q(unit__isnull=True),
                name="certificate_one_per_achievement",
            ),
            models.UniqueConstraint(
                fields=["user", "registration", "unit"], condition=Q(unit__isnull=False),
                name="certificate_one_per_unit",
            ),
            models.CheckConstraint(
                condition=(Q(kind="credit") & Q(unit__isnull=False))
                | (~Q(kind="credit") & Q(unit__isnull=True)),
                name="certificate_unit_iff_credit",
            ),
            models.CheckConstraint(
                condition=(Q(revoked_at__isnull=True) & Q(revocation_reason=""))
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.holder_name} · {self.title}"

    @property
    def title(self) -> str:
        language = (get_language() or "nl")[:2]
        return (self.title_en if language == "en" else self.title_nl) or self.title_nl

    @property
    def signatory_function(self) -> str:
        language = (get_language() or "nl")[:2]
        return self.signatory_function_en if language == "en" else self.signatory_function_nl

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def filename(self) -> str:
        """In the holder's language, like the PDF (``inschrijvingsattest-TM-26.pdf``)."""
        from portal.document_names import document_filename

        reference = str(self.details.get("edition", self.pk))
        if self.unit_id:
            reference += f"-{self.details.get('unit', '')}"
        return document_filename(self.kind, reference, self.user.preferred_language)
