"""Seat accounting. Lock, check, create, all in one transaction (rules.md §1: capacity is hard).

Locks are always taken on edition rows in primary-key order, so two checkouts with the same
editions never wait on each other in a circle.
"""

from django.conf import settings
from django.db.models import Q

from courses.models import Edition
from registrations.models import CartItem, WaitingListEntry


def lock_editions(edition_ids) -> dict[int, Edition]:
    """Lock the editions' rows until commit (the one place seats are serialised)."""
    queryset = Edition.objects.select_related("course", "course__organizer", "academic_year")
    # Only the concurrency control test switches this off, to show the race it prevents.
    if not getattr(settings, "REGISTRATIONS_UNSAFE_SKIP_SEAT_LOCK", False):
        queryset = queryset.select_for_update(of=("self",))
    editions = queryset.filter(pk__in=sorted(set(edition_ids))).order_by("pk")
    return {edition.pk: edition for edition in editions}


def seats_free(edition: Edition, *, now, for_user=None) -> int:
    """Seats nobody has: not registered, not held in another cart, not offered to another."""
    holds = CartItem.objects.filter(edition=edition, held_until__gt=now)
    offers = WaitingListEntry.objects.filter(
        edition=edition, status=WaitingListEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    if for_user is not None:
        holds = holds.exclude(cart__user=for_user)
        offers = offers.exclude(user=for_user)
    return edition.seats - edition.seats_taken - holds.count() - offers.count()


def has_open_offer(edition: Edition, user, *, now) -> bool:
    return WaitingListEntry.objects.filter(
        Q(offer_expires_at__gt=now),
        edition=edition,
        user=user,
        status=WaitingListEntry.Status.OFFERED,
    ).exists()
