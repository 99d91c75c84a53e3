"""Typing kept across a language switch, in a real browser (static/js/keep_typing.js): the
profile form and the sign-up form are filled in, the language is switched (the page reloads in
the other language), and what was typed is back; a password never is (it is not stored)."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import User
from tests.e2e.test_registration_journey import log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_profile_typing_survives_the_language_switch(page, live_server):
    person = UserFactory(first_name="Noor", last_name="Janssens", email="noor@example.org",
                         city="Gent", street="Veldstraat 1")
    log_in(page, live_server, person)
    page.goto(live_server.url + "/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.fill("input[name=street]", "Kortrijksesteenweg 152")
    page.fill("input[name=postal_code]", "9830")
    page.fill("input[name=city]", "Sint-Martens-Latem")
    page.fill("input[name=phone]", "+32 9 264 11 11")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.locator("h1")).to_have_text("My profile")
    expect(page.locator("input[name=street]")).to_have_value("Kortrijksesteenweg 152")
    expect(page.locator("input[name=postal_code]")).to_have_value("9830")
    expect(page.locator("input[name=city]")).to_have_value("Sint-Martens-Latem")
    expect(page.locator("input[name=phone]")).to_have_value("+32 9 264 11 11")
    expect(page.locator("input[name=first_name]")).to_have_value("Noor")  # untouched
    person.refresh_from_db()
    assert person.city == "Gent"  # kept in the browser, not saved: only "Save" saves

    # Only for that one reload: going back to the page shows what is saved.
    page.goto(live_server.url + "/profile/")
    expect(page.locator("input[name=city]")).to_have_value("Gent")


def test_sign_up_keeps_the_e_mail_not_the_password(page, live_server):
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.fill("input[name=first_name]", "An")
    page.fill("input[name=last_name]", "Peeters")
    page.fill("input[name=email]", "an.peeters@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    # What the tab stored as the page left, copied where the next page can read it.
    page.evaluate("""addEventListener("pagehide", () => localStorage.setItem(
        "probe", JSON.stringify(Object.assign({}, sessionStorage))))""")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.locator("input[name=email]")).to_have_value("an.peeters@example.org")
    expect(page.locator("input[name=first_name]")).to_have_value("An")
    expect(page.locator("input[name=last_name]")).to_have_value("Peeters")
    expect(page.locator("input[name=password1]")).to_have_value("")
    expect(page.locator("input[name=password2]")).to_have_value("")
    stored = page.evaluate("localStorage.getItem('probe')")
    assert "an.peeters@example.org" in stored  # the draft was there...
    assert PASSWORD not in stored  # ...without the password, not even for a moment
    assert page.evaluate("sessionStorage.length") == 0  # and is gone once put back

    # The person types the password again and signs up in English.
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert User.objects.get(email="an.peeters@example.org").first_name == "An"
