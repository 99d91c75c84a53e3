"""The cart: add (holding a seat), remove, vouchers."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.trail import Change, record_many
from billing.invoicing import registration_amounts
from billing.pricing import LineAmounts, voucher_discount
from courses.models import Edition
from portal.joined_rows import Table, select_list
from registrations import errors
from registrations.eligibility import admitted_now_sql, already_registered_sql, check_can_register
from registrations.models import (
    Cart,
    CartItem,
    RegistrationSettings,
    Voucher,
    WaitingListEntry,
)
from registrations.seats import lock_edition_row, seats_free_for


@transaction.atomic
def add_to_cart(*, user, edition_id: int, now: datetime | None = None) -> CartItem:
    """Hold a seat of the edition in the person's cart for the configured time.

    Five statements; the edition row is locked for the last two and the COMMIT only:
    1. the edition with everything eligibility needs, the person's item and the hold time;
    2. the person's cart, created or touched with a new checkout token (`INSERT ... ON
       CONFLICT DO UPDATE`: it locks the cart row, so a double click waits here);
    3. lock the edition row; 4. count the other holds and offers (after the lock: see
    `seats.lock_edition_row`); 5. the item, inserted or renewed (`ON CONFLICT DO UPDATE`).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    edition = _edition_for(user, edition_id, today, now)
    if edition is None:
        raise errors.RegistrationClosed()
    check_can_register(
        edition, user, today=today,
        registered=bool(edition.registered), admitted=bool(edition.admitted),
    )
    if edition.holding:
        return CartItem.objects.get(cart__user=user, edition=edition)
    hold_minutes = edition.hold_minutes or RegistrationSettings.current().cart_hold_minutes
    # Any change to the cart invalidates a checkout page rendered before it.
    (cart,) = Cart.objects.bulk_create(
        [Cart(user=user, checkout_token=uuid.uuid4())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["checkout_token", "updated_at"],
    )
    lock_edition_row(edition.pk)
    free, offered = seats_free_for(edition.pk, now=now, user=user)
    if free <= 0:
        raise errors.EditionFull()
    if offered:
        # A waiting-list offer (or a seat free for someone still waiting) turns into this hold:
        # it must not be counted twice, nor offered again.
        accepted = list(WaitingListEntry.objects.filter(
            user=user, edition=edition,
            status__in=[WaitingListEntry.Status.OFFERED, WaitingListEntry.Status.WAITING],
        ).values_list("pk", "status", "edition__course__organizer_id"))
        WaitingListEntry.objects.filter(pk__in=[pk for pk, _s, _o in accepted]).update(
            status=WaitingListEntry.Status.ACCEPTED
        )
        record_many("waiting_list.accepted", [
            Change(WaitingListEntry(pk=pk), before={"status": status},
                   after={"status": WaitingListEntry.Status.ACCEPTED}, organizer_id=organizer_id)
            for pk, status, organizer_id in accepted
        ], actor=user)
    (item,) = CartItem.objects.bulk_create(
        [CartItem(cart=cart, edition=edition, held_until=now + timedelta(minutes=hold_minutes))],
        update_conflicts=True,
        unique_fields=["cart", "edition"],
        update_fields=["held_until"],
    )
    return item


def _edition_for(user, edition_id: int, today, now) -> Edition | None:
    """The edition, with what add_to_cart decides on, in one query and no lock: `registered`
    and `admitted` (as registrations.eligibility reads them), `holding` (the person already
    holds a seat of it) and `hold_minutes` (RegistrationSettings, None without a row).

    Written in SQL (PostgreSQL and SQLite alike): it runs on every add to cart, and the ORM
    took several times longer to build it than the database took to answer it. The edition's
    columns are named, not `e.*`: a prepared `*` would fail ("cached plan must not change
    result type") in a process still running while a migration adds a column."""
    ops = connection.ops
    table = {
        model: ops.quote_name(model._meta.db_table)
        for model in (Edition, CartItem, Cart, RegistrationSettings)
    }
    registered, registered_params = already_registered_sql("e.id", user)
    admitted, admitted_params = admitted_now_sql("e.id", user, today)
    sql = f"""
        SELECT {select_list([Table(Edition, "e")])},
            {registered} AS registered, {admitted} AS admitted,
            EXISTS (SELECT 1 FROM {table[CartItem]} i JOIN {table[Cart]} c ON c.id = i.cart_id
                     WHERE i.edition_id = e.id AND c.user_id = %s AND i.held_until > %s)
                AS holding,
            (SELECT s.cart_hold_minutes FROM {table[RegistrationSettings]} s
              ORDER BY s.id LIMIT 1)
                AS hold_minutes
          FROM {table[Edition]} e WHERE e.id = %s
    """  # noqa: S608  # nosec B608 - table names from the models, values as parameters
    params = [
        *registered_params, *admitted_params,
        user.pk, ops.adapt_datetimefield_value(now),
        edition_id,
    ]
    return next(iter(Edition.objects.raw(sql, params)), None)


@transaction.atomic
def remove_from_cart(*, user, item_id: int) -> None:
    """Remove one item; only ever from the person's own cart."""
    deleted, _ = CartItem.objects.filter(pk=item_id, cart__user=user).delete()
    if deleted:
        cart = Cart.objects.get(user=user)
        _renew_token(cart)
        from registrations.tasks import offer_free_seats_later

        offer_free_seats_later()


@transaction.atomic
def apply_voucher(*, user, code: str, today=None) -> Voucher:
    today = today or timezone.localdate()
    cart, _created = Cart.objects.get_or_create(user=user)
    voucher = Voucher.objects.filter(code=code.strip().upper(), active=True).first()
    if voucher is None:
        raise errors.VoucherInvalid()
    items = list(cart.items.select_related("edition__course"))
    refusal = voucher_refusal(voucher, [item.edition for item in items], today)
    if refusal is not None:
        raise refusal
    cart.voucher = voucher
    cart.save(update_fields=["voucher", "updated_at"])
    _renew_token(cart)
    return voucher


@transaction.atomic
def remove_voucher(*, user) -> None:
    """Take the voucher off the person's own cart (a new checkout token: the price changes)."""
    cart = Cart.objects.select_for_update().filter(user=user, voucher__isnull=False).first()
    if cart is not None:
        cart.voucher = None
        cart.save(update_fields=["voucher", "updated_at"])
        _renew_token(cart)


def voucher_refusal(voucher: Voucher, editions, today) -> errors.RegistrationError | None:
    """Why the voucher gives no discount on these editions today, or None when it does.

    Checked when the voucher is applied, every time the cart is shown and at checkout, so the
    three always agree: inactive or out of its dates; limited to other courses (with courses
    in the cart); or fewer uses left than the courses it would discount (one use per line).
    """
    if not voucher.active or not voucher_valid_on(voucher, today):
        return errors.VoucherInvalid()
    eligible = sum(1 for edition in editions if voucher_applies(voucher, edition))
    if editions and not eligible:
        return errors.VoucherInvalid(_("This voucher is not valid for the courses in your cart."))
    if voucher.max_uses is not None and voucher.times_used + max(eligible, 1) > voucher.max_uses:
        left = max(voucher.max_uses - voucher.times_used, 0)
        if not left:
            return errors.VoucherUsedUp()
        return errors.VoucherUsedUp(ngettext(
            "This voucher can be used only once more; your cart has %(count)d courses it "
            "applies to.",
            "This voucher can be used only %(left)d more times; your cart has %(count)d "
            "courses it applies to.",
            left,
        ) % {"left": left, "count": eligible})
    return None


def voucher_valid_on(voucher: Voucher, today) -> bool:
    return (voucher.valid_from is None or voucher.valid_from <= today) and (
        voucher.valid_until is None or today <= voucher.valid_until
    )


def voucher_applies(voucher: Voucher, edition: Edition) -> bool:
    """A voucher limited to organizers, courses or editions applies to any of them."""
    organizers = {o.pk for o in voucher.organizers.all()}
    courses = {c.pk for c in voucher.courses.all()}
    editions = {e.pk for e in voucher.editions.all()}
    if not (organizers or courses or editions):
        return True
    return (
        edition.course.organizer_id in organizers
        or edition.course_id in courses
        or edition.pk in editions
    )


@dataclass(frozen=True)
class CartLine:
    item: CartItem
    amounts: LineAmounts


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine]
    net: Decimal
    vat: Decimal
    total: Decimal
    expires_at: datetime | None
    # Why the cart's voucher gives no discount (no longer valid, used up): shown with the cart.
    voucher_refusal: str = ""

    @property
    def hold_lapsed(self) -> bool:
        """The seats are no longer held (the checkout still goes through while seats are free):
        the cart says so in words rather than counting down from nothing."""
        return self.expires_at is not None and self.expires_at <= timezone.now()


def price_lines(editions, voucher: Voucher | None) -> list[LineAmounts]:
    """Each edition's price with the voucher's discount where it applies."""
    amounts = []
    for edition in editions:
        discount = Decimal("0.00")
        if voucher is not None and voucher_applies(voucher, edition):
            discount = voucher_discount(edition.fee, voucher.kind, voucher.value)
        amounts.append(registration_amounts(edition, discount))
    return amounts


def summarize(cart: Cart | None, today=None) -> CartSummary:
    """The cart's lines and totals, priced as checkout would price them today: a voucher that
    no longer applies (see `voucher_refusal`) gives no discount, and says why."""
    if cart is None:
        return CartSummary([], Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None)
    items = list(
        cart.items.select_related("edition__course__organizer").prefetch_related(
            "edition__course__units"
        )
    )
    editions = [item.edition for item in items]
    voucher = cart.voucher
    refusal = None
    if voucher is not None:
        voucher = Voucher.objects.prefetch_related("organizers", "courses", "editions").get(
            pk=voucher.pk
        )
        refusal = voucher_refusal(voucher, editions, today or timezone.localdate())
        if refusal is not None:
            voucher = None
    amounts = price_lines(editions, voucher)
    lines = [CartLine(item, a) for item, a in zip(items, amounts, strict=True)]
    return CartSummary(
        lines=lines,
        net=sum((a.net for a in amounts), Decimal("0.00")),
        vat=sum((a.vat for a in amounts), Decimal("0.00")),
        total=sum((a.total for a in amounts), Decimal("0.00")),
        expires_at=min((item.held_until for item in items), default=None),
        voucher_refusal=refusal.message if refusal is not None else "",
    )


def _renew_token(cart: Cart) -> None:
    """Any change to the cart invalidates a checkout page rendered before it."""
    cart.checkout_token = uuid.uuid4()
    cart.save(update_fields=["checkout_token", "updated_at"])
