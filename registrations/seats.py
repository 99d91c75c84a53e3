"""Seat accounting. Lock, check, create, all in one transaction (rules.md §1: capacity is hard).

Locks are always taken on edition rows in primary-key order, so two checkouts with the same
editions never wait on each other in a circle.
"""

from django.conf import settings
from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

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


# The short paths of add_to_cart and checkout (seat_rush benchmark, tests/bench/README.md) -----


def _unsafe() -> bool:
    # Only the concurrency control test switches this on, to show the race the locks prevent.
    return getattr(settings, "REGISTRATIONS_UNSAFE_SKIP_SEAT_LOCK", False)


def _count(queryset):
    """`(SELECT count(*) FROM ...)` as an annotation of the outer row."""
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1]),
        0,
    )


def lock_edition_row(edition_id: int) -> None:
    """Lock one edition's row until commit, reading nothing (add_to_cart: the hold count that
    follows must be read *after* the lock, in a statement of its own, so it sees every hold
    committed while this transaction waited; PostgreSQL READ COMMITTED takes a new snapshot per
    statement)."""
    if not _unsafe():
        list(
            Edition.objects.select_for_update(of=("self",))
            .filter(pk=edition_id)
            .order_by()
            .values_list("pk", flat=True)
        )


def seats_free_for(edition_id: int, *, now, user) -> tuple[int, bool]:
    """Free seats for `user` (as `seats_free`) and whether the person has an open waiting-list
    offer, in one query; call it right after `lock_edition_row`."""
    others_holds = CartItem.objects.filter(
        edition=OuterRef("pk"), held_until__gt=now
    ).exclude(cart__user=user)
    offers = WaitingListEntry.objects.filter(
        edition=OuterRef("pk"), status=WaitingListEntry.Status.OFFERED
    )
    row = (
        Edition.objects.filter(pk=edition_id)
        .annotate(
            holds=_count(others_holds),
            offers=_count(offers.filter(offer_expires_at__gt=now).exclude(user=user)),
            mine=_count(offers.filter(user=user)),
        )
        .values_list("seats", "seats_taken", "holds", "offers", "mine")
        .first()
    )
    if row is None:
        return 0, False
    seats, taken, holds, others_offers, mine = row
    return seats - taken - holds - others_offers, mine > 0


def take_seat(edition_id: int) -> bool:
    """One conditional UPDATE: a seat is taken only while one is left (the edition row stays
    locked from here to COMMIT, so the caller runs it late). False when none is left."""
    editions = Edition.objects.filter(pk=edition_id)
    if not _unsafe():
        editions = editions.filter(seats_taken__lt=F("seats"))
    # Unsafe (control test): unconditional, so only the database's check constraint is left.
    return editions.update(seats_taken=F("seats_taken") + 1) == 1
