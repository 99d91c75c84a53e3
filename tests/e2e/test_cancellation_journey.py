"""A participant cancels a registration from the dashboard after seeing the preview; staff
confirm; the participant sees and downloads the credit note (headless Chromium)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import CreditNote
from registrations.models import CancellationRequest, Cart
from registrations.services.cancellation import confirm_cancellation
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.e2e.test_registration_journey import download, log_in, pdf_text
from tests.factories import CancellationTierFactory, EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_participant_cancels_and_sees_the_credit_note(page, live_server, tmp_path):
    participant = UserFactory(first_name="Lotte", last_name="Claes")
    staff = UserFactory(is_staff=True)
    edition = EditionFactory(fee_amount=Decimal("300.00"), cancellation_policy="C",
                             start=timezone.localdate() + timedelta(days=30))
    CancellationTierFactory(edition=edition, days=14, percent_kept=Decimal("0"))
    add_to_cart(user=participant, edition_id=edition.pk)
    registration = checkout(user=participant,
                            token=Cart.objects.get(user=participant).checkout_token,
                            billing=BillingDetails()).registrations.get()

    log_in(page, live_server, participant)
    page.locator(f"a[href='/registrations/{registration.pk}/cancel/']").click()
    expect(page.locator("#kept")).to_contain_text("0,00")
    expect(page.locator("#credited")).to_contain_text("300,00")
    page.locator("#confirm-cancel").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    request = CancellationRequest.objects.get()
    assert request.status == "pending"

    confirm_cancellation(request_id=request.pk, staff_user=staff)
    page.reload()
    note = CreditNote.objects.get()
    link = page.locator(f"#credit-notes a[href='/credit-notes/{note.pk}/pdf/']")
    expect(link).to_be_visible()
    path, _name = download(page, link, tmp_path)
    text = pdf_text(path)
    assert note.number in text and "300,00" in text
