"""Admission: the candidate applies; staff admit or reject; admitted candidates register in time."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.trail import record
from courses.models import Edition
from registrations import errors
from registrations.models import AdmissionApplication, RegistrationSettings
from registrations.policies import registration_deadline

CV_MAX_BYTES = 5 * 1024 * 1024
CV_TOO_LARGE = _("The CV may be at most 5 MB.")


class ApplicationError(errors.RegistrationError):
    message = _("This application is not possible.")


def validate_cv(upload) -> None:
    """PDF only, at most 5 MB: checked on the content, not on the name the browser sent."""
    if upload.size > CV_MAX_BYTES:
        raise ApplicationError(CV_TOO_LARGE)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ApplicationError(_("The CV must be a PDF file."))


@transaction.atomic
def apply_for_admission(
    *, user, edition_id: int, motivation: str, prior_knowledge: str, experience: str, cv=None,
    today=None,
) -> AdmissionApplication:
    today = today or timezone.localdate()
    edition = Edition.objects.select_for_update().get(pk=edition_id)
    refusal = application_refusal(user, edition, today)
    if refusal:
        raise ApplicationError(refusal)
    application = AdmissionApplication(
        user=user,
        edition=edition,
        motivation=motivation.strip(),
        prior_knowledge=prior_knowledge.strip(),
        experience=experience.strip(),
    )
    if cv is not None:
        validate_cv(cv)
        # Only the last path component, for display; the stored name is random.
        application.cv_name = cv.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
        application.cv.save("cv.pdf", cv, save=False)
    application.save()
    # The motivation, experience and CV stay out of the trail (personal data).
    record("admission.applied", application, actor=user,
           organizer=edition.course.organizer_id,
           after={"edition": edition.pk, "status": application.status})
    return application


def application_refusal(user, edition, today) -> str | None:
    """Why this person cannot apply for this edition today, or None when they can. The apply
    page asks before showing its form, so nobody types three long texts for nothing; the
    application asks again under the edition's lock."""
    if not edition.admission_required or edition.status != Edition.Status.OPEN:
        return str(_("This edition does not take applications."))
    # An admitted candidate must still be able to register (rules.md §1): no applications
    # after the registration deadline, whatever the page shows.
    deadline = _deadline(edition)
    if today > deadline:
        return str(
            _("Registration for this edition closed on %(date)s: applications are no longer "
              "accepted.") % {"date": deadline.strftime("%d/%m/%Y")})
    if AdmissionApplication.objects.filter(user=user, edition=edition).exists():
        return str(_("You have already applied for this edition."))
    return None


def admission_term(today, days: int, deadline):
    """The last day an admitted candidate may register and pay: the configured number of days
    from the decision, but never after the registration deadline (seed 2 art. 3.2: the
    candidate registers like everyone else, up to and including that day). None when the
    deadline has already passed: such a candidate can only be registered late by staff."""
    term = min(today + timedelta(days=days), deadline)
    return term if term >= today else None


def _deadline(edition):
    return registration_deadline(edition.start, edition.registration_closes_days_before)


@transaction.atomic
def decide_admission(
    *, application_id: int, admitted: bool, staff_user, note: str = "", today=None
) -> AdmissionApplication:
    """Admit (with a term to register and pay) or reject; the candidate is told by e-mail."""
    today = today or timezone.localdate()
    application = (
        AdmissionApplication.objects.select_for_update()
        .select_related("user", "edition__course")
        .get(pk=application_id)
    )
    if application.status != AdmissionApplication.Status.SUBMITTED:
        raise ApplicationError(_("This application has already been decided."))
    if admitted:
        deadline = _deadline(application.edition)
        term = admission_term(today, RegistrationSettings.current().admission_payment_days,
                              deadline)
        if term is None:
            # An admission e-mail with a term already past would promise what the site refuses.
            raise ApplicationError(
                _("Registration for this edition closed on %(date)s: an admitted candidate "
                  "could no longer register. Reject the application, or register the "
                  "candidate late by hand.") % {"date": deadline.strftime("%d/%m/%Y")})
    application.status = (
        AdmissionApplication.Status.ADMITTED if admitted else AdmissionApplication.Status.REJECTED
    )
    application.decided_at = timezone.now()
    application.decided_by = staff_user
    application.decision_note = note
    if admitted:
        application.register_before = term
    application.save()
    record("admission.decided", application, actor=staff_user,
           organizer=application.edition.course.organizer_id,
           before={"status": AdmissionApplication.Status.SUBMITTED},
           after={"status": application.status, "register_before": application.register_before})
    from registrations.notifications import admission_decided

    admission_decided(application)
    return application
