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


def test_forgotten_password_mail_link_sets_a_new_password(page, live_server):
    """The reset mail goes through the outbox (sent after the request's commit) and its link
    works in the browser; the row keeps no copy of the link once sent."""
    from portal.models import OutgoingEmail
    from tests.factories import UserFactory

    user = UserFactory(email="jan.claes@example.org", preferred_language="en")
    page.goto(live_server.url + "/accounts/password/reset/")
    page.fill("input[name=email]", user.email)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))

    [message] = mail.outbox
    assert message.subject == "Password Reset Email"  # the profile's language, not the browser's
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)
    assert OutgoingEmail.objects.get(recipient=user.email).body_text == ""
    page.goto(link)
    page.fill("input[name=password1]", "a-brand-new-passphrase-42")
    page.fill("input[name=password2]", "a-brand-new-passphrase-42")
    # The form's first button: the last one is "Cancel".
    page.locator("form[action$='-set-password/'] button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/done/$"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "a-brand-new-passphrase-42")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
