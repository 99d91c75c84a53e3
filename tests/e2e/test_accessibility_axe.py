"""WCAG 2.1 AA (EU Web Accessibility Directive): axe-core run on the participant's key pages, in
Dutch and in English, fails on every serious or critical violation. axe-core is vendored under
tests/vendor/axe-core (MPL-2.0) and injected by the browser; the portal never serves it. The
context bypasses the CSP only so that the injected script may run."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from certificates.services import issue_registration_certificate
from registrations.services.cart import add_to_cart
from tests.e2e.test_registration_journey import log_in
from tests.factories import (
    CourseUnitFactory,
    EditionFactory,
    InvoiceFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def overflow(page) -> int:
    """How far the page reaches past the window's right edge (0 when it reflows)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.help} -> ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
}"""


@pytest.fixture
def audited(browser, live_server):
    """A page whose CSP lets the injected axe script run, and a function auditing a path."""
    context = browser.new_context(bypass_csp=True, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def audit(path: str | None = None) -> list[str]:
        if path is not None:
            page.goto(live_server.url + path)
        page.add_script_tag(path=str(AXE))
        return [f"{page.url}: {line}" for line in page.evaluate(RUN_AXE)]

    yield page, audit
    context.close()


def world(language: str):
    """A participant with a registration, its invoice and certificate, and an edition
    with units and sessions wide enough to scroll on a laptop."""
    user = UserFactory(preferred_language=language)
    edition = EditionFactory(fee_amount=Decimal("450.00"),
                             course__title_nl="Postgraduaat Toegepaste Gegevenswetenschappen")
    for n in range(3):
        CourseUnitFactory(course=edition.course,
                          title_nl=f"Verantwoordelijke gegevensverwerking en ethiek deel {n}",
                          title_en=f"Responsible data processing and ethics part {n}")
        SessionFactory(edition=edition)
    registration = RegistrationFactory(user=user)
    InvoiceFactory(registrations=[registration], language=language)
    certificate = issue_registration_certificate(registration)
    return user, edition, certificate


@pytest.mark.parametrize("language", ["nl", "en"])
def test_key_pages_have_no_serious_axe_violations(audited, live_server, language):
    page, audit = audited
    user, edition, certificate = world(language)
    # A narrow laptop window: the units table scrolls sideways, as at 200 % zoom.
    page.set_viewport_size({"width": 900, "height": 800})
    violations = []
    page.goto(live_server.url + "/")
    page.locator(f".language-switcher button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    for path in ("/", f"/editions/{edition.code}/", "/accounts/signup/", "/this-does-not-exist/",
                 f"/certificates/verify/{certificate.code}/"):
        violations += audit(path)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "wrong-password")
    page.locator("main form button[type=submit]").click()
    violations += audit()

    log_in(page, live_server, user)
    for path in ("/dashboard/", "/profile/", "/exams/", "/dashboard/privacy/"):
        violations += audit(path)
    # The cart with the message an action leaves, then the checkout with errors.
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    page.locator(f'#register form[action$="/cart/add/{edition.code}/"] button').click()
    expect(page.locator(".messages")).to_be_visible()
    violations += audit()
    page.goto(live_server.url + "/checkout/")
    page.locator("input[name=invoice_to][value=company]").check()
    page.locator("#confirm").click()
    expect(page.locator("input[name=vat_number]")).to_have_attribute("aria-invalid", "true")
    violations += audit()
    assert violations == []


def test_a_form_sent_back_with_errors_says_so_and_puts_the_focus_on_the_first_error(
        page, live_server):
    user = UserFactory(preferred_language="en")
    log_in(page, live_server, user)
    page.goto(live_server.url + "/profile/")
    page.fill("input[name=phone]", "call me")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_title("Error: My profile")
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_phone")).to_have_attribute("aria-describedby", "id_phone_error")

    # An error of the whole form has no field: its message takes the focus.
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .errorlist.nonfield")).to_be_focused()


@pytest.mark.parametrize("width", [640, 720])
def test_an_edition_with_a_wide_units_table_reflows_at_200_percent_zoom(page, live_server, width):
    """A 1280-1440 px laptop at 200 % zoom is 640-720 px wide: only the table scrolls, in its
    own box, never the page (WCAG 1.4.10)."""
    _, edition, _ = world("nl")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    expect(page.locator("#units .table-wrap")).to_be_visible()
    assert overflow(page) == 0


@pytest.mark.parametrize("width", [640, 800])
def test_the_cart_and_the_invoices_reflow_at_200_percent_zoom(page, live_server, width):
    user, edition, _ = world("nl")
    add_to_cart(user=user, edition_id=edition.pk)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, user)
    for path in ("/cart/", "/dashboard/"):
        page.goto(live_server.url + path)
        assert overflow(page) == 0, path
