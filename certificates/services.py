"""Issuing and revoking certificates (rules.md §7).

`issue_certificate` is the one function that writes a certificate row and `revoke_certificate` the
one that revokes; the `issue_<kind>` functions check the kind's condition, take the snapshot and
call it. Every function is idempotent: issuing twice returns the first certificate (the registration
row is locked, and the database holds one certificate per person and achievement).
"""

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import record
from certificates import eligibility
from certificates.models import Certificate, Review, ReviewCause, Signatory
from courses.models import Course, CourseUnit, Session
from exams import grading
from registrations.models import AdmissionApplication, Registration

logger = logging.getLogger(__name__)


class CertificateRefused(Exception):
    """The certificate's condition does not hold (the message says which)."""


@dataclass
class Snapshot:
    """What a certificate prints, taken on the day of issue."""

    title_nl: str
    title_en: str
    credits: Decimal | None = None
    weighted_percentage: int | None = None
    grade: str = ""
    details: dict = field(default_factory=dict)


def signatory_for(course: Course) -> Signatory | None:
    """The programme's own signatory, else the organizer's default one."""
    candidates = Signatory.objects.filter(
        Q(course=course) | Q(organizer_id=course.organizer_id, course__isnull=True)
    )
    return min(candidates, key=lambda s: s.course_id is None, default=None)


def _holder_name(user) -> str:
    """The name as in the profile; never the e-mail address, which the public verification page
    must not show (a nameless profile prints its e-mail address on the holder's own PDF only)."""
    return user.get_full_name().strip()


def _edition_details(registration: Registration) -> dict:
    edition = registration.edition
    return {
        "edition": edition.code,
        "course_code": edition.course.code,
        "course_kind": edition.course.kind,
        "academic_year": edition.academic_year.code,
        "start": edition.start.isoformat(),
        "end": edition.end.isoformat(),
        "location": edition.location,
    }


