"""The cart: add (holding a seat), remove, vouchers."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.invoicing import registration_amounts
from billing.pricing import LineAmounts, voucher_discount
from courses.models import Edition
from registrations import errors
from registrations.eligibility import check_can_register
from registrations.models import Cart, CartItem, RegistrationSettings, Voucher, WaitingListEntry
from registrations.seats import lock_editions, seats_free


@transaction.atomic
def add_to_cart(*, user, edition_id: int, now: datetime | None = None) -> CartItem:
    """Hold a seat of the edition in the person's cart for the configured time."""
    now = now or timezone.now()
    edition = lock_editions([edition_id]).get(edition_id)
    if edition is None:
        raise errors.RegistrationClosed()
    check_can_register(edition, user, today=timezone.localdate(now))
    cart, _created = Cart.objects.get_or_create(user=user)
    hold = timedelta(minutes=RegistrationSettings.current().cart_hold_minutes)
    existing = CartItem.objects.filter(cart=cart, edition=edition).first()
    if existing and existing.held_until > now:
        return existing
    if seats_free(edition, now=now, for_user=user) <= 0:
        raise errors.EditionFull()
    # A waiting-list offer turns into this hold: it must not be counted twice.
    WaitingListEntry.objects.filter(
        user=user, edition=edition, status=WaitingListEntry.Status.OFFERED
    ).update(status=WaitingListEntry.Status.ACCEPTED)
    if existing:
        existing.held_until = now + hold
        existing.save(update_fields=["held_until"])
        item = existing
    else:
        item = CartItem.objects.create(cart=cart, edition=edition, held_until=now + hold)
    _renew_token(cart)
    return item


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
    if voucher is None or not voucher_valid_on(voucher, today):
        raise errors.VoucherInvalid()
    if voucher.max_uses is not None and voucher.times_used >= voucher.max_uses:
        raise errors.VoucherUsedUp()
    items = list(cart.items.select_related("edition__course"))
    if items and not any(voucher_applies(voucher, item.edition) for item in items):
        raise errors.VoucherInvalid(_("This voucher is not valid for the courses in your cart."))
    cart.voucher = voucher
    cart.save(update_fields=["voucher", "updated_at"])
    _renew_token(cart)
    return voucher


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


def price_lines(editions, voucher: Voucher | None) -> list[LineAmounts]:
    """Each edition's price with the voucher's discount where it applies."""
    amounts = []
    for edition in editions:
        discount = Decimal("0.00")
        if voucher is not None and voucher_applies(voucher, edition):
            discount = voucher_discount(edition.fee, voucher.kind, voucher.value)
        amounts.append(registration_amounts(edition, discount))
    return amounts


def summarize(cart: Cart | None) -> CartSummary:
    if cart is None:
        return CartSummary([], Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None)
    items = list(
        cart.items.select_related("edition__course__organizer").prefetch_related(
            "edition__course__units"
        )
    )
    voucher = cart.voucher
    if voucher is not None:
        voucher = Voucher.objects.prefetch_related("organizers", "courses", "editions").get(
            pk=voucher.pk
        )
    amounts = price_lines([item.edition for item in items], voucher)
    lines = [CartLine(item, a) for item, a in zip(items, amounts, strict=True)]
    return CartSummary(
        lines=lines,
        net=sum((a.net for a in amounts), Decimal("0.00")),
        vat=sum((a.vat for a in amounts), Decimal("0.00")),
        total=sum((a.total for a in amounts), Decimal("0.00")),
        expires_at=min((item.held_until for item in items), default=None),
    )


def _renew_token(cart: Cart) -> None:
    """Any change to the cart invalidates a checkout page rendered before it."""
    cart.checkout_token = uuid.uuid4()
    cart.save(update_fields=["checkout_token", "updated_at"])
