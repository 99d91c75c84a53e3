"""A participant registers for an edition with a company VAT number (fake VIES), pays nothing yet,
downloads the invoice and the registration certificate; a full edition puts the next participant
on the waiting list. In headless Chromium against the live server (locale nl-BE).

Elements are found by CSS, name, id or form action rather than by their (Dutch) text; where a
text is the point (the waiting-list position), it is translated here the way the page does.
"""

import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from billing.models import Invoice
from courses.models import Edition
from courses.templatetags.portal_format import format_euro
from registrations.models import Cart, Registration, WaitingListEntry
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.factories import PASSWORD, EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COURSE_TITLE = "Data-analyse voor beleidsmakers"
VAT_TYPED = "0403.170.701"
VAT_NORMALISED = "BE0403170701"


def pdf_text(path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")
    return " ".join(text.split())  # a layout may spread a phrase over columns


def log_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    # Staff land in the admin, participants on their dashboard.
    expect(page).to_have_url(re.compile(r"/admin/$" if user.is_staff else r"/dashboard/$"))


def download(page, link, target_dir):
    """Click a link that answers with an attachment; the saved file's path."""
    with page.expect_download() as info:
        link.click()
    downloaded = info.value
    assert downloaded.failure() is None
    path = target_dir / downloaded.suggested_filename
    downloaded.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    return path, downloaded.suggested_filename


def test_company_registration_with_vies_invoice_and_certificate(
    page, live_server, fake_vies, tmp_path
):
    edition = EditionFactory(
        course__title_nl=COURSE_TITLE,
        course__title_en="Data analysis for policy makers",
        vat_treatment=Edition.VatTreatment.TAXED,
        fee_amount=Decimal("450.00"),
    )
    user = UserFactory(first_name="An", last_name="Peeters", email="an.peeters@example.org")

    log_in(page, live_server, user)

    # The edition page: add to cart.
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text(COURSE_TITLE)
    page.locator(f'#register form[action$="/cart/add/{edition.code}/"] button[type=submit]').click()

    # The cart, with the seat held and its countdown ticking (mm:ss from static/js/countdown.js).
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator("#hold .countdown")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    first = page.locator("#hold .countdown").inner_text()
    expect(page.locator("#hold .countdown")).not_to_have_text(first, timeout=3_000)
    expect(page.locator("table.lines tbody tr")).to_have_count(1)
    expect(page.locator("#cart-total")).to_have_text(format_euro(Decimal("544.50"), "nl"))
    page.locator('a.button[href$="/checkout/"]').click()

    # Checkout: a company, its VAT number looked up in (the fake) VIES.
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    # The company's fields show only once the invoice goes to a company (static/js/checkout.js).
    expect(page.locator("#company")).to_be_hidden()
    page.check("input[name=invoice_to][value=company]")
    expect(page.locator("#company")).to_be_visible()
    page.fill("input[name=vat_number]", VAT_TYPED)
    page.locator("button[name=lookup]").click()
    expect(page.locator("#vies-status")).to_have_class(re.compile(r"\bvies-verified\b"))
    expect(page.locator("input[name=company_name]")).to_have_value("KU LEUVEN")
    expect(page.locator("textarea[name=company_address]")).to_have_value(
        re.compile(r"Oude Markt 13\s+3000 Leuven")
    )
    expect(page.locator("input[name=vat_number]")).to_have_value(VAT_NORMALISED)
    expect(page.locator("input[name=invoice_to][value=company]")).to_be_checked()
    assert ("BE", "0403170701") in fake_vies.requests
    page.locator("#confirm").click()

    # The confirmation page: the invoice number and its structured communication.
    expect(page).to_have_url(re.compile(r"/checkout/\d+/$"))
    invoice = Invoice.objects.get(user=user)
    registration = Registration.objects.get(user=user, edition=edition)
    assert invoice.number == f"{timezone.localdate().year}-000001"
    assert invoice.customer_name == "KU LEUVEN"
    assert invoice.customer_vat_number == VAT_NORMALISED
    assert invoice.total == Decimal("544.50")
    expect(page.locator("main")).to_contain_text(invoice.number)
    expect(page.locator("main code")).to_have_text(invoice.structured_communication)
    # Confirmed, nothing paid yet: VIES was asked once (the confirm reused the look-up).
    assert fake_vies.requests.count(("BE", "0403170701")) == 1

    # The invoice PDF, downloaded and read back.
    invoice_link = page.locator(f'a[href$="/invoices/{invoice.pk}/pdf/"]')
    path, filename = download(page, invoice_link, tmp_path)
    assert filename == f"factuur-{invoice.number}.pdf"
    text = pdf_text(path)
    assert invoice.number in text
    assert format_euro(invoice.total, "nl") in text
    assert invoice.structured_communication in text
    assert VAT_NORMALISED in text
    assert "KU LEUVEN" in text
    assert COURSE_TITLE in text

    # The registration certificate, likewise.
    certificate_link = page.locator(f'a[href$="/registrations/{registration.pk}/certificate/"]')
    path, filename = download(page, certificate_link, tmp_path)
    assert filename == f"inschrijvingsattest-{edition.code}.pdf"
    text = pdf_text(path)
    assert "An Peeters" in text
    assert COURSE_TITLE in text
    assert edition.code in text

    # The invoice e-mail went out after commit (eager Celery in the test settings) with the PDF.
    invoice_mails = [m for m in mail.outbox if invoice.number in m.subject]
    assert len(invoice_mails) == 1
    message = invoice_mails[0]
    assert message.to == [user.email]
    attachments = [(name, content, mimetype) for name, content, mimetype in message.attachments]
    assert [(name, mimetype) for name, _, mimetype in attachments] == [
        (f"factuur-{invoice.number}.pdf", "application/pdf")  # a Dutch invoice
    ]
    assert attachments[0][1].startswith(b"%PDF")

    # The dashboard lists the invoice and the registration with its certificate.
    page.goto(live_server.url + "/dashboard/")
    expect(page.locator(f'#invoice-list a[href$="/invoices/{invoice.pk}/pdf/"]')).to_have_count(1)
    expect(page.locator("#invoice-list")).to_contain_text(invoice.number)
    expect(
        page.locator(f'#registrations a[href$="/registrations/{registration.pk}/certificate/"]')
    ).to_have_count(1)


def test_a_full_edition_puts_the_next_participant_on_the_waiting_list(page, live_server):
    edition = EditionFactory(seats=1, course__title_nl=COURSE_TITLE)
    first = UserFactory(email="first@example.org")
    second = UserFactory(first_name="Bert", email="second@example.org")

    # Participant A takes the only seat (through the services).
    add_to_cart(user=first, edition_id=edition.pk)
    checkout(
        user=first, token=Cart.objects.get(user=first).checkout_token, billing=BillingDetails()
    )
    edition.refresh_from_db()
    assert edition.seats_taken == 1

    # Participant B finds it full: no "add to cart", a "join the waiting list" button instead.
    log_in(page, live_server, second)
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    expect(page.locator(f'form[action$="/cart/add/{edition.code}/"]')).to_have_count(0)
    join = page.locator(f'#register form[action$="/waiting-list/{edition.code}/join/"] button')
    expect(join).to_be_visible()
    join.click()

    expect(page).to_have_url(re.compile(rf"/editions/{edition.code}/$"))
    expect(page.locator(f'form[action$="/waiting-list/{edition.code}/join/"]')).to_have_count(0)
    entry = WaitingListEntry.objects.get(user=second, edition=edition)
    assert entry.status == WaitingListEntry.Status.WAITING

    # The dashboard shows position 1, in the page's language.
    page.goto(live_server.url + "/dashboard/")
    with translation.override("nl"):
        position = gettext("position %(position)s on the waiting list") % {"position": 1}
    waiting = page.locator("#waiting-lists li")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(COURSE_TITLE)
    expect(waiting).to_contain_text(position)
    expect(waiting.locator(f'form[action$="/waiting-list/{entry.pk}/leave/"]')).to_have_count(1)
    assert Registration.objects.filter(edition=edition).count() == 1
