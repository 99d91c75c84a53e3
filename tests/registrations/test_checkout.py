"""Cart and checkout through their services, on PostgreSQL: given / when / then."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from billing.models import Invoice, InvoiceLine, NumberSeries
from billing.structured_communication import parse_structured
from courses.conditions import cancellation_conditions
from courses.models import Edition
from portal.models import OutgoingEmail
from portal.outbox import send_pending
from registrations import errors
from registrations.models import AdmissionApplication, Cart, Registration, Voucher
from registrations.services.cart import (
    add_to_cart,
    apply_voucher,
    remove_from_cart,
    remove_voucher,
    summarize,
)
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import EditionFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


def buy(user, *editions, billing=None, now=None):
    for edition in editions:
        add_to_cart(user=user, edition_id=edition.pk, now=now)
    token = Cart.objects.get(user=user).checkout_token
    return checkout(user=user, token=token, billing=billing or BillingDetails(), now=now)


def test_checkout_creates_registration_invoice_and_email(participant, edition):
    record = buy(participant, edition)

    registration = Registration.objects.get(checkout=record)
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.fee, registration.net, registration.vat, registration.total) == (
        Decimal("450.00"), Decimal("450.00"), Decimal("0.00"), Decimal("450.00"))
    invoice = Invoice.objects.get(checkout=record)
    year = timezone.localdate().year
    assert invoice.number == f"{year}-000001"
    assert invoice.total == Decimal("450.00")
    assert invoice.customer_kind == "person"
    assert invoice.vat_mention.startswith("Vrijgesteld van btw")
    assert parse_structured(invoice.structured_communication) is not None
    assert invoice.due_date == invoice.issue_date + timedelta(days=30)
    assert InvoiceLine.objects.get(invoice=invoice).registration == registration
    edition.refresh_from_db()
    assert edition.seats_taken == 1
    mail = OutgoingEmail.objects.get(user=participant)
    assert invoice.number in mail.subject
    assert mail.attachments == [{"kind": "invoice_pdf", "id": invoice.pk}]
    assert not Cart.objects.get(user=participant).items.exists()


@pytest.mark.parametrize(("language", "words"), [("en", "Cancellation conditions"),
                                               ("nl", "Annuleringsvoorwaarden")])
def test_the_invoice_mail_is_rendered_when_sent_in_the_persons_language(
    participant, edition, language, words
):
    participant.preferred_language = language
    participant.save(update_fields=["preferred_language"])
    record = buy(participant, edition)
    row = OutgoingEmail.objects.get(user=participant)
    assert (row.template, row.body_text) == ("registrations/checkout_confirmed", "")

    assert send_pending(row.pk) is True
    [message] = mail.outbox
    invoice = Invoice.objects.get(checkout=record)
    with translation.override(language):
        conditions = cancellation_conditions(edition)
    assert conditions and all(sentence in message.body for sentence in conditions)
    assert words in message.body and participant.first_name in message.body
    assert invoice.number in message.body and invoice.structured_communication in message.body
    assert (edition.course.title_en if language == "en" else edition.course.title_nl) in (
        message.body)
    [(filename, content, mimetype)] = message.attachments
    assert invoice.number in filename and content.startswith(b"%PDF")
    row.refresh_from_db()
    assert row.body_text == message.body and row.status == OutgoingEmail.Status.SENT


def test_the_invoice_mail_states_the_refund_of_what_the_person_pays(participant):
    """A 50 % voucher on a €500 edition, then the list fee rises before the mail is sent: the
    conditions in the mail split the €250 paid (€50 kept, €200 refunded), as a cancellation
    will, not the list fee's €450."""
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(fee_amount=Decimal("500.00"))
    Voucher.objects.create(code="HALF", kind="percentage", value=Decimal("50"))
    add_to_cart(user=participant, edition_id=edition.pk)
    apply_voucher(user=participant, code="HALF")
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    Edition.objects.filter(pk=edition.pk).update(fee_amount=Decimal("600.00"))

    send_pending(OutgoingEmail.objects.get(user=participant).pk)

    [message] = mail.outbox
    assert "For this edition: €50.00 is kept and €200.00 is refunded." in message.body
    assert "€200.00 is refunded" in message.alternatives[0][0]
    assert "€450.00" not in message.body and "€540.00" not in message.body


