"""Many people check out the last seats of one edition at the same moment (PostgreSQL, threads
with their own connections): exactly `seats` get in, invoice numbers have no gap or double.

Seats are held by add_to_cart under the edition's row lock and taken at checkout by one
conditional UPDATE (registrations/seats.py); the control test switches both off and shows this
test does catch overselling. Both run with every new hold slowed down in the database
(`slow_holds`), so the transactions overlap whatever the speed of the code: the control once
failed to race after the checkout got twice as fast."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from billing.models import Invoice
from registrations import errors
from registrations.models import Cart, Registration
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import EditionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEATS = 5
PEOPLE = 16


def rush(edition, people):
    barrier = threading.Barrier(len(people))
    outcomes = []
    lock = threading.Lock()

    def one(person):
        try:
            barrier.wait(timeout=10)
            add_to_cart(user=person, edition_id=edition.pk)
            token = Cart.objects.get(user=person).checkout_token
            checkout(user=person, token=token, billing=BillingDetails())
            outcome = "registered"
        except errors.RegistrationError as error:
            outcome = type(error).__name__
        except Exception as error:  # noqa: BLE001 - the control test counts these too
            outcome = f"error: {type(error).__name__}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return outcomes


@pytest.fixture
def slow_holds():
    """Every new cart hold takes 50 ms in the database (a trigger that sleeps before the INSERT),
    so the rush's transactions overlap for sure however fast the code around them is: without
    the guards, others count the free seats while a hold is still uncommitted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_slow_hold() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_slow_hold BEFORE INSERT ON registrations_cartitem "
            "FOR EACH ROW EXECUTE FUNCTION test_slow_hold()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_slow_hold ON registrations_cartitem")
        cursor.execute("DROP FUNCTION test_slow_hold()")


def make_rush():
    edition = EditionFactory(seats=SEATS, start=timezone.localdate() + timedelta(days=30))
    people = [UserFactory() for _ in range(PEOPLE)]
    return edition, people


def test_exactly_the_seats_are_sold_under_concurrent_checkouts(slow_holds):
    edition, people = make_rush()
    outcomes = rush(edition, people)

    assert outcomes.count("registered") == SEATS
    assert outcomes.count("EditionFull") == PEOPLE - SEATS
    assert Registration.objects.filter(edition=edition).count() == SEATS
    edition.refresh_from_db()
    assert edition.seats_taken == SEATS
    year = timezone.localdate().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"{year}-{n:06d}" for n in range(1, SEATS + 1)]


def test_control_without_the_seat_checks_the_same_rush_oversells(settings, slow_holds):
    """REGISTRATIONS_UNSAFE_SKIP_SEAT_LOCK removes both guards of the application: add_to_cart
    counts the holds without locking the edition row, and checkout takes the seat with an
    unconditional UPDATE instead of `... WHERE seats_taken < seats`. More people than seats
    then get through to the seat UPDATE; only the database's check constraint still refuses
    the surplus, as errors instead of a clean "full": the test above fails on that."""
    settings.REGISTRATIONS_UNSAFE_SKIP_SEAT_LOCK = True
    edition, people = make_rush()
    outcomes = rush(edition, people)
    refused_by_the_database = outcomes.count("error: IntegrityError")
    assert outcomes.count("registered") + refused_by_the_database > SEATS, outcomes
    assert refused_by_the_database > 0, outcomes
    # The last line of defence (edition_not_oversold) held: never more registrations than seats.
    assert Registration.objects.filter(edition=edition).count() <= SEATS


def test_a_valid_hold_still_finds_no_seat_when_staff_lowered_the_seats(participant):
    """The hold reserved the seat; the conditional UPDATE is what keeps the limit hard if the
    seats were lowered in the meantime: a clean "full" and nothing half-saved (no number used)."""
    from courses.models import Edition
    from registrations.models import Checkout

    edition = EditionFactory(seats=1, start=timezone.localdate() + timedelta(days=30))
    add_to_cart(user=participant, edition_id=edition.pk)
    Edition.objects.filter(pk=edition.pk).update(seats=0)
    token = Cart.objects.get(user=participant).checkout_token
    with pytest.raises(errors.EditionFull):
        checkout(user=participant, token=token, billing=BillingDetails())
    assert not Checkout.objects.filter(user=participant).exists()
    assert not Registration.objects.filter(edition=edition).exists()
    assert not Invoice.objects.exists()
    assert Cart.objects.get(user=participant).items.count() == 1


def test_a_voucher_is_never_used_more_than_allowed_under_concurrency():
    from decimal import Decimal

    from registrations.models import Voucher
    from registrations.services.cart import apply_voucher, summarize

    Voucher.objects.create(code="EARLY", kind="percentage", value=Decimal("20"), max_uses=3)
    edition = EditionFactory(seats=50, start=timezone.localdate() + timedelta(days=30))
    people = [UserFactory() for _ in range(10)]
    for person in people:
        add_to_cart(user=person, edition_id=edition.pk)
        apply_voucher(user=person, code="EARLY")
    shown = summarize(Cart.objects.get(user=people[0])).total  # the discounted price
    barrier = threading.Barrier(len(people))
    outcomes = []

    def one(person):
        try:
            barrier.wait(timeout=10)
            token = Cart.objects.get(user=person).checkout_token
            # Each confirms the discounted price their page showed: once the voucher is used
            # up, the price without it is not charged silently.
            checkout(user=person, token=token, billing=BillingDetails(), expected_total=shown)
            outcomes.append("registered")
        except errors.RegistrationError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert sorted(outcomes) == ["PriceChanged"] * 7 + ["registered"] * 3
    assert Voucher.objects.get(code="EARLY").times_used == 3
    assert Registration.objects.filter(voucher__code="EARLY").count() == 3


def _twice_at_once(call):
    """`call()` in two threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(2)
    results = []
    lock = threading.Lock()

    def one():
        try:
            barrier.wait(timeout=10)
            outcome = call()
        except Exception as error:  # noqa: BLE001 - the assertions name it
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


def test_a_double_click_on_confirm_makes_one_checkout():
    """The token renewal locks the cart row: the second click waits, then finds the first."""
    edition = EditionFactory(seats=3, start=timezone.localdate() + timedelta(days=30))
    person = UserFactory()
    add_to_cart(user=person, edition_id=edition.pk)
    token = Cart.objects.get(user=person).checkout_token

    results = _twice_at_once(
        lambda: checkout(user=person, token=token, billing=BillingDetails()).pk
    )

    assert len(results) == 2 and results[0] == results[1], results
    assert Registration.objects.filter(user=person, edition=edition).count() == 1
    assert Invoice.objects.filter(user=person).count() == 1
    edition.refresh_from_db()
    assert edition.seats_taken == 1


def test_a_double_click_on_add_to_cart_holds_one_seat():
    edition = EditionFactory(seats=2, start=timezone.localdate() + timedelta(days=30))
    person = UserFactory()

    results = _twice_at_once(lambda: add_to_cart(user=person, edition_id=edition.pk).pk)

    assert len(results) == 2 and all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    from registrations.models import CartItem

    assert CartItem.objects.filter(edition=edition).count() == 1
