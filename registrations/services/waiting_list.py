"""The waiting list: join when full; free seats are offered in order, offers expire and pass on."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.trail import Change, record, record_many
from courses.models import Edition
from registrations import errors
from registrations.eligibility import check_can_register
from registrations.models import RegistrationSettings, WaitingListEntry
from registrations.policies import registration_deadline
from registrations.seats import lock_editions, seats_free

OPEN = (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED)


@transaction.atomic
def join_waiting_list(*, user, edition_id: int, now: datetime | None = None) -> WaitingListEntry:
    now = now or timezone.now()
    edition = lock_editions([edition_id]).get(edition_id)
    if edition is None:
        raise errors.RegistrationClosed()
    check_can_register(edition, user, today=timezone.localdate(now))
    existing = WaitingListEntry.objects.filter(user=user, edition=edition, status__in=OPEN)
    if existing.exists():
        return existing.get()
    if seats_free(edition, now=now, for_user=user) > 0:
        raise errors.SeatsStillFree()
    entry = WaitingListEntry.objects.create(user=user, edition=edition)
    record("waiting_list.joined", entry, actor=user, organizer=edition.course.organizer_id,
           after={"edition": edition.pk, "status": entry.status})
    return entry


@transaction.atomic
def leave_waiting_list(*, user, entry_id: int) -> None:
    entry = (WaitingListEntry.objects.select_for_update().select_related("edition__course")
             .filter(pk=entry_id, user=user, status__in=OPEN).first())
    if entry is None:
        return
    before = entry.status
    entry.status = WaitingListEntry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    record("waiting_list.left", entry, actor=user, organizer=entry.edition.course.organizer_id,
           before={"status": before}, after={"status": entry.status})


def waiting_position(entry: WaitingListEntry) -> int:
    """1 for the first person still waiting."""
    return _ahead_or_same(entry.edition_id, entry.joined_at, entry.pk).count()


def _ahead_or_same(edition_id, joined_at, pk):
    """The entries still waiting on the edition up to and including this one (joined earlier,
    or at the same instant with a lower or equal id)."""
    return (
        WaitingListEntry.objects.filter(
            edition_id=edition_id, status=WaitingListEntry.Status.WAITING,
            joined_at__lte=joined_at,
        )
        .exclude(pk__gt=pk, joined_at=joined_at)
    )


def with_waiting_position(entries):
    """The queryset of entries annotated with `waiting_position` (as `waiting_position()`, in
    the same query: the dashboard lists any number of entries)."""
    ahead = (
        _ahead_or_same(OuterRef("edition_id"), OuterRef("joined_at"), OuterRef("pk"))
        .order_by().values("edition_id").annotate(n=Count("pk")).values("n")
    )
    return entries.annotate(waiting_position=Coalesce(Subquery(ahead), 0))


@transaction.atomic
def offer_free_seats(*, edition_id: int, now: datetime | None = None) -> list[WaitingListEntry]:
    """Expire lapsed offers, then offer each free seat to the next person waiting.

    Idempotent: run twice, the second run finds no free seat that is not already offered.
    """
    now = now or timezone.now()
    edition = lock_editions([edition_id]).get(edition_id)
    if edition is None:
        return []
    lapsed = list(WaitingListEntry.objects.filter(
        edition=edition, status=WaitingListEntry.Status.OFFERED, offer_expires_at__lte=now
    ))
    if lapsed:
        WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in lapsed]).update(
            status=WaitingListEntry.Status.EXPIRED
        )
        record_many("waiting_list.offer_expired", [
            Change(entry, before={"status": WaitingListEntry.Status.OFFERED},
                   after={"status": WaitingListEntry.Status.EXPIRED},
                   organizer_id=edition.course.organizer_id)
            for entry in lapsed
        ])
    if edition.status != Edition.Status.OPEN:
        return []
    deadline = registration_deadline(edition.start, edition.registration_closes_days_before)
    if timezone.localdate(now) > deadline:
        close_waiting_list(edition)
        return []
    free = seats_free(edition, now=now, hold_back=False)
    if free <= 0:
        return []
    hours = RegistrationSettings.current().offer_valid_hours
    # An offer ends when registration closes (the end of the deadline day, Brussels time): the
    # e-mail must not promise a seat the site will refuse.
    closes = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
    offered = list(
        WaitingListEntry.objects.filter(edition=edition, status=WaitingListEntry.Status.WAITING)
        .select_related("user")
        .order_by("joined_at", "pk")[:free]
    )
    from registrations.notifications import seat_offered

    for entry in offered:
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = min(now + timedelta(hours=hours), closes)
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        seat_offered(entry)
    record_many("waiting_list.offered", [
        Change(entry, before={"status": WaitingListEntry.Status.WAITING},
               after={"status": entry.status, "offer_expires_at": entry.offer_expires_at},
               organizer_id=edition.course.organizer_id)
        for entry in offered
    ])
    return offered


def close_waiting_list(edition: Edition) -> list[WaitingListEntry]:
    """Registration has closed (the deadline passed): no seat is offered any more, so nobody is
    left waiting for one. Every open place ends and its person is told once by e-mail; staff can
    still register someone late by hand. Called under the edition lock."""
    closing = list(WaitingListEntry.objects.filter(edition=edition, status__in=OPEN)
                   .select_related("user"))
    if not closing:
        return []
    WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in closing]).update(
        status=WaitingListEntry.Status.CLOSED
    )
    from registrations.notifications import waiting_list_closed

    changes = []
    for entry in closing:
        changes.append(Change(entry, before={"status": entry.status},
                              after={"status": WaitingListEntry.Status.CLOSED},
                              organizer_id=edition.course.organizer_id))
        entry.status = WaitingListEntry.Status.CLOSED
        entry.edition = edition
        waiting_list_closed(entry)
    record_many("waiting_list.closed", changes)
    return closing


def editions_with_waiting_lists():
    return (
        WaitingListEntry.objects.filter(status__in=OPEN)
        .values_list("edition_id", flat=True)
        .distinct()
    )