def test_price_is_snapshotted_and_never_rises(participant, edition):
    buy(participant, edition)
    Edition.objects.filter(pk=edition.pk).update(fee_amount=Decimal("900.00"))
    registration = Registration.objects.get(user=participant)
    assert registration.total == Decimal("450.00")


def test_taxed_edition_gets_21_percent_vat(participant):
    edition = EditionFactory(fee_amount=Decimal("199.99"), vat_treatment="taxed")
    buy(participant, edition)
    invoice = Invoice.objects.get(user=participant)
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        Decimal("199.99"), Decimal("42.00"), Decimal("241.99"))
    assert invoice.vat_mention == ""


def test_two_organizers_in_one_cart_get_one_invoice_each(participant):
    first, second = EditionFactory(), EditionFactory()
    assert first.course.organizer != second.course.organizer
    record = buy(participant, first, second)
    assert record.invoices.count() == 2
    assert {i.number for i in record.invoices.all()} == {f"{timezone.localdate().year}-000001"}


def test_double_click_on_confirm_gives_one_registration_and_one_invoice(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    token = Cart.objects.get(user=participant).checkout_token
    first = checkout(user=participant, token=token, billing=BillingDetails())
    second = checkout(user=participant, token=token, billing=BillingDetails())
    assert first.pk == second.pk
    assert Registration.objects.filter(user=participant).count() == 1
    assert Invoice.objects.filter(user=participant).count() == 1


def test_a_stale_or_foreign_token_is_refused_and_saves_nothing(participant, other_participant,
                                                               edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    add_to_cart(user=other_participant, edition_id=edition.pk)
    others_token = Cart.objects.get(user=other_participant).checkout_token
    with pytest.raises(errors.StaleCheckout):
        checkout(user=participant, token=others_token, billing=BillingDetails())
    assert not Registration.objects.exists() and not Invoice.objects.exists()


def test_registration_closes_after_the_deadline_day(participant):
    today = timezone.localdate()
    on_deadline = EditionFactory(start=today + timedelta(days=7))
    too_late = EditionFactory(start=today + timedelta(days=6))
    assert add_to_cart(user=participant, edition_id=on_deadline.pk)
    with pytest.raises(errors.RegistrationClosed):
        add_to_cart(user=participant, edition_id=too_late.pk)


@pytest.mark.parametrize("status", ["draft", "closed", "cancelled"])
def test_only_open_editions_take_registrations(participant, status):
    edition = EditionFactory(status=status)
    with pytest.raises(errors.RegistrationClosed):
        add_to_cart(user=participant, edition_id=edition.pk)


def test_full_edition_refuses_and_expired_holds_release_seats(participant, other_participant):
    edition = EditionFactory(seats=1)
    now = timezone.now()
    add_to_cart(user=participant, edition_id=edition.pk, now=now)
    with pytest.raises(errors.EditionFull):
        add_to_cart(user=other_participant, edition_id=edition.pk, now=now)
    # 20 minutes later the first cart's hold has lapsed.
    later = now + timedelta(minutes=21)
    assert add_to_cart(user=other_participant, edition_id=edition.pk, now=later)
    with pytest.raises(errors.CartExpired):
        checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                 billing=BillingDetails(), now=later)
    assert not Registration.objects.exists()


def test_expired_hold_still_checks_out_when_a_seat_is_free(participant, edition):
    now = timezone.now()
    add_to_cart(user=participant, edition_id=edition.pk, now=now)
    token = Cart.objects.get(user=participant).checkout_token
    record = checkout(user=participant, token=token, billing=BillingDetails(),
                      now=now + timedelta(hours=2))
    assert record.registrations.count() == 1


def test_already_registered_cannot_register_again(participant, edition):
    buy(participant, edition)
    with pytest.raises(errors.AlreadyRegistered):
        add_to_cart(user=participant, edition_id=edition.pk)


def test_remove_only_from_own_cart(participant, other_participant, edition):
    item = add_to_cart(user=participant, edition_id=edition.pk)
    remove_from_cart(user=other_participant, item_id=item.pk)
    assert Cart.objects.get(user=participant).items.count() == 1
    remove_from_cart(user=participant, item_id=item.pk)
    assert Cart.objects.get(user=participant).items.count() == 0


def test_empty_cart_cannot_check_out(participant):
    Cart.objects.create(user=participant)
    with pytest.raises(errors.EmptyCart):
        checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                 billing=BillingDetails())


