"""Open the catalog, sign up, confirm the e-mail from the sent message, log in, see the
dashboard, switch to English: in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD, EditionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_catalog_sign_up_confirm_log_in_dashboard_english(page, live_server):
    edition = EditionFactory(course__title_nl="Projectmanagement in de praktijk",
                             course__title_en="Project management in practice")

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_text("Projectmanagement in de praktijk").first).to_be_visible()
    page.get_by_text("Projectmanagement in de praktijk").first.click()
    expect(page).to_have_url(re.compile(rf"/editions/{edition.code}/$"))

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=first_name]", "An")
    page.fill("input[name=last_name]", "Peeters")
    page.fill("input[name=email]", "an.peeters@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # Log out and back in with the new password.
    page.locator("header form[action$=\"/logout/\"] button").click()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "an.peeters@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("#registrations")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Welkom, An")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Welcome, An")
    expect(page.locator("#registrations h2")).to_have_text("My registrations")
