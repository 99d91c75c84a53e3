"""The participant's pages as a participant meets them (quality audit): the admission page says
at once when an application is not possible, a refused CV is an error of the CV field, the cart
says so when its hold has lapsed, the cancel page of a free training does not promise a staff
decision, the dashboard names each invoice's organizer and what is left to pay."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Edition
from registrations.models import AdmissionApplication, Cart, CartItem
from registrations.services.admission import apply_for_admission
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import EditionFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Admission: say it before the candidate types three long texts ---------------------------


def test_the_apply_page_of_an_edition_without_admission_sends_back_with_a_reason(
        client, participant, edition):
    client.force_login(participant)
    response = english(client).get(reverse("admission_apply", args=[edition.code]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("edition_detail", args=[edition.code])
    assert messages_of(response) == ["This edition does not take applications."]


def test_the_apply_page_says_at_once_that_you_have_already_applied(client, participant):
    edition = EditionFactory(admission_required=True)
    apply_for_admission(user=participant, edition_id=edition.pk, motivation="m",
                        prior_knowledge="p", experience="e")
    client.force_login(participant)
    response = english(client).get(reverse("admission_apply", args=[edition.code]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("edition_detail", args=[edition.code])
    assert messages_of(response) == ["You have already applied for this edition."]


def test_the_apply_page_says_at_once_that_the_deadline_has_passed(client, participant):
    edition = EditionFactory(admission_required=True,
                             start=timezone.localdate() + timedelta(days=2))
    client.force_login(participant)
    response = english(client).get(reverse("admission_apply", args=[edition.code]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("edition_detail", args=[edition.code])
    assert "applications are no longer accepted" in messages_of(response)[0]


def test_the_apply_page_is_the_form_while_an_application_is_possible(client, participant):
    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = client.get(reverse("admission_apply", args=[edition.code]))
    assert response.status_code == 200 and "form" in response.context


def test_a_cv_that_is_not_a_pdf_is_an_error_of_the_cv_field_and_the_texts_stay(
        client, participant):
    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = english(client).post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "Because", "prior_knowledge": "p", "experience": "e",
        "cv": SimpleUploadedFile("cv.pdf", b"not a pdf", "application/pdf")})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["cv"] == ["The CV must be a PDF file."]
    assert form.non_field_errors() == []
    page = response.content.decode()
    # Tied to its input for screen readers (Django's aria-describedby/aria-invalid).
    assert 'aria-invalid="true"' in page and "id_cv_error" in page
    assert "Because</textarea>" in page
    assert not AdmissionApplication.objects.exists()


# --- Cart: a lapsed hold is said in words -----------------------------------------------------


def test_a_cart_whose_hold_has_lapsed_says_so_instead_of_a_countdown(client, participant,
                                                                     edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    CartItem.objects.update(held_until=timezone.now() - timedelta(minutes=1))
    client.force_login(participant)
    page = english(client).get(reverse("cart")).content.decode()
    assert "held for you for" not in page
    assert "The hold on your seats has expired" in page


def test_a_cart_within_its_hold_shows_the_countdown(client, participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    client.force_login(participant)
    page = english(client).get(reverse("cart")).content.decode()
    assert "Your seats are held for you for" in page and "data-expires" in page


# --- Cancelling a free training ---------------------------------------------------------------


def _registered(participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails())
    return record.registrations.get()


def test_the_cancel_page_of_a_free_training_says_it_is_cancelled_at_once(client, participant):
    edition = EditionFactory(fee_amount=Decimal("0.00"),
                             cancellation_policy=Edition.Policy.FREE)
    registration = _registered(participant, edition)
    client.force_login(participant)
    page = english(client).get(reverse("registration_cancel", args=[registration.pk]))
    text = page.content.decode()
    assert "Staff confirm it" not in text
    assert "Your registration is cancelled at once" in text


def test_the_cancel_page_of_a_paid_training_says_staff_confirm(client, participant, edition):
    registration = _registered(participant, edition)
    client.force_login(participant)
    text = english(client).get(reverse("registration_cancel", args=[registration.pk])
                               ).content.decode()
    assert "Staff confirm it" in text


# --- Dashboard: whose invoice, and what is left ----------------------------------------------


def test_the_dashboard_names_each_invoices_organizer_and_what_is_left_to_pay(client,
                                                                              participant):
    first = EditionFactory(course__organizer=OrganizerFactory(name="Academy Ghent"))
    second = EditionFactory(course__organizer=OrganizerFactory(name="University Hasselt"))
    add_to_cart(user=participant, edition_id=first.pk)
    add_to_cart(user=participant, edition_id=second.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    client.force_login(participant)
    page = english(client).get(reverse("dashboard")).content.decode()
    invoices = page[page.index('id="invoice-list"'):]
    assert "Academy Ghent" in invoices and "University Hasselt" in invoices
    assert "still to pay" in invoices


# --- Checkout confirmation: how to pay, on the page itself ------------------------------------


def _done_page(client, participant, edition, **billing):
    add_to_cart(user=participant, edition_id=edition.pk)
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails(**billing))
    client.force_login(participant)
    return english(client).get(reverse("checkout_done", args=[record.pk])).content.decode(), \
        record.invoices.get()


def test_the_confirmation_says_how_much_to_transfer_to_which_account_by_when(client,
                                                                             participant,
                                                                             edition):
    page, invoice = _done_page(client, participant, edition)
    due = invoice.due_date.strftime("%d/%m/%Y")
    iban = " ".join(invoice.seller_iban[i:i + 4] for i in range(0, len(invoice.seller_iban), 4))
    assert f"Please transfer €450.00 to {iban} (BIC {invoice.seller_bic}) by {due}" in page
    assert invoice.structured_communication in page


def test_the_confirmation_of_a_free_training_asks_for_no_transfer(client, participant):
    edition = EditionFactory(fee_amount=Decimal("0.00"), cancellation_policy=Edition.Policy.FREE)
    page, invoice = _done_page(client, participant, edition)
    assert "Nothing to pay by bank transfer." in page
    assert "Please transfer" not in page