@pytest.mark.parametrize(
    ("kind", "value", "discount", "total"),
    [
        ("percentage", Decimal("10"), Decimal("45.00"), Decimal("405.00")),
        ("percentage", Decimal("100"), Decimal("450.00"), Decimal("0.00")),
        ("fixed", Decimal("50.00"), Decimal("50.00"), Decimal("400.00")),
        ("fixed", Decimal("999.00"), Decimal("450.00"), Decimal("0.00")),
    ],
)
def test_vouchers(participant, edition, kind, value, discount, total):
    Voucher.objects.create(code="WELCOME", kind=kind, value=value)
    add_to_cart(user=participant, edition_id=edition.pk)
    apply_voucher(user=participant, code=" welcome ")
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails())
    registration = record.registrations.get()
    assert (registration.discount, registration.total) == (discount, total)
    assert Voucher.objects.get(code="WELCOME").times_used == 1


def test_a_voucher_used_up_meanwhile_is_dropped_and_the_new_price_confirmed(
        participant, other_participant, edition):
    Voucher.objects.create(code="ONCE", kind="fixed", value=Decimal("10"), max_uses=1)
    for person in (participant, other_participant):
        add_to_cart(user=person, edition_id=edition.pk)
        apply_voucher(user=person, code="ONCE")
    buy_token = Cart.objects.get(user=participant).checkout_token
    checkout(user=participant, token=buy_token, billing=BillingDetails(),
             expected_total=Decimal("440.00"))
    # The other person's cart now shows the full price, and says why.
    cart = Cart.objects.get(user=other_participant)
    with translation.override("en"):
        summary = summarize(cart)
        assert str(summary.voucher_refusal) == "This voucher has been used up."
    assert summary.total == Decimal("450.00")
    # Confirming the page that still showed 440.00 saves nothing; the new price goes through.
    with pytest.raises(errors.PriceChanged):
        checkout(user=other_participant, token=cart.checkout_token, billing=BillingDetails(),
                 expected_total=Decimal("440.00"))
    assert Registration.objects.filter(user=other_participant).count() == 0
    record = checkout(user=other_participant, token=cart.checkout_token,
                      billing=BillingDetails(), expected_total=Decimal("450.00"))
    assert (record.voucher, record.registrations.get().total) == (None, Decimal("450.00"))
    assert Voucher.objects.get(code="ONCE").times_used == 1
    assert Cart.objects.get(user=other_participant).voucher is None


@pytest.mark.parametrize("change", [{"valid_until": "yesterday"}, {"active": False}])
def test_a_voucher_that_lapsed_in_the_cart_gives_no_discount_and_checkout_drops_it(
        participant, edition, change):
    """Valid when applied, expired or deactivated before the checkout: the cart is not stuck."""
    today = timezone.localdate()
    voucher = Voucher.objects.create(code="TODAY", kind="fixed", value=Decimal("10"),
                                     valid_until=today)
    add_to_cart(user=participant, edition_id=edition.pk)
    apply_voucher(user=participant, code="TODAY", today=today)
    cart = Cart.objects.get(user=participant)
    assert summarize(cart, today=today).total == Decimal("440.00")
    if change.get("active") is False:
        Voucher.objects.filter(pk=voucher.pk).update(active=False)
        later = timezone.now()
    else:
        later = timezone.now() + timedelta(days=1)
    summary = summarize(cart, today=timezone.localdate(later))
    assert summary.total == Decimal("450.00")
    assert summary.lines[0].amounts.discount == 0 and summary.voucher_refusal
    record = checkout(user=participant, token=cart.checkout_token, billing=BillingDetails(),
                      now=later, expected_total=summary.total)
    assert record.registrations.get().discount == 0 and record.voucher is None
    assert Voucher.objects.get(pk=voucher.pk).times_used == 0
    assert Cart.objects.get(user=participant).voucher is None


