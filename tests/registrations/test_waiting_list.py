"""The waiting list through its services: offers in order, expiry passes the seat on, idempotent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Edition
from portal.models import OutgoingEmail
from registrations import errors
from registrations.models import Cart, CartItem, WaitingListEntry
from registrations.services.cart import add_to_cart, remove_from_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.waiting_list import (
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
