"""VIES takes the request and never answers (tests/billing/fake_vies.py, "hanging"): the
participant's checkout, the look-up and the confirmation alike, each answers within
VIES_TIMEOUT_SECONDS + 1 s, and the invoice is issued with the number *unverified* (the
periodic re-check asks VIES again later). tests/registrations/test_pages.py checks the
confirmation alone with a 1 s timeout; this is the whole way with the configured timeout."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from billing.models import Invoice
from registrations.models import Cart, Registration

pytestmark = pytest.mark.django_db


def timed_post(client, data) -> tuple:
    started = time.monotonic()
    response = client.post(reverse("checkout"), data)
    return response, time.monotonic() - started


def test_checkout_with_a_hanging_vies_completes_within_the_timeout_plus_one_second(
        client, participant, edition, hanging_vies):
    limit = settings.VIES_TIMEOUT_SECONDS + 1
    client.force_login(participant)
    client.cookies["django_language"] = "en"
    client.post(reverse("cart_add", args=[edition.code]))
    company = {"token": str(Cart.objects.get(user=participant).checkout_token),
               "invoice_to": "company", "vat_number": "BE 0403.170.701", "instalments": "1",
               "total": edition.fee}

    lookup, lookup_seconds = timed_post(client, {**company, "lookup": "1"})
    assert lookup.status_code == 200 and not Registration.objects.exists()
    confirm, confirm_seconds = timed_post(client, {
        **company, "company_name": "KU Leuven", "company_address": "Oude Markt 13\n3000 Leuven",
        "confirm": "1"})
    print(f"look-up {lookup_seconds:.2f} s, confirmation {confirm_seconds:.2f} s "
          f"(VIES_TIMEOUT_SECONDS={settings.VIES_TIMEOUT_SECONDS})")

    assert lookup_seconds < limit and confirm_seconds < limit
    assert confirm.status_code == 302, confirm.content[:2000]
    invoice = Invoice.objects.get(user=participant)
    assert (invoice.customer_vat_number, invoice.vat_check) == ("BE0403170701", "unverified")
    assert Registration.objects.get(user=participant).status == "confirmed"
    assert hanging_vies.requests  # VIES did get the question: the timeout cut it off