@transaction.atomic
def issue_certificate(
    registration: Registration, kind: str, snapshot: Snapshot, *, unit: CourseUnit | None = None,
    by=None, today: date | None = None,
) -> Certificate:
    """Write the certificate of `kind` for `registration` (and `unit`), or return the one that
    exists. The one place certificates are created."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    existing = Certificate.objects.filter(
        user_id=registration.user_id, registration=registration, kind=kind, unit=unit
    ).first()
    if existing is not None:
        return existing
    if erased(registration.user_id):
        raise CertificateRefused(_("The holder's personal data has been erased."))
    registration = Registration.objects.select_related(
        "user", "edition__course__organizer"
    ).get(pk=registration.pk)
    course = registration.edition.course
    organizer = course.organizer
    signatory = signatory_for(course)
    certificate = Certificate.objects.create(
        kind=kind,
        user=registration.user,
        registration=registration,
        unit=unit,
        holder_name=_holder_name(registration.user),
        title_nl=snapshot.title_nl,
        title_en=snapshot.title_en,
        credits=snapshot.credits,
        weighted_percentage=snapshot.weighted_percentage,
        grade=snapshot.grade or "",
        issued_on=today or timezone.localdate(),
        organizer_name=organizer.name,
        place=organizer.city,
        signatory_name=signatory.name if signatory else "",
        signatory_function_nl=signatory.function_nl if signatory else "",
        signatory_function_en=signatory.function_en if signatory else "",
        details=snapshot.details,
        issued_by=by,
    )
    # Audit trail: what was certified, not the holder's name or the verification code.
    record("certificate.issued", certificate, actor=by, organizer=organizer.pk, after={
        "kind": kind, "registration": registration.pk, "unit": unit.pk if unit else None,
        "issued_on": certificate.issued_on, "credits": certificate.credits,
        "weighted_percentage": certificate.weighted_percentage, "grade": certificate.grade})
    return certificate


def _erased_users():
    from portal.privacy.models import ErasureRequest

    return ErasureRequest.objects.filter(status=ErasureRequest.Status.DONE)


def erased(user_id) -> bool:
    """Whether the person's data was erased (rules.md §8): no certificate is issued to the
    anonymous profile afterwards, whatever the organizer chose for the ones issued before."""
    return _erased_users().filter(user_id=user_id).exists()


def _load(registration: Registration) -> Registration:
    return Registration.objects.select_related(
        "user", "edition__course__organizer", "edition__academic_year"
    ).get(pk=registration.pk)


def _require_confirmed(registration: Registration) -> None:
    if registration.status != Registration.Status.CONFIRMED:
        raise CertificateRefused(_("The registration is cancelled."))


def _existing(registration, kind, unit=None) -> Certificate | None:
    return Certificate.objects.filter(registration=registration, kind=kind, unit=unit).first()


# Registration certificate (rules.md §1, §7) ---------------------------------------------------


def issue_registration_certificate(registration: Registration, *, by=None,
                                   today: date | None = None) -> Certificate:
    """The registration certificate of a confirmed registration (with the admission, if any)."""
    existing = _existing(registration, Certificate.Kind.REGISTRATION)
    if existing is not None:
        return existing
    registration = _load(registration)
    _require_confirmed(registration)
    edition, course, user = registration.edition, registration.edition.course, registration.user
    details = _edition_details(registration)
    details["registered_on"] = registration.registered_on.isoformat()
    if user.date_of_birth:
        details["date_of_birth"] = user.date_of_birth.isoformat()
    if edition.admission_required:
        admission = AdmissionApplication.objects.filter(
            user_id=user.pk, edition_id=edition.pk,
            status=AdmissionApplication.Status.ADMITTED,
        ).first()
        if admission is not None:
            decided = admission.decided_at or admission.submitted_at
            details["admitted_on"] = timezone.localtime(decided).date().isoformat()
    snapshot = Snapshot(course.title_nl, course.title_en,
                        credits=course.total_credits or None, details=details)
    return issue_certificate(registration, Certificate.Kind.REGISTRATION, snapshot, by=by,
                             today=today)


# Participation certificate (short courses) ------------------------------------------------------


def attendance_of(registration: Registration) -> tuple[int, int]:
    """(sessions present, sessions of the edition)."""
    sessions = Session.objects.filter(edition_id=registration.edition_id)
    present = registration.attendances.filter(session__in=sessions, present=True).count()
    return present, sessions.count()


def issue_participation_certificate(registration: Registration, *, by=None,
                                    today: date | None = None) -> Certificate:
    existing = _existing(registration, Certificate.Kind.PARTICIPATION)
    if existing is not None:
        return existing
    registration = _load(registration)
    _require_confirmed(registration)
    edition, course = registration.edition, registration.edition.course
    if course.kind != Course.Kind.SHORT:
        raise CertificateRefused(_("Participation certificates are for short courses."))
    present, total = attendance_of(registration)
    if not eligibility.attendance_met(present, total, edition.attendance_threshold_percent):
        raise CertificateRefused(
            _("Attendance %(present)s of %(total)s sessions is below the %(threshold)s%% "
              "required for a participation certificate.")
            % {"present": present, "total": total,
               "threshold": edition.attendance_threshold_percent}
        )
    details = _edition_details(registration)
    details.update(sessions_present=present, sessions_total=total)
    snapshot = Snapshot(course.title_nl, course.title_en,
                        credits=course.total_credits or None, details=details)
    return issue_certificate(registration, Certificate.Kind.PARTICIPATION, snapshot, by=by,
                             today=today)


# Getuigschrift and credit certificates (seed 2, art. 9) -----------------------------------------


def issue_getuigschrift(registration: Registration, *, by=None,
                        today: date | None = None) -> Certificate:
    """The certificate of a passed postgraduate or micro-credential programme (art. 9.1), with the
    weighted percentage and grade of merit where the programme uses them (art. 9.4)."""
    from exams.services.outcome import programme_outcome

    existing = _existing(registration, Certificate.Kind.PROGRAMME)
    if existing is not None:
        return existing
    registration = _load(registration)
    _require_confirmed(registration)
    course = registration.edition.course
    if not course.is_programme:
        raise CertificateRefused(_("A getuigschrift is for postgraduates and micro-credentials."))
    outcome = programme_outcome(registration)
    if not outcome.passed:
        raise CertificateRefused(_("The programme is not passed (or its results are not "
                                   "published yet)."))
    snapshot = Snapshot(
        course.title_nl, course.title_en, credits=course.total_credits or None,
        weighted_percentage=outcome.weighted_percentage, grade=outcome.grade or "",
        details=_edition_details(registration),
    )
    return issue_certificate(registration, Certificate.Kind.PROGRAMME, snapshot, by=by,
                             today=today)


def passed_units(registration: Registration) -> list[CourseUnit]:
    """The units with a published, current, passing result."""
    from exams.services.outcome import unit_results

    return [
        unit for unit, result in unit_results(registration)
        if result is not None and grading.unit_passed(result.grading_value)
    ]


def issue_credit_certificate(registration: Registration, unit: CourseUnit, *, by=None,
                             today: date | None = None) -> Certificate:
    """For a micro-credential: the credit certificate of one passed unit (rules.md §7)."""
    existing = _existing(registration, Certificate.Kind.CREDIT, unit)
    if existing is not None:
        return existing
    registration = _load(registration)
    _require_confirmed(registration)
    course = registration.edition.course
    if course.kind != Course.Kind.MICROCREDENTIAL:
        raise CertificateRefused(_("Credit certificates are for micro-credentials."))
    if unit.course_id != course.pk:
        raise CertificateRefused(_("The unit is not part of this programme."))
    if unit.pk not in {passed.pk for passed in passed_units(registration)}:
        raise CertificateRefused(_("The unit %(unit)s is not passed (or its result is not "
                                   "published yet).") % {"unit": unit.code})
    details = _edition_details(registration)
    details.update(unit=unit.code, programme_nl=course.title_nl, programme_en=course.title_en)
    snapshot = Snapshot(unit.title_nl, unit.title_en, credits=unit.credits, details=details)
    return issue_certificate(registration, Certificate.Kind.CREDIT, snapshot, unit=unit, by=by,
                             today=today)


# All that is due --------------------------------------------------------------------------------


def issue_due_certificates(registration: Registration, *, by=None) -> list[Certificate]:
    """Every certificate whose condition holds for `registration` (idempotent): what the Celery
    tasks and the admin action call. Returns the certificates issued or found."""
    registration = _load(registration)
    if registration.status != Registration.Status.CONFIRMED or erased(registration.user_id):
        return []
    course = registration.edition.course
    kinds = eligibility.kinds_for(course.kind)
    found = [issue_registration_certificate(registration, by=by)]
    attempts = []
    if eligibility.PARTICIPATION in kinds:
        attempts.append(lambda: issue_participation_certificate(registration, by=by))
    if eligibility.PROGRAMME in kinds:
        attempts.append(lambda: issue_getuigschrift(registration, by=by))
    if eligibility.CREDIT in kinds:
        for unit in passed_units(registration):
            attempts.append(lambda unit=unit: issue_credit_certificate(registration, unit, by=by))
    for attempt in attempts:
        with contextlib.suppress(CertificateRefused):
            found.append(attempt())
    return found


# Certificates whose basis changed after issue -----------------------------------------------


def review_reason(certificate: Certificate, registration: Registration,
                  passed_unit_ids: set[int] | None = None) -> str:
    """Why what `certificate` states no longer holds for the registration's current records
    (a `Review` value), or "". Registration certificates are left to the cancellation, which
    revokes them. `passed_unit_ids`: the registration's passed units, when the caller has them
    (a micro-credential has one credit certificate per unit)."""
    from exams.services.outcome import programme_outcome

    kind = certificate.kind
    if kind == Certificate.Kind.PARTICIPATION:
        present, total = attendance_of(registration)
        threshold = registration.edition.attendance_threshold_percent
        return "" if eligibility.attendance_met(present, total, threshold) else Review.ATTENDANCE
    if kind == Certificate.Kind.PROGRAMME:
        outcome = programme_outcome(registration)
        if not outcome.passed:
            return Review.NOT_PASSED
        printed = (certificate.weighted_percentage, certificate.grade)
        return "" if printed == (outcome.weighted_percentage, outcome.grade or "") else (
            Review.GRADE)
    if kind == Certificate.Kind.CREDIT:
        if passed_unit_ids is None:
            passed_unit_ids = {unit.pk for unit in passed_units(registration)}
        return "" if certificate.unit_id in passed_unit_ids else Review.NOT_PASSED
    return ""


@transaction.atomic
def review_certificates(registration: Registration, *, cause: str = ReviewCause.CHECK,
                        by=None) -> list[Certificate]:
    """Mark the registration's valid certificates whose basis no longer holds, with when and
    what changed (`cause`, a `ReviewCause`), and unmark those whose basis holds again; audited.
    Called inside the correction's own transaction (a result, a programme decision, attendance),
    so the mark and the correction are saved together or not at all; the tasks and the hourly
    sweep call it again as a backstop (idempotent). The same checks as issuing
    (`review_reason`, certificates/eligibility.py), so the two never disagree.

    The certificate is not revoked: revocation is a decision with a reason (rules.md §7 names
    no automatic revocation; seed 2 art. 9.1-9.2 leave whether a programme is passed, deviation
    included, to the exam committee), taken by staff with `revoke_certificate`, or staff keep
    it with `keep_certificate`. A kept finding is not raised again until the basis holds once
    more or fails for another reason. Returns the certificates whose mark changed."""
    certificates = list(
        Certificate.objects.valid().select_for_update().filter(registration_id=registration.pk)
        .exclude(kind=Certificate.Kind.REGISTRATION).order_by("pk"))
    if not certificates:
        return []  # the common case of a correction: nothing issued to review
    registration = _load(registration)
    organizer_id = registration.edition.course.organizer_id
    changed = []
    passed_unit_ids = None
    for certificate in certificates:
        if certificate.kind == Certificate.Kind.CREDIT and passed_unit_ids is None:
            passed_unit_ids = {unit.pk for unit in passed_units(registration)}  # once for all
        reason = review_reason(certificate, registration, passed_unit_ids)
        before = certificate.review
        if reason in ((certificate.review, certificate.review_kept) if reason
                      else (certificate.review or certificate.review_kept,)):
            continue  # unchanged, or the finding staff already kept
        if reason:
            certificate.review, certificate.review_kept = reason, ""
            certificate.review_since, certificate.review_cause = timezone.now(), cause
        else:  # the basis holds again: no mark, and a later failure is a new finding
            certificate.review = certificate.review_kept = certificate.review_cause = ""
            certificate.review_since = None
        certificate.save(update_fields=["review", "review_kept", "review_since", "review_cause"])
        if certificate.review != before:
            record("certificate.review_marked" if reason else "certificate.review_cleared",
                   certificate, actor=by, organizer=organizer_id, before={"review": before},
                   after={"review": certificate.review, "cause": certificate.review_cause})
            changed.append(certificate)
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
        reviewed_at=timezone.now())
    return changed


@transaction.atomic
def keep_certificate(certificate: Certificate, reason: str, by) -> Certificate:
    """Staff reviewed a marked certificate and decided it stands (a decision with a reason, as a
    revocation is, rules.md §7): the mark is cleared, who and why go into the audit trail, and
    the same finding is not raised again (`review_certificates`). A certificate that is not
    marked, or revoked, is left as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("Give a reason for keeping the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None or not certificate.review:
        return certificate
    before = certificate.review
    certificate.review_kept, certificate.review = before, ""
    certificate.review_since, certificate.review_cause = None, ""
    certificate.save(update_fields=["review", "review_kept", "review_since", "review_cause"])
    from portal.privacy.trail import without_person

    record("certificate.kept", certificate, actor=by, organizer=_organizer_of(certificate),
           before={"review": before},
           after={"review": "", "kept": before,
                  "reason": without_person(reason[:500], certificate.user)})
    return certificate


def _organizer_of(certificate: Certificate):
    return (Registration.objects.filter(pk=certificate.registration_id)
            .values_list("edition__course__organizer_id", flat=True).first())


# A correction's timestamp is taken before its transaction commits: one entered shortly before
# a review that could not see it yet is still looked at by the next sweep.
REVIEW_OVERLAP = timedelta(minutes=10)


def registrations_to_review():
    """Registrations with a valid certificate (registration certificates aside) whose results,
    programme decisions (art. 9.1) or attendance were entered or changed after it was issued
    and after its basis was last checked (less `REVIEW_OVERLAP`): what the hourly sweep reviews
    again, in case the review in the correction's transaction or the task after it did not run.
    A certificate checked since its last correction (kept by staff, or found still right) is not
    looked at again until the next correction."""
    from exams.models import Attendance, ProgrammeDecision, Result

    changed_after = Q(Exists(Result.objects.filter(
        enrolment__registration_id=OuterRef("registration_id"),
        entered_at__gt=OuterRef("review_from"),
    ))) | Q(Exists(ProgrammeDecision.objects.filter(
        registration_id=OuterRef("registration_id"), decided_at__gt=OuterRef("review_from"),
    ))) | Q(Exists(Attendance.objects.filter(
        registration_id=OuterRef("registration_id"), recorded_at__gt=OuterRef("review_from"),
    )))
    certificates = (Certificate.objects.valid().exclude(kind=Certificate.Kind.REGISTRATION)
                    .annotate(review_from=Coalesce(F("reviewed_at") - REVIEW_OVERLAP,
                                                   F("created_at")))
                    .filter(changed_after))
    return Registration.objects.filter(
        pk__in=certificates.values("registration_id")).order_by("pk")


def registrations_to_check():
    """Confirmed registrations that may have a certificate due: no registration certificate yet,
    a short course with attendance and no participation certificate, or a programme with
    published results and no getuigschrift yet (for a micro-credential the credit certificates of
    its passed units are issued until then, and all of them together with the getuigschrift)."""
    from exams.models import Publication

    has = {
        kind: Exists(Certificate.objects.filter(registration=OuterRef("pk"), kind=kind))
        for kind in (Certificate.Kind.REGISTRATION, Certificate.Kind.PARTICIPATION,
                     Certificate.Kind.PROGRAMME)
    }
    published = Exists(Publication.objects.filter(
        course_id=OuterRef("edition__course_id"),
        period__academic_year_id=OuterRef("edition__academic_year_id"),
    ))
    attended = Exists(Session.objects.filter(
        edition_id=OuterRef("edition_id"), attendances__registration_id=OuterRef("pk"),
        attendances__present=True,
    ))
    erased_holder = Exists(_erased_users().filter(user_id=OuterRef("user_id")))
    return Registration.objects.filter(status=Registration.Status.CONFIRMED).exclude(
        erased_holder).filter(
        ~has["registration"]
        | (Q(edition__course__kind=Course.Kind.SHORT) & attended & ~has["participation"])
        | (Q(edition__course__kind=Course.Kind.POSTGRADUATE) & published & ~has["programme"])
        | (Q(edition__course__kind=Course.Kind.MICROCREDENTIAL) & published & ~has["programme"])
    ).order_by("pk")


def issue_all_due() -> int:
    """The periodic sweep: review the certificates whose basis may have changed, issue what is
    due everywhere and revoke the registration certificates of cancelled registrations.
    Idempotent; returns the number of certificates written (reviews not counted)."""
    before = Certificate.objects.count()
    for registration in registrations_to_review().iterator():
        _isolated(review_certificates, registration)
    for registration in registrations_to_check().iterator():
        _isolated(issue_due_certificates, registration)
    revoked = 0
    for certificate in list(Certificate.objects.valid().filter(
        kind=Certificate.Kind.REGISTRATION,
        registration__status=Registration.Status.CANCELLED,
    )):
        # One at a time too: a certificate that cannot be revoked must not keep the others of
        # cancelled registrations valid (rules.md §7: a revoked certificate no longer verifies).
        revoked += _isolated(_revoke_cancelled, certificate) is not None
    return Certificate.objects.count() - before + revoked


def issue_due_for_publication(publication_id: int) -> int:
    """After the LEC published a period's results of a programme: review and issue the
    certificates of its registrations of that academic year, one registration at a time (one
    that fails is logged and left to the hourly sweep; the others still get theirs). Returns
    the number of certificates issued or found."""
    from exams.models import Publication

    publication = Publication.objects.filter(pk=publication_id).select_related("period").first()
    if publication is None:
        return 0
    registrations = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        edition__course_id=publication.course_id,
        edition__academic_year_id=publication.period.academic_year_id,
    ).order_by("pk")
    issued = 0
    for registration in registrations:
        _isolated(_review_after_publication, registration)
        issued += len(_isolated(issue_due_certificates, registration) or [])
    return issued


