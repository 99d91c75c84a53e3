"""A participant's filled-in pages on a phone (360 px): a cart with a voucher and a long course
title, a dashboard with a long e-mail address. The empty versions of these pages already fit
(test_phone_width_review.py); their rows did not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.models import CartItem, Voucher
from registrations.services.cart import add_to_cart, apply_voucher
from tests.e2e.test_registration_journey import log_in
from tests.factories import CourseFactory, EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def overflow(page) -> int:
    """How far the page reaches past the screen's right edge (0 when it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_filled_cart_fits_a_phone_and_shows_its_total(page, live_server):
    user = UserFactory(email="an.peeters@example.org", preferred_language="nl")
    course = CourseFactory(title_nl="Postgraduaat Toegepaste Gegevenswetenschappen en Ethiek")
    edition = EditionFactory(course=course, fee_amount=Decimal("1450.00"))
    Voucher.objects.create(code="WELKOM10", kind=Voucher.Kind.PERCENTAGE, value=Decimal("10"))
    add_to_cart(user=user, edition_id=edition.pk)
    apply_voucher(user=user, code="WELKOM10")

    page.set_viewport_size(PHONE)
    log_in(page, live_server, user)
    page.goto(live_server.url + "/cart/")
    assert overflow(page) == 0
    total = page.locator("#cart-total")
    expect(total).to_have_text("€ 1.305,00")
    box = total.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_the_countdown_says_in_words_when_the_hold_lapses(page, live_server):
    user = UserFactory(email="ben@example.org", preferred_language="en")
    add_to_cart(user=user, edition_id=EditionFactory().pk)
    log_in(page, live_server, user)
    CartItem.objects.update(held_until=timezone.now() + timedelta(seconds=3))
    page.goto(live_server.url + "/cart/")
    expect(page.locator("#hold")).to_contain_text("held for you for")
    expect(page.locator("#hold")).to_have_text(
        "The hold on your seats has expired. You can still confirm your registration while "
        "seats are free.", timeout=10_000)


def test_a_dashboard_with_a_long_e_mail_address_fits_a_phone(page, live_server):
    user = UserFactory(email="annemarie.peetersvandenbroucke@lifelonglearning.example.org")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user)
    page.goto(live_server.url + "/dashboard/")
    assert overflow(page) == 0
