"""Checkout: one transaction creates the registrations (price snapshotted), one invoice per
organizer with its number and structured communication, and the outgoing e-mails.

Locks, in this order (the order cancellations take them too: series, audit chain, edition;
so no two transactions wait in a circle):
1. the person's cart row, by renewing its checkout token (serialises a double click);
2. the voucher row, when there is one;
3. late, the invoice number series of each organizer (`issue_invoice`, organizer order) with
   the organizer's audit chain: only the invoice, its lines and the e-mail follow;
4. last, the seats: one conditional `UPDATE ... SET seats_taken = seats_taken + 1 WHERE
   seats_taken < seats` per edition (primary-key order), right before COMMIT. A valid hold
   already reserved the seat (add_to_cart counted it under the edition lock), so turning it
   into a registration does not change the free seats: the UPDATE backs the hard limit up, and
   the edition row is locked for one statement and the COMMIT instead of the whole
   transaction. Only an expired hold takes `lock_editions` + `seats_free` here first.

Everything else (eligibility, prices, the checkout, registrations, exam enrolments, emptying
the cart) is read or written before the first shared lock. Measured in tests/bench/README.md
(seat_rush).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import Change, record_many
from billing.invoicing import add_instalments, issue_invoice
from billing.models import KmoProject, VatNumberCheck
from courses.models import MAX_INSTALMENTS, AcademicYear, Course, Edition, Organizer
from portal.joined_rows import Table, read, select_list
from portal.queueing import enqueue_on_commit
from registrations import errors
from registrations.eligibility import admitted_now_sql, already_registered_sql, check_can_register
from registrations.models import (
    Cart,
    CartItem,
    Checkout,
    Registration,
    Voucher,
    WaitingListEntry,
)
from registrations.seats import lock_editions, seats_free, take_seat
from registrations.services.cart import price_lines, voucher_refusal


@dataclass(frozen=True)
class BillingDetails:
    invoice_to: str = Checkout.InvoiceTo.PERSON
    vat_number: str = ""
    vat_status: str = ""
    company_name: str = ""
    company_address: str = ""
    third_party_name: str = ""
    third_party_address: str = ""
    third_party_vat_number: str = ""
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
    expected_total: Decimal | None = None,
) -> Checkout:
    """Confirm the cart. Idempotent per `token`: a second confirm returns the first checkout.

    `expected_total` is the total the person saw on the page they confirm: when the price
    changed since (a fee edited, a voucher expired or used up meanwhile) nothing is saved and
    `PriceChanged` is raised, so nobody is charged a price they did not see. Only callers that
    show no price (staff's late registration) leave it out.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    token = uuid.UUID(str(token))

    # 1. The cart: renewing its token locks its row (a second click waits here, then finds
    #    the token changed and gets the first checkout); its items with what the checks need.
    renewed = Cart.objects.filter(user=user, checkout_token=token).update(
        checkout_token=uuid.uuid4(), updated_at=now
    )
    if not renewed:
        done = Checkout.objects.filter(user=user, token=token).first()
        if done is not None:
            return done
        if Cart.objects.filter(user=user).exists():
            raise errors.StaleCheckout()
        raise errors.EmptyCart()
    items = _items(user, today)
    if not items:
        raise errors.EmptyCart()
    if not 1 <= billing.instalments <= MAX_INSTALMENTS:
        raise errors.RegistrationError()
    editions = [item.edition for item in items]
    if billing.instalments > max_instalments(editions):
        raise errors.InstalmentsNotAllowed()
    for item in items:
        check_can_register(
            item.edition, user, today=today, late_by_staff=late_by_staff,
            registered=item.registered, admitted=item.admitted,
        )
    check_kmo(editions, billing)

    # 2. Prices, the voucher's use, the checkout and its registrations. A voucher that no
    #    longer applies is dropped (the cart shows the same price: `summarize`).
    voucher = _lock_voucher(items[0].cart.voucher_id, editions, today)
    amounts = price_lines(editions, voucher)
    if expected_total is not None and sum(a.total for a in amounts) != expected_total:
        raise errors.PriceChanged()
    uses = sum(1 for a in amounts if a.discount > 0)
    if voucher is not None and uses:
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
        third_party_vat_number=billing.third_party_vat_number,
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
    registrations = Registration.objects.bulk_create(
        [
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
            for edition, amount in zip(editions, amounts, strict=True)
        ]
    )
    from exams.services.enrolment import enrol_first_chances

    # Seed 2 art. 8: registered participants sit the first chance of every unit.
    enrol_first_chances(registrations, today=today)

    waiting = [item.edition for item in items if item.waiting]
    if waiting:
        _end_waiting(user, waiting)
    # The holds become registrations: empty the cart (its token was renewed above).
    CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    if items[0].cart.voucher_id is not None:
        Cart.objects.filter(pk=items[0].cart_id).update(voucher=None)
    # Audit entries of the rows above (checkout, registrations) belong here: before step 3,
    # outside the shared locks (the invoices are audited by issue_invoice). One INSERT.
    record_many("registration.confirmed", [
        Change(registration, organizer_id=registration.edition.course.organizer_id, after={
            "status": registration.status, "edition": registration.edition_id,
            "checkout": record.pk, "total": registration.total,
            "late_by_staff": registration.late_by_staff})
        for registration in registrations
    ])

    # 3. The shared rows, held from here to COMMIT: each organizer's number series (the
    #    invoices, then their e-mails), and last the seats.
    invoices = _issue_invoices(record, registrations, user, billing, today)
    from registrations.notifications import checkout_confirmed

    checkout_confirmed(record, invoices)
    _take_seats(items, user, now)
    if billing.invoice_to == Checkout.InvoiceTo.COMPANY and billing.vat_status == "unverified":
        from billing.tasks import recheck_vat_number

        enqueue_on_commit(recheck_vat_number, checkout_id=record.pk)
    return record


def _items(user, today) -> list:
    """The person's cart items with their cart and editions (course, organizer, academic year)
    and whether the person is already registered or admitted: one query, written in SQL (the
    ORM took ~3 ms of Python to build and compile it on every checkout, the database 0.3 ms to
    answer it; tests/bench/README.md, seat_rush)."""
    quote = connection.ops.quote_name
    registered, registered_params = already_registered_sql("i.edition_id", user)
    admitted, admitted_params = admitted_now_sql("i.edition_id", user, today)
    waiting, waiting_params = _waiting_sql("i.edition_id", user)
    sql = f"""
        SELECT {select_list(ITEM_TABLES)}, {registered}, {admitted}, {waiting}
          FROM {quote(CartItem._meta.db_table)} i
          JOIN {quote(Cart._meta.db_table)} c ON c.id = i.cart_id
          JOIN {quote(Edition._meta.db_table)} e ON e.id = i.edition_id
          JOIN {quote(Course._meta.db_table)} co ON co.id = e.course_id
          JOIN {quote(Organizer._meta.db_table)} o ON o.id = co.organizer_id
          JOIN {quote(AcademicYear._meta.db_table)} y ON y.id = e.academic_year_id
         WHERE c.user_id = %s
         ORDER BY i.added_at, i.id
    """  # noqa: S608  # nosec B608 - table names from the models, values as parameters
    items = []
    rows = read(sql, [*registered_params, *admitted_params, *waiting_params, user.pk],
                ITEM_TABLES)
    for (item, cart, edition, course, organizer, year), flags in rows:
        course.organizer = organizer
        edition.course, edition.academic_year = course, year
        item.cart, item.edition = cart, edition
        item.registered, item.admitted, item.waiting = (bool(flag) for flag in flags)
        items.append(item)
    return items


def _waiting_sql(edition_column: str, user) -> tuple[str, list]:
    """`EXISTS (...)`: the person still has an open place on the edition's waiting list (read
    with the cart, so a checkout without one, nearly all, spends no statement on the list)."""
    table = connection.ops.quote_name(WaitingListEntry._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} w WHERE w.edition_id = {edition_column}"  # noqa: S608  # nosec B608
        " AND w.user_id = %s AND w.status IN (%s, %s))",
        [user.pk, WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    )


ITEM_TABLES = (
    Table(CartItem, "i"), Table(Cart, "c"), Table(Edition, "e"), Table(Course, "co"),
    Table(Organizer, "o"), Table(AcademicYear, "y"),
)


def _end_waiting(user, editions) -> None:
    """Registered, however the seat came (an offer, a freed seat, staff): the person's places
    on these editions' waiting lists end, or they would hold a seat back and get an offer."""
    organizers = {edition.pk: edition.course.organizer_id for edition in editions}
    open_statuses = [WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    entries = list(WaitingListEntry.objects.filter(
        user=user, edition_id__in=list(organizers), status__in=open_statuses
    ).values_list("pk", "status", "edition_id"))
    if not entries:
        return
    WaitingListEntry.objects.filter(pk__in=[pk for pk, _s, _e in entries]).update(
        status=WaitingListEntry.Status.REGISTERED
    )
    record_many("waiting_list.registered", [
        Change(WaitingListEntry(pk=pk), before={"status": status},
               after={"status": WaitingListEntry.Status.REGISTERED},
               organizer_id=organizers[edition_id])
        for pk, status, edition_id in entries
    ])


def _take_seats(items, user, now) -> None:
    """The last statements before COMMIT. A valid hold already reserved its seat (add_to_cart
    counted it under the edition lock), so one conditional UPDATE takes it; it only fails when
    staff lowered the seats meanwhile. An expired hold is fine as long as a seat is still free
    for this person: checked under the edition lock, as add_to_cart does."""
    expired = [item for item in items if item.held_until <= now]
    if expired:
        locked = lock_editions([item.edition_id for item in expired])
        for item in expired:
            if seats_free(locked[item.edition_id], now=now, for_user=user) <= 0:
                raise errors.CartExpired()
    for edition_id in sorted({item.edition_id for item in items}):
        if not take_seat(edition_id):
            raise errors.EditionFull()


def _issue_invoices(record, registrations, user, billing, today) -> list:
    """One invoice per organizer, in organizer order (the series locks), with its instalments
    and KMO project."""
    by_organizer: dict[int, list[Registration]] = {}
    for registration in registrations:
        by_organizer.setdefault(registration.edition.course.organizer_id, []).append(registration)
    invoices = []
    for organizer_id in sorted(by_organizer):
        group = by_organizer[organizer_id]
        invoice = issue_invoice(
            organizer=group[0].edition.course.organizer,
            user=user,
            checkout=record,
            registrations=group,
            buyer=_buyer(user, billing),
            language=user.preferred_language,
            today=today,
        )
        add_instalments(invoice, billing.instalments)
        if billing.kmo_portefeuille and billing.invoice_to == Checkout.InvoiceTo.COMPANY:
            # The wallet pays the amount excluding VAT; the company pays the VAT (rules.md §2).
            KmoProject.objects.create(
                invoice=invoice,
                enterprise_number=billing.vat_number,
                expected_amount=invoice.net_total,
            )
        invoices.append(invoice)
    return invoices


def max_instalments(editions) -> int:
    """Instalments only when every edition in the cart allows them; at most the smallest cap."""
    if not editions or not all(e.instalments_allowed for e in editions):
        return 1
    return min(MAX_INSTALMENTS, *(e.max_instalments for e in editions))


def _lock_voucher(voucher_id, editions, today) -> Voucher | None:
    """The cart's voucher, locked for its use count; None when it no longer applies."""
    if voucher_id is None:
        return None
    voucher = (
        Voucher.objects.select_for_update()
        .prefetch_related("organizers", "courses", "editions")
        .get(pk=voucher_id)
    )
    if voucher_refusal(voucher, editions, today) is not None:
        return None
    return voucher


def check_kmo(editions, billing: BillingDetails) -> None:
    """The KMO-portefeuille (rules.md §2) pays for an invoice to a Belgian company, for
    editions recognised for it (`Edition.kmo_eligible`): every edition of the checkout."""
    if not billing.kmo_portefeuille:
        return
    if billing.invoice_to != Checkout.InvoiceTo.COMPANY:
        raise errors.KmoNotPossible(_("The KMO-portefeuille is for invoices to a company."))
    if not billing.vat_number.startswith("BE"):
        raise errors.KmoNotPossible(
            _("The KMO-portefeuille is only for companies established in Belgium.")
        )
    refused = [edition.course.title for edition in editions if not edition.kmo_eligible]
    if refused:
        raise errors.KmoNotPossible(
            _("The KMO-portefeuille is not possible for: %(courses)s. Pay without it, or "
              "check out these courses separately.") % {"courses": ", ".join(refused)}
        )


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
        "third_party_vat_number": billing.third_party_vat_number,
        "kmo_portefeuille": billing.kmo_portefeuille,
    }