def test_the_voucher_comes_off_the_cart(participant, other_participant, edition):
    Voucher.objects.create(code="WELCOME", kind="fixed", value=Decimal("10"))
    for person in (participant, other_participant):
        add_to_cart(user=person, edition_id=edition.pk)
        apply_voucher(user=person, code="WELCOME")
    token = Cart.objects.get(user=participant).checkout_token
    remove_voucher(user=participant)
    cart = Cart.objects.get(user=participant)
    assert cart.voucher is None and cart.checkout_token != token  # a page showing 440 is stale
    assert summarize(cart).total == Decimal("450.00")
    assert Cart.objects.get(user=other_participant).voucher is not None  # only one's own
    remove_voucher(user=participant)  # nothing to remove: no error


def test_a_voucher_with_fewer_uses_left_than_courses_it_discounts_is_refused(participant):
    """One use per discounted line (checkout counts them so): apply says so rather than leave
    a cart that cannot be checked out."""
    organizer = OrganizerFactory()
    first, second = (EditionFactory(course__organizer=organizer) for _ in range(2))
    Voucher.objects.create(code="ONE", kind="fixed", value=Decimal("10"), max_uses=1)
    Voucher.objects.create(code="TWO", kind="fixed", value=Decimal("10"), max_uses=2)
    add_to_cart(user=participant, edition_id=first.pk)
    add_to_cart(user=participant, edition_id=second.pk)
    with translation.override("en"), pytest.raises(errors.VoucherUsedUp) as refused:
        apply_voucher(user=participant, code="ONE")
    assert str(refused.value.message) == (
        "This voucher can be used only once more; your cart has 2 courses it applies to.")
    assert Cart.objects.get(user=participant).voucher is None
    apply_voucher(user=participant, code="TWO")
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails())
    assert [r.discount for r in record.registrations.all()] == [Decimal("10.00")] * 2
    assert Voucher.objects.get(code="TWO").times_used == 2


