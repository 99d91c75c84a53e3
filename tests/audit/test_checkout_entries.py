"""Checkout: each registration's confirmation is one audit entry (all in one INSERT), the
invoice its chain link; a waiting-list offer taken into the cart is one entry; the audit adds
a small constant number of statements to a checkout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.context import acting_as
from audit.models import ChainHead
from courses.models import Edition
from registrations.models import Cart
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.waiting_list import join_waiting_list, offer_free_seats
from tests.audit.conftest import entries
from tests.factories import EditionFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def confirm(user):
    return checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                    billing=BillingDetails())


def test_each_registration_is_one_entry_as_the_participant(participant, two_organizers):
    gent, hasselt = two_organizers
    editions = [EditionFactory(course__organizer=gent, fee_amount=Decimal("300.00")),
                EditionFactory(course__organizer=gent),
                EditionFactory(course__organizer=hasselt)]
    for edition in editions:
        add_to_cart(user=participant, edition_id=edition.pk)
    # The chains exist (an organizer's very first document creates its chain row: two more)
    ChainHead.objects.bulk_create([ChainHead(organizer=gent), ChainHead(organizer=hasselt)])
    with CaptureQueriesContext(connection) as queries, acting_as(participant):
        record = confirm(participant)
    confirmed = entries("registration.confirmed").order_by("pk")
    registrations = list(record.registrations.order_by("pk"))
    assert [e.object_id for e in confirmed] == [str(r.pk) for r in registrations]
    first = confirmed[0]
    assert (first.actor, first.before, first.organizer) == (participant, None, gent)
    assert first.after == {"status": "confirmed", "edition": editions[0].pk,
                           "checkout": record.pk, "total": "300.00", "late_by_staff": False}
    assert [e.organizer for e in confirmed] == [gent, gent, hasselt]
    assert entries("invoice.issued").count() == 2
    audit = [q["sql"] for q in queries.captured_queries if "audit_" in q["sql"]]
    # one INSERT for the registrations; per invoice: chain lock, previous link, INSERT
    assert len(audit) == 1 + 2 * 3


def test_a_failed_checkout_leaves_no_entry(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    with pytest.raises(Boom), transaction.atomic():
        confirm(participant)
        assert entries("registration.confirmed").count() == 1
        raise Boom
    assert not entries("registration.confirmed").exists()
    assert not entries("invoice.issued").exists()


def test_a_late_registration_is_confirmed_by_the_staff_member(client, course_admin,
                                                              participant):
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=1))
    client.force_login(course_admin)
    client.post(reverse("admin:registrations_registration_late"),
                {"user": participant.pk, "edition": edition.pk})
    entry = entries("registration.confirmed").get()
    assert (entry.actor, entry.after["late_by_staff"]) == (course_admin, True)


def test_an_offer_taken_into_the_cart_is_accepted(participant, other_participant):
    edition = EditionFactory(seats=1, course__organizer=OrganizerFactory())
    add_to_cart(user=participant, edition_id=edition.pk)
    confirm(participant)
    entry = join_waiting_list(user=other_participant, edition_id=edition.pk)
    Edition.objects.filter(pk=edition.pk).update(seats=2)
    offer_free_seats(edition_id=edition.pk, now=timezone.now())
    add_to_cart(user=other_participant, edition_id=edition.pk)
    accepted = entries("waiting_list.accepted", entry).get()
    assert (accepted.actor, accepted.before, accepted.after) == (
        other_participant, {"status": "offered"}, {"status": "accepted"})
