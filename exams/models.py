"""Exam periods, enrolments per chance, attendance, results, committees, publication, decisions
(seed 2, art. 8-11; rules.md §6).

Results and programme decisions are append-only: a correction is a new row that `supersedes` the
previous one (a one-to-one, so a row is superseded at most once); the *current* row is the one no
other row supersedes. Together with "one first entry per enrolment" this keeps a single chain,
hence a single current result, per enrolment. The rules themselves live in the pure modules
(exams.grading, exams.windows, exams.committees) and the use cases in exams.services.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from courses.models import AcademicYear, Course, CourseUnit, Organizer, Session
from exams.grading import EXEMPTION_CODES, UNJUSTIFIED_ABSENCE


class Chance(models.IntegerChoices):
    FIRST = 1, _("first chance")
    SECOND = 2, _("second chance")


BUILT_IN_CODES = {
    **{code: _("exemption") for code in EXEMPTION_CODES},
    UNJUSTIFIED_ABSENCE: _("unjustified absence"),
}


class ExamRules(models.Model):
    """What an organizer allows in results: decimals and extra non-numeric codes."""

    organizer = models.OneToOneField(
        Organizer, on_delete=models.CASCADE, related_name="exam_rules",
        verbose_name=_("organizer"),
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("decimals allowed in a result"), default=1
    )
    extra_codes = models.CharField(
        _("other result codes"), max_length=200, blank=True,
        help_text=_("Comma-separated, e.g. NA, GR. V (exemption) and A (absence) always exist."),
    )

    class Meta:
        verbose_name = _("exam rules")
        verbose_name_plural = _("exam rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(decimal_places__lte=2), name="exam_rules_decimals_at_most_2",
                violation_error_message=_("A result has at most 2 decimals."),
            ),
        ]

    def __str__(self):
        return str(self.organizer)

    def clean(self):
        super().clean()
        limit = Result._meta.get_field("code").max_length
        too_long = [code.strip() for code in self.extra_codes.split(",")
                    if len(code.strip()) > limit]
        if too_long:
            raise ValidationError({"extra_codes": _(
                "A result code has at most %(count)s characters: %(code)s."
            ) % {"count": limit, "code": ", ".join(too_long)}})

    @property
    def codes(self) -> set[str]:
        extra = {code.strip().upper() for code in self.extra_codes.split(",") if code.strip()}
        return set(BUILT_IN_CODES) | extra

    @classmethod
    def for_organizer(cls, organizer) -> "ExamRules":
        return cls.objects.filter(organizer=organizer).first() or cls(organizer=organizer)


class ExamPeriod(models.Model):
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="exam_periods",
        verbose_name=_("academic year"),
    )
    organizer = models.ForeignKey(
        Organizer, on_delete=models.PROTECT, related_name="exam_periods",
        verbose_name=_("organizer"),
    )
    chance = models.PositiveSmallIntegerField(_("chance"), choices=Chance.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("exam period")
        verbose_name_plural = _("exam periods")
        ordering = ["academic_year", "organizer", "chance"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "organizer", "chance"], name="exam_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(start__lte=F("end")), name="exam_period_dates",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=Q(chance__in=[1, 2]), name="exam_period_chance"),
        ]

    def __str__(self):
        return f"{self.organizer} {self.academic_year} ({self.get_chance_display()})"


class Enrolment(models.Model):
    class Origin(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic (first chance)")
        PARTICIPANT = "participant", _("by the participant")
        STAFF = "staff", _("by staff")
        NOT_ENROLLED = "not_enrolled", _("not enrolled in time (result A)")

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="exam_enrolments",
        verbose_name=_("registration"),
    )
    unit = models.ForeignKey(
        CourseUnit, on_delete=models.PROTECT, related_name="exam_enrolments",
        verbose_name=_("course unit"),
    )
    chance = models.PositiveSmallIntegerField(_("chance"), choices=Chance.choices)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices)
    enrolled_on = models.DateField(_("enrolled on"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("exam enrolment")
        verbose_name_plural = _("exam enrolments")
        ordering = ["registration", "unit", "chance"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "unit", "chance"], name="exam_enrolment_unique"
            ),
            models.CheckConstraint(condition=Q(chance__in=[1, 2]), name="exam_enrolment_chance"),
        ]

    def __str__(self):
        return f"{self.registration.user} · {self.unit.code} · {self.get_chance_display()}"

    def clean(self):
        super().clean()
        # Results, credits and the getuigschrift count a registration's units of its course.
        if (self.registration_id and self.unit_id
                and self.unit.course_id != self.registration.edition.course_id):
            raise ValidationError({"unit": _(
                "This course unit is not part of the course of this registration.")})


class Attendance(models.Model):
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="attendances",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances",
        verbose_name=_("session"),
    )
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "registration"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="attendance_unique"),
        ]

    def __str__(self):
        return f"{self.registration.user} · {self.session}"

    def clean(self):
        super().clean()
        if (self.registration_id and self.session_id
                and self.session.edition_id != self.registration.edition_id):
            raise ValidationError({"session": _(
                "This session belongs to another edition than the registration's."
            )})


class ResultQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_by__isnull=True)


class Result(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="results",
        verbose_name=_("enrolment"),
    )
    value = models.DecimalField(
        _("result on 20"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=10, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["enrolment", "entered_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(code=""))
                | (Q(value__isnull=True) & ~Q(code="")),
                name="result_value_xor_code",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=0) & Q(value__lte=20)),
                name="result_value_0_20",
            ),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(supersedes__isnull=True),
                name="result_one_first_entry",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="result_correction_has_reason",
            ),
        ]

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        return self.code if self.value is None else f"{self.value.normalize():f}/20"

    @property
    def grading_value(self):
        """The value as exams.grading takes it: a Decimal or a code."""
        return self.code if self.value is None else self.value


class Committee(models.Model):
    class Kind(models.TextChoices):
        LEC = "LEC", _("exam committee (LEC)")
        LMT = "LMT", _("management team (LMT)")

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="committees", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["course", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["course", "kind"], name="committee_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.course}"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("committee")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats",
        verbose_name=_("member"),
    )
    teaches_in_programme = models.BooleanField(_("teaches in the programme"), default=False)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="committee_member_unique"),
        ]

    def __str__(self):
        return str(self.user)


class Publication(models.Model):
    """The LEC reviewed a period's results of a programme: participants see them from now on."""

    period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="publications",
        verbose_name=_("exam period"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="exam_publications",
        verbose_name=_("programme"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication of results")
        verbose_name_plural = _("publications of results")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "course"], name="publication_unique"),
        ]

    def __str__(self):
        return f"{self.course} · {self.period}"


class ProgrammeDecision(models.Model):
    """The LEC's decision to deviate in the participant's favour (seed 2, art. 9.1); append-only."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT,
        related_name="programme_decisions", verbose_name=_("registration"),
    )
    favourable_deviation = models.BooleanField(_("favourable deviation"), default=True)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    class Meta:
        verbose_name = _("programme decision")
        verbose_name_plural = _("programme decisions")
        ordering = ["registration", "decided_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(supersedes__isnull=True),
                name="decision_one_first_entry",
            ),
        ]

    def __str__(self):
        return f"{self.registration} · {self.reason[:40]}"
