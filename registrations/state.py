"""What an edition page shows one person about registering: full, registered, in cart, waiting,
applied. A fixed handful of queries, whatever the data."""

from dataclasses import dataclass

from django.utils import timezone

from courses.models import Edition
from registrations.models import AdmissionApplication, CartItem, Registration, WaitingListEntry
from registrations.seats import seats_free


@dataclass(frozen=True)
class RegistrationState:
    full: bool
    registered: bool = False
    in_cart: bool = False
    waiting: WaitingListEntry | None = None
    application: AdmissionApplication | None = None


def registration_state(edition: Edition, user, now=None) -> RegistrationState:
    now = now or timezone.now()
    authenticated = user is not None and user.is_authenticated
    full = seats_free(edition, now=now, for_user=user if authenticated else None) <= 0
    if not authenticated:
        return RegistrationState(full=full)
    return RegistrationState(
        full=full,
        registered=Registration.objects.filter(
            user=user, edition=edition, status=Registration.Status.CONFIRMED
        ).exists(),
        in_cart=CartItem.objects.filter(
            cart__user=user, edition=edition, held_until__gt=now
        ).exists(),
        waiting=WaitingListEntry.objects.filter(
            user=user,
            edition=edition,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        ).first(),
        application=AdmissionApplication.objects.filter(user=user, edition=edition).first(),
    )
