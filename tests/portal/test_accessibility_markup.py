"""The markup a screen reader or keyboard user depends on (WCAG 2.1 AA), read from the rendered
pages: help texts and errors tied to their fields, no nameless table headers or buttons, and
tables that scroll sideways reachable by keyboard. The browser audit with axe-core is
tests/e2e/test_accessibility_axe.py; these are the checks axe does not make."""

from pathlib import Path

import pytest
from django.conf import settings
from lxml import html

from billing.models import Invoice
from registrations.models import Registration
from registrations.services.cart import add_to_cart
from tests.factories import (
    CourseUnitFactory,
    EditionFactory,
    InvoiceFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def test_every_aria_describedby_of_the_checkout_points_at_an_element(client):
    user = UserFactory(preferred_language="en")
    add_to_cart(user=user, edition_id=EditionFactory().pk)
    client.force_login(user)
    response = client.post("/checkout/", {"invoice_to": "company", "confirm": "1",
                                          "vat_number": "BE0123"})
    tree = page(response)
    described = tree.xpath("//*[@aria-describedby]")
    assert {element.get("name") for element in described} >= {
        "vat_number", "third_party_name", "third_party_vat_number"}
    for element in described:
        for target in element.get("aria-describedby").split():
            assert tree.get_element_by_id(target, None) is not None, (element.get("name"), target)
    vat = tree.get_element_by_id("id_vat_number")
    assert vat.get("aria-invalid") == "true"
    assert "id_vat_number_error" in vat.get("aria-describedby").split()


def test_the_cart_and_dashboard_tables_have_no_nameless_headers_or_buttons(client):
    user = UserFactory(preferred_language="en")
    edition = EditionFactory(course__title_en="Data ethics")
    add_to_cart(user=user, edition_id=edition.pk)
    InvoiceFactory(registrations=[RegistrationFactory(user=user)], language="en")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for path in ("/cart/", "/dashboard/"):
        tree = page(client.get(path))
        headers = tree.xpath("//main//th")
        assert headers, path
        for header in headers:
            assert header.text_content().strip(), (path, html.tostring(header))
    # "Remove" alone does not say what: the button names the course it takes out.
    remove = page(client.get("/cart/")).xpath("//form[contains(@action, '/cart/remove/')]//button")
    assert [button.text_content().split() for button in remove] == [
        ["Remove", "Data", "ethics"]]
    # Likewise the dashboard's repeated links name their invoice and course.
    dashboard = page(client.get("/dashboard/"))
    (invoice,) = Invoice.objects.filter(user=user)
    assert dashboard.xpath(f"//a[contains(@href, '/invoices/{invoice.pk}/pdf/')]")[0] \
        .text_content().split() == ["PDF", "Invoice", invoice.number]
    registration = Registration.objects.get(user=user)
    assert dashboard.xpath(f"//a[contains(@href, '/registrations/{registration.pk}/cancel/')]")[0] \
        .text_content().split() == ["Cancel", *registration.edition.course.title.split()]


def test_the_messages_are_list_items_with_a_live_region_inside(client):
    user = UserFactory(preferred_language="en")
    edition = EditionFactory()
    client.force_login(user)
    response = client.post(f"/cart/add/{edition.code}/", follow=True)
    tree = page(response)
    (messages,) = tree.xpath("//main//*[contains(concat(' ', @class, ' '), ' messages ')]")
    items = messages.xpath(".//li")
    assert items, html.tostring(messages)
    # A role on <li> takes it out of its list (axe: "list"); the live region is inside it.
    for item in items:
        assert item.get("role") is None
        assert item.xpath("./*[@role='status' or @role='alert']"), html.tostring(item)


def test_tables_that_scroll_sideways_can_be_reached_and_are_named(client):
    edition = EditionFactory()
    CourseUnitFactory(course=edition.course)
    for path in (f"/editions/{edition.code}/", f"/courses/{edition.course.slug}/"):
        tree = page(client.get(path))
        wraps = tree.xpath("//*[contains(concat(' ', @class, ' '), ' table-wrap ')]")
        assert wraps, path
        for wrap in wraps:
            assert wrap.get("tabindex") == "0"
            assert wrap.get("role") == "region"
            label = wrap.get("aria-labelledby")
            assert label and tree.get_element_by_id(label).text_content().strip()


def test_the_focus_ring_also_shows_in_forced_colours_and_on_white():
    """box-shadow alone disappears in Windows' high-contrast mode, and the yellow ring alone
    has too little contrast on white (WCAG 1.4.11): a transparent outline and a dark ring."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    assert "outline: 3px solid transparent" in css
    assert "outline: none; box-shadow: var(--focus)" not in css
    assert "--focus: 0 0 0 3px #ffbf47;" not in css



def test_the_fields_about_the_person_say_their_purpose(client):
    """WCAG 1.3.5: a browser or assistive tool fills in or explains name, address, phone."""
    expected = {"first_name": "given-name", "last_name": "family-name", "email": "email"}
    inputs = page(client.get("/accounts/signup/")).xpath("//main//input[@name]")
    assert {i.get("name"): i.get("autocomplete") for i in inputs
            if i.get("name") in expected} == expected

    client.force_login(UserFactory())
    expected = {"first_name": "given-name", "last_name": "family-name", "date_of_birth": "bday",
                "street": "address-line1", "postal_code": "postal-code",
                "city": "address-level2", "country": "country", "phone": "tel"}
    inputs = page(client.get("/profile/")).xpath("//main//input[@name]")
    assert {i.get("name"): i.get("autocomplete") for i in inputs
            if i.get("name") in expected} == expected


def test_the_language_buttons_are_a_named_form(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tree = page(client.get("/"))
    (switcher,) = tree.xpath("//form[contains(@class, 'language-switcher')]")
    assert tree.get_element_by_id(switcher.get("aria-labelledby")).text_content() == "Language"
    assert [(b.text_content(), b.get("lang"), b.get("aria-pressed"))
            for b in switcher.xpath(".//button")] == [
        ("Nederlands", "nl", "false"), ("English", "en", "true")]
