"""Seat accounting. Lock, check, create, all in one transaction (rules.md §1: capacity is hard).

Locks are always taken on edition rows in primary-key order, so two checkouts with the same
editions never wait on each other in a circle.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Q

from courses.models import Edition
from registrations.models import Cart, CartItem, WaitingListEntry


def lock_editions(edition_ids) -> dict[int, Edition]:
    """Lock the editions' rows until commit (the one place seats are serialised)."""
    queryset = Edition.objects.select_related("course", "course__organizer", "academic_year")
    # Only the concurrency control test switches this off, to show the race it prevents.
    if not getattr(settings, "REGISTRATIONS_UNSAFE_SKIP_SEAT_LOCK", False):
        queryset = queryset.select_for_update(of=("self",))
    editions = queryset.filter(pk__in=sorted(set(edition_ids))).order_by("pk")
    return {edition.pk: edition for edition in editions}


def seats_free(edition: Edition, *, now, for_user=None, hold_back=True) -> int:
    """Seats nobody has: not registered, not held in another cart, not offered to another,
    and none while others wait for one (`for_user`: the person's own hold, offer and place on
    the list do not count against them). `hold_back=False`: the seats the waiting list may
    offer (offer_free_seats), people waiting not counted."""
    return seats_free_for(edition.pk, now=now, user=for_user, hold_back=hold_back)[0]


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


def lock_edition_row(edition_id: int) -> None:
    """Lock one edition's row until commit, reading nothing (add_to_cart: the hold count that
    follows must be read *after* the lock, in a statement of its own, so it sees every hold
    committed while this transaction waited; PostgreSQL READ COMMITTED takes a new snapshot per
    statement)."""
    if not _unsafe() and connection.features.has_select_for_update:
        # SQL: the ORM's Python for this one-row lock took three times the database's time.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {_table(Edition)} WHERE id = %s FOR UPDATE",  # noqa: S608  # nosec B608
                           [edition_id])


def seats_free_for(edition_id: int, *, now, user, hold_back=True) -> tuple[int, bool]:
    """Free seats for `user` (None: for nobody in particular) and whether the person has an
    open place on the waiting list (an offer, or still waiting), in one query; add_to_cart
    calls it right after `lock_edition_row`.

    A seat freed while others wait (a lapsed hold or offer, a cancellation) is theirs: it goes
    out as an offer (offer_free_seats), so each person waiting holds one back from anyone not
    ahead of them on the list (rules.md §1: "offered seats in order"), also before the
    periodic job has run: a newcomer counts everybody waiting, a person waiting only those
    who joined before them (the order of `waiting_position`).

    Written in SQL (PostgreSQL and SQLite alike): it runs on every add to cart, and the ORM
    took several times longer to build this query than the database took to answer it."""
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    offered = WaitingListEntry.Status.OFFERED
    sql = f"""
        SELECT e.seats, e.seats_taken,
            (SELECT COUNT(*) FROM {_table(CartItem)} i
               JOIN {_table(Cart)} c ON c.id = i.cart_id
              WHERE i.edition_id = e.id AND i.held_until > %s AND c.user_id <> %s),
            (SELECT COUNT(*) FROM {_table(WaitingListEntry)} w
              WHERE w.edition_id = e.id AND w.status = %s AND w.offer_expires_at > %s
                AND w.user_id <> %s),
            (SELECT COUNT(*) FROM {_table(WaitingListEntry)} w
              WHERE w.edition_id = e.id AND w.status IN (%s, %s) AND w.user_id = %s),
            (SELECT COUNT(*) FROM {_table(WaitingListEntry)} w
              WHERE w.edition_id = e.id AND w.status = %s AND w.user_id <> %s
                AND NOT EXISTS (SELECT 1 FROM {_table(WaitingListEntry)} m
                                 WHERE m.edition_id = e.id AND m.status = %s AND m.user_id = %s
                                   AND (m.joined_at < w.joined_at
                                        OR (m.joined_at = w.joined_at AND m.id < w.id))))
          FROM {_table(Edition)} e WHERE e.id = %s
    """  # noqa: S608  # nosec B608 - table names from the models, values as parameters
    # No row has id 0 (ids start at 1): with nobody in particular, every hold and offer counts.
    user_id = user.pk if user is not None else 0
    waiting = WaitingListEntry.Status.WAITING
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, user_id, offered, at, user_id, offered, waiting, user_id,
                             waiting, user_id, waiting, user_id, edition_id])
        row = cursor.fetchone()
    if row is None:
        return 0, False
    seats, taken, holds, others_offers, mine, others_waiting = row
    free = seats - taken - holds - others_offers
    return free - others_waiting if hold_back else free, mine > 0


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def take_seat(edition_id: int) -> bool:
    """One conditional UPDATE: a seat is taken only while one is left (the edition row stays
    locked from here to COMMIT, so the caller runs it late). False when none is left."""
    # Unsafe (control test): unconditional, so only the database's check constraint is left.
    condition = "" if _unsafe() else " AND seats_taken < seats"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Edition)} SET seats_taken = seats_taken + 1 "  # noqa: S608  # nosec B608
            f"WHERE id = %s{condition}",
            [edition_id],
        )
        return cursor.rowcount == 1