def test_checkout_refuses_a_price_other_than_the_one_shown(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    token = Cart.objects.get(user=participant).checkout_token
    Edition.objects.filter(pk=edition.pk).update(fee_amount=Decimal("900.00"))
    with pytest.raises(errors.PriceChanged):
        checkout(user=participant, token=token, billing=BillingDetails(),
                 expected_total=Decimal("450.00"))
    assert not Registration.objects.exists()
    assert Cart.objects.get(user=participant).checkout_token == token  # the page still works
    record = checkout(user=participant, token=token, billing=BillingDetails(),
                      expected_total=Decimal("900.00"))
    assert record.registrations.get().fee == Decimal("900.00")


def test_voucher_limits_and_dates(participant, edition):
    today = timezone.localdate()
    other_org = OrganizerFactory()
    limited = Voucher.objects.create(code="OTHERORG", kind="fixed", value=Decimal("10"))
    limited.organizers.add(other_org)
    Voucher.objects.create(code="OLD", kind="fixed", value=Decimal("10"),
                           valid_until=today - timedelta(days=1))
    Voucher.objects.create(code="SOON", kind="fixed", value=Decimal("10"),
                           valid_from=today + timedelta(days=1))
    add_to_cart(user=participant, edition_id=edition.pk)
    for code in ("OTHERORG", "OLD", "SOON", "NOPE"):
        with pytest.raises(errors.VoucherInvalid):
            apply_voucher(user=participant, code=code)


def test_admission_required_until_admitted_and_within_term(participant, admin_user=None):
    edition = EditionFactory(admission_required=True)
    with pytest.raises(errors.AdmissionRequired):
        add_to_cart(user=participant, edition_id=edition.pk)
    AdmissionApplication.objects.create(
        user=participant, edition=edition, motivation="m", prior_knowledge="p", experience="e",
        status="admitted", register_before=timezone.localdate() - timedelta(days=1))
    with pytest.raises(errors.AdmissionRequired):
        add_to_cart(user=participant, edition_id=edition.pk)
    AdmissionApplication.objects.filter(user=participant).update(
        register_before=timezone.localdate())
    assert add_to_cart(user=participant, edition_id=edition.pk)


def test_company_invoice_with_third_party_and_kmo(participant, edition):
    Edition.objects.filter(pk=edition.pk).update(kmo_eligible=True)
    billing = BillingDetails(
        invoice_to="company", vat_number="BE0403170701", vat_status="verified",
        company_name="KU Leuven", company_address="Oude Markt 13\n3000 Leuven",
        third_party_name="Werkgever NV", third_party_address="Straat 1\n1000 Brussel",
        third_party_vat_number="BE0203201340", kmo_portefeuille=True,
    )
    record = buy(participant, edition, billing=billing)
    invoice = record.invoices.get()
    assert invoice.customer_name == "KU Leuven"
    assert invoice.customer_vat_number == "BE0403170701"
    assert invoice.vat_check == "verified"
    assert invoice.third_party_name == "Werkgever NV"
    # Seed 2 art. 4.5: the third party's details "such as coordinates and VAT number".
    assert invoice.third_party_vat_number == record.third_party_vat_number == "BE0203201340"
    assert invoice.kmo_recognition_number == edition.course.organizer.kmo_recognition_short
    assert record.vat_checks.get().status == "verified"


def test_invoice_numbers_are_gapless_per_organizer_and_year(participant):
    organizer = OrganizerFactory()
    editions = [EditionFactory(course__organizer=organizer) for _ in range(3)]
    people = [UserFactory() for _ in editions]
    for person, edition in zip(people, editions, strict=True):
        buy(person, edition)
    year = timezone.localdate().year
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    assert NumberSeries.objects.get(organizer=organizer, kind="invoice").last_number == 3


def test_issued_invoices_cannot_be_changed_or_deleted_in_the_database(participant, edition):
    buy(participant, edition)
    invoice = Invoice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).delete()
    invoice.refresh_from_db()
    assert invoice.total == Decimal("450.00")


