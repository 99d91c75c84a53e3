"""The Content-Security-Policy breaks nothing (issue 10): in headless Chromium, the catalog, the
cart's countdown, allauth's pages, the admin's widgets and inlines and the finance dashboard run
without a single CSP violation, and their scripts really run."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import browser_context_args, browser_type_launch_args, page  # noqa: F401
from tests.factories import PASSWORD, EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_no_page_breaks_under_the_policy(page, live_server):  # noqa: F811
    from registrations.services.cart import add_to_cart

    edition = EditionFactory()
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    add_to_cart(user=admin, edition_id=edition.pk)
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy"
            in message.text else None)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))

    page.goto(live_server.url + "/")
    page.goto(live_server.url + f"/editions/{edition.code}/")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))  # staff land in the admin

    # The cart's countdown is a static script: it turns the expiry into mm:ss.
    page.goto(live_server.url + "/cart/")
    expect(page.locator(".countdown[data-expires]").first).to_have_text(re.compile(r"^\d+:\d\d$"))

    for path in ("/accounts/email/", "/accounts/2fa/", "/profile/", "/dashboard/privacy/",
                 "/admin/", "/admin/billing/invoice/dashboard/",
                 "/admin/registrations/registration/", "/admin/courses/course/"):
        page.goto(live_server.url + path)

    # The admin's own scripts run: the date widget adds its shortcuts, an inline row is added.
    page.goto(live_server.url + f"/admin/courses/edition/{edition.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    rows = page.locator("tr.form-row.dynamic-sessions, .inline-related.dynamic-sessions")
    before = rows.count()
    page.locator(".add-row a").first.click()
    expect(rows).to_have_count(before + 1)

    assert violations == []

    # Control: an inline script is refused and reported, so the listener above does see them.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.injected = true";
                             document.head.appendChild(s); }""")
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("() => window.injected === undefined")
    page.wait_for_timeout(500)
    assert any("inline script" in text for text in violations), violations