def _review_after_publication(registration: Registration) -> list[Certificate]:
    return review_certificates(registration, cause=ReviewCause.PUBLICATION)


def _revoke_cancelled(certificate: Certificate) -> Certificate:
    return revoke_certificate(certificate, reason=_("The registration was cancelled."), by=None)


def _isolated(step, item):
    """One item's step of a sweep, in its own savepoint: an item that fails (bad data, a bug)
    is logged with its id and skipped (None), and the sweep goes on with the others (the next
    run tries it again)."""
    try:
        with transaction.atomic():
            return step(item)
    except Exception:
        logger.exception("Certificate sweep: %s of %s %s failed", step.__name__,
                         item._meta.model_name, item.pk)
        return None


# Revocation and reading -------------------------------------------------------------------------


def revoke_for_cancelled_registration(registration: Registration, *, by) -> int:
    """A cancelled registration no longer proves a registration: its registration certificate is
    revoked in the cancellation's own transaction (the hourly sweep is the backstop). Other
    kinds stay: attendance or credits earned before the cancellation remain true."""
    revoked = 0
    for certificate in Certificate.objects.valid().filter(
        kind=Certificate.Kind.REGISTRATION, registration=registration
    ):
        revoke_certificate(certificate, reason=_("The registration was cancelled."), by=by)
        revoked += 1
    return revoked


@transaction.atomic
def revoke_certificate(certificate: Certificate, reason: str, by) -> Certificate:
    """Revoke with a reason (staff, or None for the system); revoking twice keeps the first."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("Give a reason for the revocation."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revocation_reason = reason[:500]
    # Revoking is the decision a "to review" mark asks for: the mark is cleared with it.
    was_marked = certificate.review
    certificate.review = certificate.review_kept = certificate.review_cause = ""
    certificate.review_since = None
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "review",
                                    "review_kept", "review_since", "review_cause"])
    from portal.privacy.trail import without_person

    record("certificate.revoked", certificate, actor=by, organizer=_organizer_of(certificate),
           before={"revoked": False, **({"review": was_marked} if was_marked else {})},
           after={"revoked": True,
                  "reason": without_person(certificate.revocation_reason, certificate.user)})
    return certificate


def certificates_of(user):
    """All of a person's certificates, valid and revoked, newest first (dashboard, data export)."""
    return (
        Certificate.objects.filter(user=user)
        .select_related("registration__edition", "unit")
        .order_by("-issued_on", "-pk")
    )
