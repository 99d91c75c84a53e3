"""Checkout: one transaction creates the registrations (price snapshotted), one invoice per
organizer with its number and structured communication, and the outgoing e-mails.

Locking rules (pretix's, in short): lock the cart (serialises one person's double click), then
the editions in primary-key order, then the voucher; check; create; commit. The invoice number
series are locked last, inside `issue_invoice`, in organizer order.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from billing.invoicing import add_instalments, issue_invoice
from billing.models import KmoProject, VatNumberCheck
from portal.queueing import enqueue_on_commit
from registrations import errors
from registrations.eligibility import check_can_register
from registrations.models import Cart, Checkout, Registration, Voucher
from registrations.seats import lock_editions, seats_free
from registrations.services.cart import price_lines, voucher_valid_on


@dataclass(frozen=True)
class BillingDetails:
    invoice_to: str = Checkout.InvoiceTo.PERSON
    vat_number: str = ""
    vat_status: str = ""
    company_name: str = ""
    company_address: str = ""
    third_party_name: str = ""
    third_party_address: str = ""
    kmo_portefeuille: bool = False
    instalments: int = 1


@transaction.atomic
def checkout(
    *,
    user,
    token: uuid.UUID | str,
    billing: BillingDetails,
    now: datetime | None = None,
    late_by_staff: bool = False,
) -> Checkout:
    """Confirm the cart. Idempotent per `token`: a second confirm returns the first checkout."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    token = uuid.UUID(str(token))
    cart = Cart.objects.select_for_update().filter(user=user).first()
    done = Checkout.objects.filter(user=user, token=token).first()
    if done is not None:
        return done
    if cart is None:
        raise errors.EmptyCart()
    if cart.checkout_token != token:
        raise errors.StaleCheckout()
    items = list(cart.items.all())
    if not items:
        raise errors.EmptyCart()
    if not 1 <= billing.instalments <= 9:
        raise errors.RegistrationError()

    editions = lock_editions([item.edition_id for item in items])
    ordered = [editions[item.edition_id] for item in items]
    if billing.instalments > max_instalments(ordered):
        raise errors.InstalmentsNotAllowed()
    for item, edition in zip(items, ordered, strict=True):
        check_can_register(edition, user, today=today, late_by_staff=late_by_staff)
        # An expired hold is fine as long as a seat is still free for this person.
        if item.held_until <= now and seats_free(edition, now=now, for_user=user) <= 0:
            raise errors.CartExpired()

    voucher = _lock_voucher(cart.voucher_id, today)
    amounts = price_lines(ordered, voucher)
    uses = sum(1 for a in amounts if a.discount > 0)
    if voucher is not None and uses:
        if voucher.max_uses is not None and voucher.times_used + uses > voucher.max_uses:
            raise errors.VoucherUsedUp()
        voucher.times_used += uses
        voucher.save(update_fields=["times_used"])

    record = Checkout.objects.create(
        user=user,
        token=token,
        invoice_to=billing.invoice_to,
        company_name=billing.company_name,
        company_address=billing.company_address,
        vat_number=billing.vat_number,
        vat_status=billing.vat_status,
        third_party_name=billing.third_party_name,
        third_party_address=billing.third_party_address,
        kmo_portefeuille=billing.kmo_portefeuille,
        instalments=billing.instalments,
        voucher=voucher if uses else None,
    )
    if billing.invoice_to == Checkout.InvoiceTo.COMPANY:
        VatNumberCheck.objects.create(
            checkout=record,
            vat_number=billing.vat_number,
            status=billing.vat_status or "unverified",
            name=billing.company_name,
            address=billing.company_address,
        )
    registrations = []
    for edition, amount in zip(ordered, amounts, strict=True):
        registrations.append(
            Registration(
                user=user,
                edition=edition,
                checkout=record,
                registered_on=today,
                fee=amount.amount,
                programme_amount=edition.programme_amount,
                credit_amount=edition.credit_amount,
                discount=amount.discount,
                net=amount.net,
                vat=amount.vat,
                total=amount.total,
                voucher=voucher if amount.discount > 0 else None,
                late_by_staff=late_by_staff,
            )
        )
        # Written from the locked read: without the lock this loses updates (the control test).
        edition.seats_taken += 1
        edition.save(update_fields=["seats_taken"])
    Registration.objects.bulk_create(registrations)
    from exams.services.enrolment import enrol_first_chance

    for registration in registrations:
        # Seed 2 art. 8: registered participants sit the first chance of every unit.
        enrol_first_chance(registration, today=today)

    by_organizer: dict[int, list[Registration]] = {}
    for registration in registrations:
        by_organizer.setdefault(registration.edition.course.organizer_id, []).append(registration)
    invoices = []
    for organizer_id in sorted(by_organizer):
        group = by_organizer[organizer_id]
        invoices.append(
            issue_invoice(
                organizer=group[0].edition.course.organizer,
                user=user,
                checkout=record,
                registrations=group,
                buyer=_buyer(user, billing),
                language=user.preferred_language,
                today=today,
            )
        )

    for invoice in invoices:
        add_instalments(invoice, billing.instalments)
        if billing.kmo_portefeuille and billing.invoice_to == Checkout.InvoiceTo.COMPANY:
            # The wallet pays the amount excluding VAT; the company pays the VAT (rules.md §2).
            KmoProject.objects.create(
                invoice=invoice,
                enterprise_number=billing.vat_number,
                expected_amount=invoice.net_total,
            )

    cart.items.all().delete()
    cart.voucher = None
    cart.checkout_token = uuid.uuid4()
    cart.save(update_fields=["voucher", "checkout_token", "updated_at"])

    from registrations.notifications import checkout_confirmed

    checkout_confirmed(record, registrations, invoices)
    if billing.invoice_to == Checkout.InvoiceTo.COMPANY and billing.vat_status == "unverified":
        from billing.tasks import recheck_vat_number

        enqueue_on_commit(recheck_vat_number, checkout_id=record.pk)
    return record


def max_instalments(editions) -> int:
    """Instalments only when every edition in the cart allows them; at most the smallest cap."""
    if not editions or not all(e.instalments_allowed for e in editions):
        return 1
    return min(e.max_instalments for e in editions)


def _lock_voucher(voucher_id, today) -> Voucher | None:
    if voucher_id is None:
        return None
    voucher = (
        Voucher.objects.select_for_update()
        .prefetch_related("organizers", "courses", "editions")
        .get(pk=voucher_id)
    )
    if not voucher.active or not voucher_valid_on(voucher, today):
        raise errors.VoucherInvalid()
    return voucher


def _buyer(user, billing: BillingDetails) -> dict:
    company = billing.invoice_to == Checkout.InvoiceTo.COMPANY
    person_address = "\n".join(
        part
        for part in (user.street, f"{user.postal_code} {user.city}".strip(), user.country)
        if part
    )
    return {
        "customer_kind": "company" if company else "person",
        "customer_name": billing.company_name if company else (user.get_full_name() or user.email),
        "customer_address": billing.company_address if company else person_address,
        "customer_vat_number": billing.vat_number if company else "",
        "vat_check": billing.vat_status if company else "",
        "third_party_name": billing.third_party_name,
        "third_party_address": billing.third_party_address,
        "kmo_portefeuille": billing.kmo_portefeuille,
    }
