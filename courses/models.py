"""The catalog: organizers, academic years, courses and their units, editions and sessions.

Every invariant the database can hold is a constraint here (start <= end, seats >= 0, amounts >= 0,
unique codes); the rules that decide amounts and dates live in pure modules
(registrations.policies).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from courses.expressions import DateMinusDays

# The most parts an invoice is split into (billing.Instalment holds parts 1 to 9).
MAX_INSTALMENTS = 9

ZERO = Decimal("0.00")
DEFAULT_VAT_EXEMPTION = "Vrijgesteld van btw, art. 44 §2 4° W.btw"


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


def translated(obj, field: str) -> str:
    """The nl or en variant of a field, in the active language, falling back to the other one."""
    language = (get_language() or "nl")[:2]
    other = "en" if language == "nl" else "nl"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


class Organizer(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    enterprise_number = models.CharField(
        _("enterprise / VAT number"), max_length=14, help_text=_("For example BE0248015142.")
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    contact_email = models.EmailField(_("contact e-mail"))
    finance_email = models.EmailField(_("finance e-mail"), blank=True)
    kmo_recognition_short = models.CharField(
        _("KMO-portefeuille recognition number (short courses)"), max_length=30, blank=True
    )
    kmo_recognition_postgraduate = models.CharField(
        _("KMO-portefeuille recognition number (postgraduates)"), max_length=30, blank=True
    )
    invoice_due_days = models.PositiveSmallIntegerField(_("invoice term (days)"), default=30)
    reminder_term_days = models.PositiveSmallIntegerField(
        _("term after the written reminder (days)"), default=14
    )

    class LateFeeRule(models.TextChoices):
        CONSUMER_TIERS = "tiers", _("tiers of seed 2 art. 4.7 (Code of Economic Law, Book XIX)")
        FIXED_40 = "fixed40", _("fixed 40.00 (law of 2 August 2002, company debtors)")

    late_fee_rule = models.CharField(
        _("flat fee on late payment"),
        max_length=8,
        choices=LateFeeRule.choices,
        default=LateFeeRule.CONSUMER_TIERS,
    )
    website = models.URLField(_("website"), blank=True)

    class CertificatesOnErasure(models.TextChoices):
        REVOKE = "revoke", _("revoke them")
        KEEP = "keep", _("keep them valid")

    # What becomes of a person's certificates when their data is erased (seed 2 art. 14).
    certificates_on_erasure = models.CharField(
        _("certificates of an erased person"),
        max_length=6,
        choices=CertificatesOnErasure.choices,
        default=CertificatesOnErasure.REVOKE,
    )

    class Meta:
        verbose_name = _("organizer")
        verbose_name_plural = _("organizers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    """An academic year and its semester boundaries (seed 2, art. 1: the calendar of the OER)."""

    code = models.CharField(_("code"), max_length=9, unique=True, help_text="2026-2027")
    start = models.DateField(_("start"))
    second_semester_start = models.DateField(_("start of the second semester"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("second_semester_start"))
                & Q(second_semester_start__lt=F("end")),
                name="academic_year_semesters_in_order",
                violation_error_message=_("The second semester starts after the start of the "
                                          "academic year and before its end."),
            ),
        ]

    def __str__(self):
        return self.code


class Course(models.Model):
    class Kind(models.TextChoices):
        SHORT = "short", _("short course")
        POSTGRADUATE = "postgraduate", _("postgraduate")
        MICROCREDENTIAL = "microcredential", _("micro-credential")

    organizer = models.ForeignKey(
        Organizer, on_delete=models.PROTECT, related_name="courses", verbose_name=_("organizer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    language = models.CharField(
        _("language of instruction"), max_length=2, choices=Language.choices
    )
    total_credits = models.DecimalField(
        _("total credits (ECTS)"), max_digits=5, decimal_places=1, default=ZERO
    )
    uses_weighted_percentage = models.BooleanField(
        _("uses a weighted percentage and grade of merit"), default=False
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title_nl"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "code"], name="course_code_unique"),
            models.CheckConstraint(
                condition=Q(total_credits__gte=0), name="course_credits_not_negative",
                violation_error_message=_("Credits cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def description(self) -> str:
        return translated(self, "description")

    @property
    def is_programme(self) -> bool:
        return self.kind != self.Kind.SHORT

    @property
    def kmo_recognition_number(self) -> str:
        """Postgraduates may carry a recognition number of their own (rules.md §2)."""
        if self.is_programme and self.organizer.kmo_recognition_postgraduate:
            return self.organizer.kmo_recognition_postgraduate
        return self.organizer.kmo_recognition_short


class CourseUnit(models.Model):
    """An opleidingsonderdeel: what exams and credits are counted on (seed 2, art. 8-9)."""

    class Semester(models.TextChoices):
        FIRST = "first", _("first semester")
        SECOND = "second", _("second semester")
        YEAR = "year", _("year-long")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="units", verbose_name=_("course")
    )
    code = models.CharField(_("code"), max_length=30)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    credits = models.DecimalField(_("credits (ECTS)"), max_digits=4, decimal_places=1)
    semester = models.CharField(_("semester"), max_length=6, choices=Semester.choices)
    examinable_once_a_year = models.BooleanField(_("examinable once a year"), default=False)
    attendance_required = models.BooleanField(_("sufficient attendance required"), default=False)
    attendance_threshold_percent = models.PositiveSmallIntegerField(
        _("attendance threshold (%)"), default=80
    )
    digital_exam = models.BooleanField(_("digital exam on own device"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("course unit")
        verbose_name_plural = _("course units")
        ordering = ["course", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="course_unit_code_unique"),
            models.CheckConstraint(
                condition=Q(credits__gt=0), name="course_unit_credits_positive",
                violation_error_message=_("A course unit has more than 0 credits."),
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold_percent__lte=100),
                name="course_unit_attendance_threshold_percent",
                violation_error_message=_("The attendance threshold is at most 100 %%."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return translated(self, "title")


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=Edition.Status.DRAFT)

    def open_for_registration(self, today=None):
        """Open editions whose last registration day (start - N days, seed 2 art. 3.2) is today
        or later; the same reading as `registrations.policies.registration_deadline`."""
        today = today or timezone.localdate()
        return self.filter(status=Edition.Status.OPEN).alias(
            registration_deadline=DateMinusDays("start", "registration_closes_days_before")
        ).filter(registration_deadline__gte=today)

    def for_catalog(self):
        return self.select_related("course", "course__organizer", "academic_year")


class Edition(models.Model):
    """One run of a course: dates, seats, fee, VAT, cancellation policy (rules.md §1, §2, §4)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class FeeKind(models.TextChoices):
        FIXED = "fixed", _("fixed amount")
        PER_CREDIT = "per_credit", _("amount per credit plus amount per programme")

    class VatTreatment(models.TextChoices):
        EXEMPT = "exempt", _("exempt from VAT")
        TAXED = "taxed", _("subject to VAT")

    class Policy(models.TextChoices):
        ACADEMIC_YEAR = "A", _("A: academic-year programme")
        DAYS_BEFORE_START = "B", _("B: days before the start")
        TIERED = "C", _("C: conditions stated on the course")
        FREE = "D", _("D: free training")

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="editions", verbose_name=_("course")
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="editions",
        verbose_name=_("academic year"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    location = models.CharField(_("location"), max_length=200)
    seats = models.PositiveIntegerField(_("seats"))
    # Confirmed registrations, counted under the edition's row lock at checkout; the database
    # refuses more than `seats` whatever code path writes it (rules.md §1: capacity is hard).
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    registration_closes_days_before = models.PositiveSmallIntegerField(
        _("registration closes (days before the start)"),
        default=7,
        help_text=_("Registration is open up to and including this many days before the start."),
    )
    admission_required = models.BooleanField(_("admission required"), default=False)
    fee_kind = models.CharField(
        _("fee"), max_length=10, choices=FeeKind.choices, default=FeeKind.FIXED
    )
    fee_amount = models.DecimalField(
        _("fixed fee"), max_digits=9, decimal_places=2, default=ZERO
    )
    credit_amount = models.DecimalField(
        _("amount per credit"), max_digits=9, decimal_places=2, default=ZERO
    )
    programme_amount = models.DecimalField(
        _("amount per programme"), max_digits=9, decimal_places=2, default=ZERO
    )
    vat_treatment = models.CharField(
        _("VAT"), max_length=6, choices=VatTreatment.choices, default=VatTreatment.EXEMPT
    )
    vat_rate_percent = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("21.00")
    )
    vat_exemption_mention = models.CharField(
        _("legal mention when exempt"), max_length=200, default=DEFAULT_VAT_EXEMPTION
    )
    cancellation_policy = models.CharField(
        _("cancellation policy"), max_length=1, choices=Policy.choices
    )
    policy_b_percent_kept = models.DecimalField(
        _("policy B: percentage kept"), max_digits=5, decimal_places=2, default=Decimal("10.00")
    )
    policy_b_minimum_kept = models.DecimalField(
        _("policy B: minimum kept"), max_digits=9, decimal_places=2, default=Decimal("50.00")
    )
    policy_b_days_before = models.PositiveSmallIntegerField(
        _("policy B: free until (days before the start)"), default=7
    )
    instalments_allowed = models.BooleanField(_("instalments allowed"), default=False)
    max_instalments = models.PositiveSmallIntegerField(
        _("maximum instalments"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALMENTS)],
        help_text=_("At most 9: an invoice is split into at most 9 parts."),
    )
    kmo_eligible = models.BooleanField(_("KMO-portefeuille eligible"), default=False)
    attendance_threshold_percent = models.PositiveSmallIntegerField(
        _("attendance for a participation certificate (%)"), default=80
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["start", "code"]
        indexes = [models.Index(fields=["status", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=F("end")), name="edition_start_le_end",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("seats")), name="edition_not_oversold",
                violation_error_message=_(
                    "Seats cannot go below the number of people registered."),
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0) & Q(credit_amount__gte=0)
                & Q(programme_amount__gte=0),
                name="edition_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(vat_rate_percent__gte=0) & Q(vat_rate_percent__lte=100),
                name="edition_vat_rate_percent",
                violation_error_message=_("The VAT rate is between 0 and 100 %%."),
            ),
            models.CheckConstraint(
                condition=Q(policy_b_percent_kept__gte=0)
                & Q(policy_b_percent_kept__lte=100)
                & Q(policy_b_minimum_kept__gte=0),
                name="edition_policy_b_parameters",
                violation_error_message=_("Policy B: the percentage kept is between 0 and "
                                          "100 %% and the minimum kept is not negative."),
            ),
            models.CheckConstraint(
                condition=Q(max_instalments__gte=1) & Q(max_instalments__lte=12),
                name="edition_max_instalments_1_to_12",
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold_percent__lte=100),
                name="edition_attendance_threshold_percent",
                violation_error_message=_("The attendance threshold is at most 100 %%."),
            ),
            models.CheckConstraint(
                # A free training (policy D) costs nothing; a paid one never uses policy D.
                condition=~Q(cancellation_policy="D")
                | (Q(fee_kind="fixed") & Q(fee_amount=0)),
                name="edition_policy_d_is_free",
                violation_error_message=_(
                    "Policy D is for free training only: a fixed fee of 0."),
            ),
            models.CheckConstraint(
                # Policy A splits the fee into programme and credit amounts (seed 1).
                condition=~Q(cancellation_policy="A") | Q(fee_kind="per_credit"),
                name="edition_policy_a_per_credit",
                violation_error_message=_(
                    "Policy A needs a fee per credit plus an amount per programme."),
            ),
        ]

    def __str__(self):
        return f"{self.course.title} ({self.start:%d/%m/%Y})"

    @property
    def fee(self) -> Decimal:
        """The full fee excluding VAT: fixed, or per programme + per credit x credits (seed 1)."""
        if self.fee_kind == self.FeeKind.PER_CREDIT:
            fee = self.programme_amount + self.credit_amount * self.course.total_credits
            return fee.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return self.fee_amount

    @property
    def vat_amount(self) -> Decimal:
        if self.vat_treatment == self.VatTreatment.EXEMPT:
            return ZERO
        return (self.fee * self.vat_rate_percent / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def total_price(self) -> Decimal:
        return self.fee + self.vat_amount


class CancellationTier(models.Model):
    """Policy C: "at least `days` calendar days before the start: `percent_kept` % is kept"."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("edition")
    )
    days = models.PositiveSmallIntegerField(_("at least this many days before the start"))
    percent_kept = models.DecimalField(_("percentage kept"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("cancellation tier")
        verbose_name_plural = _("cancellation tiers")
        ordering = ["edition", "-days"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "days"], name="tier_days_unique"),
            models.CheckConstraint(
                condition=Q(percent_kept__gte=0) & Q(percent_kept__lte=100),
                name="tier_percent_kept_0_100",
                violation_error_message=_("The percentage kept is between 0 and 100 %%."),
            ),
        ]

    def __str__(self):
        return f"≥ {self.days} d: {self.percent_kept} %"


class Session(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("edition")
    )
    unit = models.ForeignKey(
        CourseUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("course unit"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["edition", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="session_starts_before_it_ends",
                violation_error_message=_("A session ends after it starts."),
            ),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def clean(self):
        super().clean()
        # Attendance and exams count sessions per unit: a unit of another course would count
        # this session for people who do not follow that course.
        edition = Session.edition.field.get_cached_value(self, None) or (
            self.edition_id and Edition.objects.filter(pk=self.edition_id).first())
        if self.unit_id and edition and self.unit.course_id != edition.course_id:
            raise ValidationError({"unit": _(
                "This course unit belongs to another course than the edition's.")})
