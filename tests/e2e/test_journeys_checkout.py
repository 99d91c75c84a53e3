"""Checkout journeys in headless Chromium against the live server (locale nl-BE): paying in
instalments, a voucher applied then removed, and the language switched in the middle of a
checkout. Texts are compared with the translation the page itself uses."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from billing.models import Invoice
from courses.templatetags.portal_format import format_euro
from registrations.models import Registration, Voucher
from tests.e2e.test_registration_journey import download, log_in, pdf_text
from tests.factories import EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def add_to_cart(page, live_server, edition):
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    page.locator(f'#register form[action$="/cart/add/{edition.code}/"] button').click()
    expect(page).to_have_url(re.compile(r"/cart/$"))


def test_participant_pays_in_three_instalments(page, live_server, tmp_path):
    edition = EditionFactory(fee_amount=Decimal("600.00"), instalments_allowed=True,
                             max_instalments=3, course__title_nl="Leiderschap in de zorg")
    user = UserFactory(first_name="Els", last_name="Maes")
    log_in(page, live_server, user)
    add_to_cart(page, live_server, edition)
    page.locator('a.button[href$="/checkout/"]').click()
    expect(page.locator("select[name=instalments] option")).to_have_count(3)
    page.select_option("select[name=instalments]", "3")
    page.locator("#confirm").click()
    expect(page).to_have_url(re.compile(r"/checkout/\d+/$"))

    invoice = Invoice.objects.get(user=user)
    parts = list(invoice.instalments.order_by("number"))
    assert [part.amount for part in parts] == [Decimal("200.00")] * 3

    # The confirmation shows the three transfers to make, not one total to pay at once.
    confirmed = page.locator("main .instalment-list li")
    expect(confirmed).to_have_count(3)
    for part, item in zip(parts, confirmed.all(), strict=True):
        expect(item).to_contain_text(format_euro(part.amount, "nl"))
        expect(item.locator(".communication")).to_have_text(part.structured_communication)
    expect(page.locator("main")).not_to_contain_text(invoice.structured_communication)

    page.goto(live_server.url + "/dashboard/")
    items = page.locator("#invoice-list tr.instalments li")
    expect(items).to_have_count(3)
    for part, item in zip(parts, items.all(), strict=True):
        expect(item).to_contain_text(f"{part.number}/3")
        expect(item).to_contain_text(format_euro(part.amount, "nl"))
        expect(item.locator(".communication")).to_have_text(part.structured_communication)

    path, _name = download(page, page.locator(f'a[href$="/invoices/{invoice.pk}/pdf/"]'),
                           tmp_path)
    text = pdf_text(path)
    for part in parts:
        assert part.structured_communication in text
        assert part.due_date.strftime("%d/%m/%Y") in text


def test_voucher_applied_removed_then_the_price_shown_is_confirmed(page, live_server):
    edition = EditionFactory(fee_amount=Decimal("400.00"))
    Voucher.objects.create(code="WELKOM25", kind="percentage", value=Decimal("25"))
    user = UserFactory()
    log_in(page, live_server, user)
    add_to_cart(page, live_server, edition)
    expect(page.locator("#cart-total")).to_have_text(format_euro(Decimal("400.00"), "nl"))

    page.fill("input[name=code]", "welkom25")
    page.locator('form[action$="/cart/voucher/"] button[type=submit]').click()
    expect(page.locator(".message-success")).to_have_text(
        in_language("nl", "The voucher has been applied."))
    expect(page.locator("#cart-total")).to_have_text(format_euro(Decimal("300.00"), "nl"))

    page.locator("#remove-voucher").click()
    expect(page.locator(".message-success")).to_have_text(
        in_language("nl", "The voucher has been removed."))
    expect(page.locator("#cart-total")).to_have_text(format_euro(Decimal("400.00"), "nl"))
    expect(page.locator("#remove-voucher")).to_have_count(0)

    page.locator('a.button[href$="/checkout/"]').click()
    expect(page.locator("#confirm")).to_contain_text(format_euro(Decimal("400.00"), "nl"))
    page.locator("#confirm").click()
    expect(page).to_have_url(re.compile(r"/checkout/\d+/$"))
    assert Invoice.objects.get(user=user).total == Decimal("400.00")
    assert Registration.objects.get(user=user).edition == edition
    assert Voucher.objects.get().times_used == 0


def test_language_switched_in_the_middle_of_a_checkout(page, live_server, fake_vies):
    edition = EditionFactory(course__title_nl="Onderhandelen", course__title_en="Negotiating")
    user = UserFactory()
    log_in(page, live_server, user)
    add_to_cart(page, live_server, edition)
    page.locator('a.button[href$="/checkout/"]').click()
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    page.check("input[name=invoice_to][value=company]")
    page.fill("input[name=vat_number]", "0403.170.701")
    page.fill("input[name=company_name]", "KU Leuven (dienst HR)")
    page.fill("input[name=third_party_name]", "Stad Gent")
    page.fill("textarea[name=third_party_address]", "Botermarkt 1\n9000 Gent")

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Checkout")
    expect(page.locator("aside")).to_contain_text("Negotiating")
    # What the person typed survives the switch.
    expect(page.locator("input[name=third_party_name]")).to_have_value("Stad Gent")
    expect(page.locator("textarea[name=third_party_address]")).to_have_value(
        "Botermarkt 1\n9000 Gent")
    expect(page.locator("input[name=invoice_to][value=company]")).to_be_checked()
    expect(page.locator("#company")).to_be_visible()
    expect(page.locator("input[name=vat_number]")).to_have_value("0403.170.701")
    expect(page.locator("input[name=company_name]")).to_have_value("KU Leuven (dienst HR)")

    page.locator("#confirm").click()
    expect(page).to_have_url(re.compile(r"/checkout/\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    invoice = Invoice.objects.get(user=user)
    assert invoice.third_party_name == "Stad Gent"
    assert invoice.customer_name == "KU Leuven (dienst HR)"
    user.refresh_from_db()
    assert user.preferred_language == "en"
