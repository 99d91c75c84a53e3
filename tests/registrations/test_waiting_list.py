"""The waiting list through its services: offers in order, expiry passes the seat on, idempotent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Edition
from portal.models import OutgoingEmail
from registrations import errors
from registrations.models import Cart, CartItem, WaitingListEntry
from registrations.services.cart import add_to_cart, remove_from_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.late import register_late
from registrations.services.waiting_list import (
    editions_with_waiting_lists,
    join_waiting_list,
    offer_free_seats,
    waiting_position,
)
from registrations.tasks import process_waiting_lists
from tests.factories import EditionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_edition(participant):
    edition = EditionFactory(seats=1)
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    return edition


def test_join_only_when_full(participant, other_participant):
    edition = EditionFactory(seats=5)
    with pytest.raises(errors.SeatsStillFree):
        join_waiting_list(user=other_participant, edition_id=edition.pk)


def test_positions_follow_the_order_of_joining(full_edition):
    people = [UserFactory() for _ in range(3)]
    entries = [join_waiting_list(user=p, edition_id=full_edition.pk) for p in people]
    assert [waiting_position(e) for e in entries] == [1, 2, 3]
    # Joining twice changes nothing.
    assert join_waiting_list(user=people[0], edition_id=full_edition.pk).pk == entries[0].pk


def test_raised_seats_are_offered_in_order_and_the_offer_expires(full_edition, admin_client):
    first, second = UserFactory(), UserFactory()
    join_waiting_list(user=first, edition_id=full_edition.pk)
    join_waiting_list(user=second, edition_id=full_edition.pk)
    now = timezone.now()
    Edition.objects.filter(pk=full_edition.pk).update(seats=2)

    offered = offer_free_seats(edition_id=full_edition.pk, now=now)
    assert [e.user for e in offered] == [first]
    assert offer_free_seats(edition_id=full_edition.pk, now=now) == []  # idempotent
    assert OutgoingEmail.objects.filter(user=first).count() == 1
    # The offered seat is reserved: a third person cannot take it.
    with pytest.raises(errors.EditionFull):
        add_to_cart(user=UserFactory(), edition_id=full_edition.pk, now=now)

    # 48 hours later without an answer the offer lapses and passes to the next person.
    later = now + timedelta(hours=48, seconds=1)
    offered = offer_free_seats(edition_id=full_edition.pk, now=later)
    assert [e.user for e in offered] == [second]
    assert WaitingListEntry.objects.get(user=first).status == "expired"


def test_an_offer_turns_into_a_cart_hold(full_edition):
    person = UserFactory()
    join_waiting_list(user=person, edition_id=full_edition.pk)
    Edition.objects.filter(pk=full_edition.pk).update(seats=2)
    offer_free_seats(edition_id=full_edition.pk)
    add_to_cart(user=person, edition_id=full_edition.pk)
    assert WaitingListEntry.objects.get(user=person).status == "accepted"
    record = checkout(user=person, token=Cart.objects.get(user=person).checkout_token,
                      billing=BillingDetails())
    assert record.registrations.count() == 1


def test_a_removed_cart_item_frees_its_seat_for_the_waiting_list(participant,
                                                                 django_capture_on_commit_callbacks):
    edition = EditionFactory(seats=1)
    item = add_to_cart(user=participant, edition_id=edition.pk)
    waiting = UserFactory()
    join_waiting_list(user=waiting, edition_id=edition.pk)
    with django_capture_on_commit_callbacks(execute=True):
        remove_from_cart(user=participant, item_id=item.pk)
    assert WaitingListEntry.objects.get(user=waiting).status == "offered"


def test_the_periodic_job_releases_lapsed_holds_and_offers(participant):
    edition = EditionFactory(seats=1)
    add_to_cart(user=participant, edition_id=edition.pk)
    waiting = UserFactory()
    join_waiting_list(user=waiting, edition_id=edition.pk)
    CartItem.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert process_waiting_lists() == 1
    assert not CartItem.objects.exists()
    assert WaitingListEntry.objects.get(user=waiting).status == "offered"
    assert process_waiting_lists() == 0  # run twice: nothing more


def test_a_freed_seat_belongs_to_the_waiting_list_before_the_job_runs(participant,
                                                                     other_participant):
    edition = EditionFactory(seats=1)
    add_to_cart(user=participant, edition_id=edition.pk)
    join_waiting_list(user=other_participant, edition_id=edition.pk)
    later = timezone.now() + timedelta(hours=1)  # the hold lapsed; no job has run since
    newcomer = UserFactory()
    with pytest.raises(errors.EditionFull):
        add_to_cart(user=newcomer, edition_id=edition.pk, now=later)
    # The newcomer joins the list behind the person waiting instead of being told seats are free.
    assert waiting_position(join_waiting_list(user=newcomer, edition_id=edition.pk,
                                              now=later)) == 2
    # The person waiting may take it at once, offer or not.
    add_to_cart(user=other_participant, edition_id=edition.pk, now=later)
    # The job offers the seats the list may have, people waiting not held back from it.
    Edition.objects.filter(pk=edition.pk).update(seats=2)
    assert [e.user for e in offer_free_seats(edition_id=edition.pk, now=later)] == [newcomer]


def test_registering_ends_the_persons_place_on_the_waiting_list(participant, other_participant):
    edition = EditionFactory(seats=1)
    add_to_cart(user=participant, edition_id=edition.pk)
    entry = join_waiting_list(user=other_participant, edition_id=edition.pk)
    later = timezone.now() + timedelta(hours=1)  # participant's hold lapsed
    add_to_cart(user=other_participant, edition_id=edition.pk, now=later)
    entry.refresh_from_db()
    assert entry.status == "accepted"  # the hold took the place on the list, as an offer's does
    checkout(user=other_participant, token=Cart.objects.get(user=other_participant).checkout_token,
             billing=BillingDetails(), now=later)
    Edition.objects.filter(pk=edition.pk).update(seats=2)
    assert offer_free_seats(edition_id=edition.pk, now=later) == []
    assert not OutgoingEmail.objects.filter(user=other_participant,
                                            dedup_key__startswith="seat-offered").exists()


def test_a_registration_without_the_cart_ends_the_place_too(full_edition, superuser):
    person = UserFactory()
    entry = join_waiting_list(user=person, edition_id=full_edition.pk)
    Edition.objects.filter(pk=full_edition.pk).update(seats=2)
    register_late(staff_user=superuser, user=person, edition_id=full_edition.pk)
    entry.refresh_from_db()
    assert entry.status == "registered"
    assert offer_free_seats(edition_id=full_edition.pk) == []


def test_the_migration_ends_the_places_of_people_already_registered(full_edition, participant):
    import importlib

    from django.apps import apps

    stale = WaitingListEntry.objects.create(user=participant, edition=full_edition)
    waiting = join_waiting_list(user=UserFactory(), edition_id=full_edition.pk)
    migration = importlib.import_module(
        "registrations.migrations.0005_waiting_list_registered_and_closed")
    migration.end_entries_of_registered_people(apps, None)
    stale.refresh_from_db()
    waiting.refresh_from_db()
    assert (stale.status, waiting.status) == ("registered", "waiting")


def test_an_offer_ends_when_registration_closes(participant, other_participant):
    today = timezone.localdate()
    edition = EditionFactory(seats=1, start=today + timedelta(days=8))  # last day: tomorrow
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    join_waiting_list(user=other_participant, edition_id=edition.pk)
    Edition.objects.filter(pk=edition.pk).update(seats=2)
    (entry,) = offer_free_seats(edition_id=edition.pk)
    closes = datetime.combine(today + timedelta(days=2), time.min,
                              tzinfo=ZoneInfo("Europe/Brussels"))
    assert entry.offer_expires_at == closes  # not 48 hours: registration closes before


def test_after_the_deadline_the_list_closes_instead_of_offering(participant, other_participant):
    other_participant.preferred_language = "en"
    other_participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(seats=1, start=timezone.localdate() + timedelta(days=9))
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    entry = join_waiting_list(user=other_participant, edition_id=edition.pk)
    Edition.objects.filter(pk=edition.pk).update(seats=2)
    after_deadline = timezone.now() + timedelta(days=5)  # the last day was today + 2
    assert offer_free_seats(edition_id=edition.pk, now=after_deadline) == []
    entry.refresh_from_db()
    assert entry.status == "closed"
    mail = OutgoingEmail.objects.get(user=other_participant)
    assert mail.dedup_key == f"waiting-list-closed:{entry.pk}"
    assert "Waiting list closed" in mail.subject  # in the person's language
    assert "Your place on the waiting list has therefore ended." in mail.body_text
    # Run again (the periodic job): nothing more, no second e-mail.
    assert offer_free_seats(edition_id=edition.pk, now=after_deadline) == []
    assert OutgoingEmail.objects.filter(user=other_participant).count() == 1
    assert edition.pk not in set(editions_with_waiting_lists())


def test_raising_seats_in_the_admin_offers_them(full_edition, superuser, client,
                                                django_capture_on_commit_callbacks):
    waiting = UserFactory()
    join_waiting_list(user=waiting, edition_id=full_edition.pk)
    client.force_login(superuser)
    url = reverse("admin:courses_edition_change", args=[full_edition.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"seats": 2, "course": full_edition.course_id,
                 "academic_year": full_edition.academic_year_id,
                 "start": full_edition.start.isoformat(), "end": full_edition.end.isoformat()})
    for prefix in ("sessions", "tiers"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert WaitingListEntry.objects.get(user=waiting).status == "offered"


def test_seats_cannot_go_below_those_taken_in_the_admin(full_edition, superuser, client):
    client.force_login(superuser)
    url = reverse("admin:courses_edition_change", args=[full_edition.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"seats": 0, "course": full_edition.course_id,
                 "academic_year": full_edition.academic_year_id,
                 "start": full_edition.start.isoformat(), "end": full_edition.end.isoformat()})
    for prefix in ("sessions", "tiers"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "seats" in response.context["adminform"].form.errors
    full_edition.refresh_from_db()
    assert full_edition.seats == 1


def test_one_edition_that_fails_does_not_stop_the_periodic_job(monkeypatch, caplog):
    """An edition whose offers fail (bad data, a bug) is logged and skipped: the job still
    offers the free seats of the other editions, every five minutes."""
    from registrations import tasks

    editions = []
    for _ in range(2):
        edition = EditionFactory(seats=1)
        holder = UserFactory()
        add_to_cart(user=holder, edition_id=edition.pk)
        join_waiting_list(user=UserFactory(), edition_id=edition.pk)
        editions.append(edition)
    CartItem.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    broken = min(editions, key=lambda edition: edition.pk)
    offer = tasks.offer_free_seats

    def failing_for_broken(*, edition_id, now):
        if edition_id == broken.pk:
            raise RuntimeError("broken data")
        return offer(edition_id=edition_id, now=now)

    monkeypatch.setattr(tasks, "offer_free_seats", failing_for_broken)
    monkeypatch.setattr(tasks, "editions_with_waiting_lists",
                        lambda: sorted(edition.pk for edition in editions))
    assert process_waiting_lists() == 1
    assert WaitingListEntry.objects.get(edition=broken).status == "waiting"
    assert WaitingListEntry.objects.exclude(edition=broken).get().status == "offered"
    assert f"edition {broken.pk}" in caplog.text and "broken data" in caplog.text
