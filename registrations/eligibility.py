"""May this person register for this edition today? Shared by the cart and the checkout."""

from django.utils import timezone

from courses.models import Edition
from registrations import errors
from registrations.models import AdmissionApplication, Registration
from registrations.policies import registration_deadline


def check_can_register(edition: Edition, user, *, today=None, late_by_staff=False) -> None:
    """Raise the matching RegistrationError, or return when registering is allowed."""
    today = today or timezone.localdate()
    if edition.status != Edition.Status.OPEN and not (
        late_by_staff and edition.status == Edition.Status.CLOSED
    ):
        raise errors.RegistrationClosed()
    # Seed 2 art. 3.2: open up to and including the deadline day; staff may accept later ones.
    deadline = registration_deadline(edition.start, edition.registration_closes_days_before)
    if today > deadline and not late_by_staff:
        raise errors.RegistrationClosed()
    if Registration.objects.filter(
        user=user, edition=edition, status=Registration.Status.CONFIRMED
    ).exists():
        raise errors.AlreadyRegistered()
    if edition.admission_required and not late_by_staff:
        admitted = AdmissionApplication.objects.filter(
            user=user,
            edition=edition,
            status=AdmissionApplication.Status.ADMITTED,
            register_before__gte=today,
        ).exists()
        if not admitted:
            raise errors.AdmissionRequired()