def test_the_database_refuses_more_registrations_than_seats(participant):
    edition = EditionFactory(seats=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(seats_taken=2)


def test_instalments_each_get_a_due_date_and_structured_communication(participant):
    from billing.models import Instalment

    edition = EditionFactory(fee_amount=Decimal("1000.00"), instalments_allowed=True,
                             max_instalments=3)
    record = buy(participant, edition, billing=BillingDetails(instalments=3))
    invoice = record.invoices.get()
    parts = list(Instalment.objects.filter(invoice=invoice))
    assert [p.amount for p in parts] == [Decimal("333.34"), Decimal("333.33"),
                                         Decimal("333.33")]
    assert parts[0].due_date == invoice.due_date
    dues = [p.due_date for p in parts]
    assert dues == sorted(set(dues))
    communications = {p.structured_communication for p in parts} | {
        invoice.structured_communication}
    assert len(communications) == 4
    assert all(parse_structured(c) is not None for c in communications)


def sent_mail(user):
    assert send_pending(OutgoingEmail.objects.get(user=user).pk) is True
    [message] = mail.outbox
    return message.body, message.alternatives[0][0]


def test_the_invoice_mail_gives_each_instalment_its_amount_due_date_and_communication(
    participant,
):
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(fee_amount=Decimal("900.00"), instalments_allowed=True,
                             max_instalments=3)
    invoice = buy(participant, edition, billing=BillingDetails(instalments=3)).invoices.get()
    parts = list(invoice.instalments.order_by("number"))

    text, html = sent_mail(participant)

    for part in parts:
        due = part.due_date.strftime("%d/%m/%Y")
        assert (f"{part.number}/3: €300.00 by {due}, Structured communication: "
                f"{part.structured_communication}") in text
        assert part.structured_communication in html and due in html
    # Not the total by the first due date with the invoice's own communication.
    assert invoice.structured_communication not in text + html
    assert "Amount due" not in text + html
    assert "Please transfer the amount in 3 instalments" in text


def test_the_kmo_invoice_mail_asks_only_for_the_vat_as_the_invoice_does(participant):
    """€100 + €21 VAT with the KMO-portefeuille: the wallet pays the €100, the company
    transfers the €21; the mail says so, like the attached invoice."""
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(kmo_eligible=True, vat_treatment="taxed",
                             fee_amount=Decimal("100.00"))
    billing = BillingDetails(invoice_to="company", vat_number="BE0403170701",
                             vat_status="verified", company_name="X", company_address="Y",
                             kmo_portefeuille=True)
    invoice = buy(participant, edition, billing=billing).invoices.get()

    text, html = sent_mail(participant)

    assert "Amount due: €21.00" in text and "€21.00" in html
    assert "Amount due: €121.00" not in text
    kmo = ("The KMO-portefeuille pays the amount excluding VAT (€100.00), quoting invoice "
           f"number {invoice.number}. The company pays the VAT directly.")
    assert kmo in " ".join(text.split()) and kmo in " ".join(html.split())
    assert invoice.structured_communication in text


def test_an_exempt_kmo_invoice_mail_has_nothing_to_transfer(participant):
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(kmo_eligible=True, fee_amount=Decimal("100.00"))
    billing = BillingDetails(invoice_to="company", vat_number="BE0403170701",
                             vat_status="verified", company_name="X", company_address="Y",
                             kmo_portefeuille=True)
    buy(participant, edition, billing=billing)

    text, html = sent_mail(participant)

    assert "Nothing to pay by bank transfer." in text and "Nothing to pay" in html
    assert "Amount due" not in text + html


def test_instalments_refused_when_an_edition_does_not_allow_them(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    with pytest.raises(errors.InstalmentsNotAllowed):
        checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                 billing=BillingDetails(instalments=2))
    assert not Registration.objects.exists()


def test_kmo_portefeuille_expects_the_amount_excluding_vat(participant):
    from billing.models import KmoProject

    edition = EditionFactory(fee_amount=Decimal("500.00"), vat_treatment="taxed",
                             kmo_eligible=True)
    billing = BillingDetails(invoice_to="company", vat_number="BE0403170701",
                             vat_status="verified", company_name="KU Leuven",
                             kmo_portefeuille=True)
    record = buy(participant, edition, billing=billing)
    project = KmoProject.objects.get(invoice__checkout=record)
    assert project.expected_amount == Decimal("500.00")
    assert record.invoices.get().total == Decimal("605.00")


KMO_COMPANY = {"invoice_to": "company", "vat_number": "BE0403170701", "vat_status": "verified",
               "company_name": "KU Leuven", "company_address": "Oude Markt 13",
               "kmo_portefeuille": True}


@pytest.mark.parametrize(
    ("eligible", "billing", "message"),
    [
        ((False,), {}, "The KMO-portefeuille is not possible for: "),
        ((True, False), {}, "The KMO-portefeuille is not possible for: "),
        ((True,), {"vat_number": "NL004495445B01", "vat_status": "unverified"},
         "only for companies established in Belgium"),
        ((True,), {"invoice_to": "person", "vat_number": ""}, "for invoices to a company"),
    ],
)
def test_kmo_portefeuille_only_for_eligible_editions_and_belgian_companies(
        participant, eligible, billing, message):
    """Rules.md §2: the wallet pays recognised training to companies in Flanders; an edition
    without `kmo_eligible`, or a foreign company, gets no KMO invoice and no KmoProject."""
    from billing.models import KmoProject

    editions = [EditionFactory(kmo_eligible=flag) for flag in eligible]
    with translation.override("en"), pytest.raises(errors.KmoNotPossible) as refused:
        buy(participant, *editions, billing=BillingDetails(**{**KMO_COMPANY, **billing}))
    assert message in str(refused.value.message)
    if False in eligible:
        refused_edition = editions[eligible.index(False)]
        with translation.override("en"):
            assert refused_edition.course.title in str(refused.value.message)
    assert not Registration.objects.exists() and not KmoProject.objects.exists()
    assert not Invoice.objects.exists()
