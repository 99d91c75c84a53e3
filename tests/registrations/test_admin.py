"""Staff side of registrations and invoices, as the roles that may and may not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import CreditNote, Invoice
from portal.models import OutgoingEmail
from registrations.models import AdmissionApplication, Cart, Registration
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def buy(user, edition):
    add_to_cart(user=user, edition_id=edition.pk)
    return checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                    billing=BillingDetails())


def test_course_administrator_registers_late_by_hand(client, course_admin, participant):
    late = EditionFactory(start=timezone.localdate() + timedelta(days=2))
    client.force_login(course_admin)
    url = reverse("admin:registrations_registration_late")
    assert client.get(url).status_code == 200
    response = client.post(url, {"user": participant.pk, "edition": late.pk})
    assert response.status_code == 302
    registration = Registration.objects.get(user=participant, edition=late)
    assert registration.late_by_staff
    assert Invoice.objects.filter(user=participant).count() == 1
    assert OutgoingEmail.objects.filter(user=participant).count() == 1


def test_late_registration_still_respects_seats(client, course_admin, participant,
                                                other_participant):
    edition = EditionFactory(seats=1, start=timezone.localdate() + timedelta(days=2))
    client.force_login(course_admin)
    url = reverse("admin:registrations_registration_late")
    client.post(url, {"user": participant.pk, "edition": edition.pk})
    response = client.post(url, {"user": other_participant.pk, "edition": edition.pk})
    assert response.status_code == 200
    assert Registration.objects.filter(edition=edition).count() == 1


@pytest.mark.parametrize("role", ["finance_user", "exam_committee_member", "participant"])
def test_others_cannot_register_late(client, role, request, participant):
    client.force_login(request.getfixturevalue(role))
    edition = EditionFactory()
    response = client.post(reverse("admin:registrations_registration_late"),
                           {"user": participant.pk, "edition": edition.pk})
    assert response.status_code in (302, 403)
    assert not Registration.objects.exists()


def test_admit_action_tells_the_candidate(client, course_admin, participant):
    edition = EditionFactory(admission_required=True)
    application = AdmissionApplication.objects.create(
        user=participant, edition=edition, motivation="m", prior_knowledge="p", experience="e")
    client.force_login(course_admin)
    response = client.post(reverse("admin:registrations_admissionapplication_changelist"),
                           {"action": "admit", "_selected_action": [application.pk]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "admitted"
    assert application.register_before == timezone.localdate() + timedelta(days=14)
    mail = OutgoingEmail.objects.get(user=participant)
    assert edition.course.title_nl in mail.subject or edition.course.title_en in mail.subject


def test_finance_issues_a_credit_note_with_its_own_number(client, finance_user, participant):
    edition = EditionFactory(fee_amount=Decimal("300.00"))
    buy(participant, edition)
    invoice = Invoice.objects.get()
    client.force_login(finance_user)
    assert client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).status_code \
        == 200
    changelist = reverse("admin:billing_invoice_changelist")
    form = client.post(changelist, {"action": "credit", "_selected_action": [invoice.pk]})
    assert form.status_code == 200
    response = client.post(changelist, {"action": "credit", "_selected_action": [invoice.pk],
                                         "apply": "1", "net": "100.00", "vat": "0.00",
                                         "reason": "Wrong course"})
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.number == f"CN{timezone.localdate().year}-000001"
    assert note.total == Decimal("100.00")
    too_much = client.post(changelist, {"action": "credit", "_selected_action": [invoice.pk],
                                        "apply": "1", "net": "200.01", "vat": "0.00",
                                        "reason": "Too much"})
    assert too_much.status_code == 200
    assert CreditNote.objects.count() == 1


def test_course_administrator_cannot_issue_credit_notes(client, course_admin, participant):
    buy(participant, EditionFactory())
    invoice = Invoice.objects.get()
    client.force_login(course_admin)
    response = client.post(reverse("admin:billing_invoice_changelist"),
                           {"action": "credit", "_selected_action": [invoice.pk], "apply": "1",
                            "net": "1.00", "vat": "0", "reason": "x"})
    assert not CreditNote.objects.exists()
    assert response.status_code in (200, 302, 403)


@pytest.mark.parametrize("role", ["exam_committee_member", "participant"])
def test_invoices_are_hidden_from_other_roles(client, role, request, participant):
    buy(participant, EditionFactory())
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:billing_invoice_changelist"))
    assert response.status_code in (302, 403)


def test_nobody_edits_an_invoice_in_the_admin(client, superuser, participant):
    buy(participant, EditionFactory())
    invoice = Invoice.objects.get()
    client.force_login(superuser)
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:billing_invoice_delete", args=[invoice.pk])).status_code \
        == 403


def test_a_late_registration_leaves_the_persons_cart_and_voucher_alone(superuser, participant):
    """Staff register the person late for one edition at its fee: the voucher the person
    applied to their own cart is neither used up nor taken off it."""
    from registrations.models import Voucher
    from registrations.services.cart import apply_voucher
    from registrations.services.late import register_late

    late = EditionFactory(start=timezone.localdate() + timedelta(days=3))
    own = EditionFactory()
    Voucher.objects.create(code="MINE", kind="fixed", value=Decimal("100"), max_uses=1)
    add_to_cart(user=participant, edition_id=own.pk)
    apply_voucher(user=participant, code="MINE")
    registration = register_late(staff_user=superuser, user=participant, edition_id=late.pk)
    assert (registration.discount, registration.voucher) == (0, None)
    assert registration.total == late.fee
    cart = Cart.objects.get(user=participant)
    assert cart.voucher.code == "MINE" and cart.voucher.times_used == 0
    assert list(cart.items.values_list("edition", flat=True)) == [own.pk]


@pytest.mark.parametrize("typed", ["welcome", " Welcome "])
def test_voucher_admin_stores_the_code_in_capitals(client, course_admin, typed):
    from registrations.models import Voucher

    client.force_login(course_admin)
    response = client.post(reverse("admin:registrations_voucher_add"), {
        "code": typed, "kind": "fixed", "value": "10", "active": "on"})
    assert response.status_code == 302
    assert Voucher.objects.get().code == "WELCOME"
    response = client.post(reverse("admin:registrations_voucher_add"), {
        "code": "welcome", "kind": "fixed", "value": "10", "active": "on"})
    assert response.status_code == 200  # the same code twice: the form says so
    assert response.context["adminform"].form.errors["code"]


def test_staff_register_late_with_a_company_invoice(client, course_admin, participant,
                                                    fake_vies):
    """The employer pays: the invoice is the company's, its VAT number typed in any form
    and normalised, its name and address completed from VIES as at checkout."""
    late = EditionFactory(start=timezone.localdate() + timedelta(days=2))
    client.force_login(course_admin)
    response = client.post(reverse("admin:registrations_registration_late"), {
        "user": participant.pk, "edition": late.pk, "invoice_to": "company",
        "vat_number": "be 0403.170.701", "company_name": "", "company_address": ""})
    assert response.status_code == 302
    registration = Registration.objects.get(user=participant, edition=late)
    assert registration.late_by_staff
    assert registration.checkout.invoice_to == "company"
    invoice = Invoice.objects.get(user=participant)
    assert invoice.customer_kind == "company"
    assert invoice.customer_vat_number == "BE0403170701"
    assert invoice.customer_name == "KU LEUVEN"
    assert invoice.vat_check == "verified"


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"vat_number": ""}, "vat_number", "A company invoice needs its VAT number."),
    ({"vat_number": "BE 0403.170.702"}, "vat_number", "This is not a valid enterprise"),
    ({"vat_number": "NL004495445B01"}, "vat_number", "VIES reports that this VAT number"),
])
def test_a_late_company_invoice_with_bad_details_is_a_form_error(
        client, course_admin, participant, fake_vies, typed, field, message):
    late = EditionFactory(start=timezone.localdate() + timedelta(days=2))
    client.force_login(course_admin)
    response = client.post(reverse("admin:registrations_registration_late"), {
        "user": participant.pk, "edition": late.pk, "invoice_to": "company",
        "company_name": "", "company_address": "", **typed}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Registration.objects.exists()
