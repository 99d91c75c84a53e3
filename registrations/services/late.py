"""A late registration accepted by staff by hand (seed 2 art. 3.2): no deadline, same seats."""

import uuid

from django.db import transaction
from django.utils import timezone

from audit.context import acting_as
from courses.models import Edition
from registrations import errors
from registrations.eligibility import check_can_register
from registrations.models import Cart, CartItem
from registrations.seats import seats_free
from registrations.services.checkout import BillingDetails, checkout


@transaction.atomic
def register_late(*, staff_user, user, edition_id: int, billing: BillingDetails | None = None):
    """Registers `user` as a checkout of one edition would, skipping only the deadline."""
    now = timezone.now()
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        raise errors.RegistrationClosed()
    check_can_register(edition, user, today=timezone.localdate(now), late_by_staff=True)
    # A first answer without a lock; checkout checks again under the edition lock, last (the
    # hold below is already expired), in the order every checkout takes its locks.
    if seats_free(edition, now=now, for_user=user) <= 0:
        raise errors.EditionFull()
    cart, _ = Cart.objects.select_for_update().get_or_create(user=user)
    # The person's own cart is set aside: the late registration is this one edition only,
    # at its fee; the voucher the person applied to their cart stays theirs (not used up here).
    saved = list(cart.items.values_list("edition_id", "held_until"))
    saved_voucher_id = cart.voucher_id
    cart.items.all().delete()
    CartItem.objects.create(cart=cart, edition=edition, held_until=now)
    cart.checkout_token = uuid.uuid4()
    cart.voucher = None
    cart.save(update_fields=["checkout_token", "voucher", "updated_at"])
    with acting_as(staff_user):  # the staff member, not the participant, does all of it
        try:
            record = checkout(
                user=user, token=cart.checkout_token, billing=billing or BillingDetails(),
                now=now, late_by_staff=True,
            )
        except errors.CartExpired as full:
            raise errors.EditionFull() from full
    CartItem.objects.bulk_create(
        [CartItem(cart=cart, edition_id=e, held_until=h) for e, h in saved if e != edition.pk]
    )
    if saved_voucher_id is not None:
        Cart.objects.filter(pk=cart.pk).update(voucher_id=saved_voucher_id)
    return record.registrations.get()
