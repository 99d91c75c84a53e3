"""Issue 9 in headless Chromium against the live server (locale nl-BE):

1. A participant downloads a participation certificate from the dashboard; an anonymous visitor
   opens the verification address printed on it and sees it valid with the holder's name; a course
   administrator revokes it in the admin (action with a reason); the public page then says revoked.
2. A participant downloads "my data" (ZIP with data.json and the invoice and certificate PDFs),
   asks to be erased; a privacy officer confirms in the admin; the participant can no longer log
   in; finance still opens the invoice in the admin and the hash chain check says OK.

Texts are compared with the translation the page itself uses (gettext under Dutch).
"""

import json
import re
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from audit.chain import verify
from billing.models import Invoice
from certificates.services import issue_participation_certificate, issue_registration_certificate
from exams.models import Attendance
from portal.privacy import PRIVACY_OFFICER
from portal.privacy.models import ErasureRequest
from registrations.models import Cart
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from tests.e2e.test_registration_journey import download, log_in, pdf_text
from tests.factories import PASSWORD, EditionFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COURSE_NL = "Onderhandelen voor leidinggevenden"


def nl(text: str) -> str:
    with translation.override("nl"):
        return gettext(text)


def registered(user, **edition_fields):
    """A confirmed registration through the cart and checkout (so with an invoice)."""
    edition = EditionFactory(fee_amount=Decimal("300.00"), **edition_fields)
    add_to_cart(user=user, edition_id=edition.pk)
    return checkout(user=user, token=Cart.objects.get(user=user).checkout_token,
                    billing=BillingDetails()).registrations.get()


@pytest.fixture
def new_page(browser):
    """Another person's browser (own cookies), closed after the test."""
    contexts = []

    def open_page():
        contexts.append(browser.new_context(locale="nl-BE"))
        page = contexts[-1].new_page()
        page.set_default_timeout(30_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_certificate_download_public_verification_and_revocation(
    page, new_page, live_server, course_admin, finance_user, settings, tmp_path
):
    settings.PORTAL_BASE_URL = live_server.url  # the address printed on the certificate
    participant = UserFactory(first_name="Sofie", last_name="Wuyts", preferred_language="nl")
    registration = registered(participant, course__title_nl=COURSE_NL,
                              course__title_en="Negotiation for managers")
    for week in range(5):
        session = SessionFactory(
            edition=registration.edition,
            starts_at=datetime.combine(registration.edition.start, datetime.min.time(),
                                       timezone.get_current_timezone()).replace(hour=9)
            + timedelta(weeks=week),
        )
        Attendance.objects.create(registration=registration, session=session,
                                  present=week < 4)  # 4 of 5 = the 80 % threshold
    certificate = issue_participation_certificate(registration)

    log_in(page, live_server, participant)
    expect(page.locator("#certificates h2")).to_have_text(nl("My certificates"))
    row = page.locator("#certificate-list li", has_text=COURSE_NL).filter(
        has=page.locator(f"a[href='/certificates/{certificate.pk}/download/']"))
    expect(row).to_be_visible()
    path, name = download(page, row.locator("a[href$='/download/']"), tmp_path)
    assert name == certificate.filename
    text = pdf_text(path)
    assert "Sofie Wuyts" in text and COURSE_NL in text and certificate.code in text
    printed = re.search(re.escape(live_server.url) + r"/certificates/verify/\w+/", text)
    assert printed, text

    # Anyone (no log-in) verifies it at the printed address.
    visitor = new_page()
    visitor.goto(printed.group(0))
    expect(visitor.locator("#verification-status")).to_have_text(nl("This certificate is valid."))
    expect(visitor.locator("#verification")).to_contain_text("Sofie Wuyts")
    expect(visitor.locator("#verification")).to_contain_text(COURSE_NL)
    expect(visitor.locator("#verification")).not_to_contain_text(participant.email)

    # Finance may not revoke (no access to certificates); another participant cannot download it.
    outsider = new_page()
    log_in(outsider, live_server, finance_user)
    assert outsider.goto(live_server.url + "/admin/certificates/certificate/").status == 403
    other = new_page()
    log_in(other, live_server, UserFactory())
    response = other.goto(f"{live_server.url}/certificates/{certificate.pk}/download/")
    assert response.status == 404

    # A course administrator revokes it: the action asks for the reason first.
    staff = new_page()
    log_in(staff, live_server, course_admin)
    staff.goto(live_server.url + "/admin/certificates/certificate/")
    staff.locator(f"input.action-select[value='{certificate.pk}']").check()
    staff.select_option("select[name=action]", "revoke")
    staff.locator("button[name=index]").click()
    staff.fill("textarea[name=reason]", "Aanwezigheidslijst bleek fout.")
    staff.locator("#content form:has(textarea[name=reason]) input[type=submit]").click()
    expect(staff.locator("ul.messagelist")).to_be_visible()
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == course_admin
    assert certificate.revocation_reason == "Aanwezigheidslijst bleek fout."

    visitor.reload()
    expect(visitor.locator("#verification-status")).to_have_text(
        nl("This certificate has been revoked."))
    expect(visitor.locator("#verification")).not_to_contain_text("Aanwezigheidslijst")
    # The holder still downloads it; the PDF now says it was revoked, and why.
    page.reload()
    expect(row.locator(".badge-cancelled")).to_be_visible()
    path, _name = download(page, row.locator("a[href$='/download/']"), tmp_path)
    assert "Aanwezigheidslijst bleek fout." in pdf_text(path)


def test_export_erasure_and_the_invoice_and_chain_afterwards(
    page, new_page, live_server, course_admin, finance_user, tmp_path
):
    participant = UserFactory(first_name="Jonas", last_name="Verhulst",
                              email="jonas.verhulst@example.org")
    registration = registered(participant, course__title_nl=COURSE_NL)
    invoice = Invoice.objects.get(user=participant)
    certificate = issue_registration_certificate(registration)

    log_in(page, live_server, participant)
    page.locator("#privacy-link").click()
    expect(page).to_have_url(re.compile(r"/dashboard/privacy/$"))
    with page.expect_download() as info:
        page.locator("#export a[href='/dashboard/privacy/export/']").click()
    assert info.value.failure() is None
    archive = tmp_path / info.value.suggested_filename
    info.value.save_as(archive)
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.zip", archive.name)
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        data = zipped.read("data.json").decode("utf-8")
        pdfs = {name: zipped.read(name) for name in names if name.endswith(".pdf")}
    assert invoice.number in data and certificate.code in data
    assert json.loads(data)  # well-formed
    assert any(name.startswith("invoices/") for name in pdfs)
    assert any(name.startswith("certificates/") for name in pdfs)
    assert all(content.startswith(b"%PDF") for content in pdfs.values())

    # Ask to be erased.
    page.locator("#erasure input[name=confirm]").check()
    page.fill("#erasure textarea[name=note]", "Graag alles wissen.")
    page.locator("#erasure button[type=submit]").click()
    expect(page.locator("#erasure form[action*='/withdraw/']")).to_be_visible()
    erasure = ErasureRequest.objects.get(user=participant)
    assert erasure.status == ErasureRequest.Status.PENDING

    # A course administrator may not confirm it; a privacy officer does, in the admin.
    other_staff = new_page()
    log_in(other_staff, live_server, course_admin)
    confirm_url = f"{live_server.url}/admin/portal/erasurerequest/{erasure.pk}/confirm/"
    assert other_staff.goto(confirm_url).status == 403
    officer = UserFactory(email="privacy@example.org", is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    staff = new_page()
    log_in(staff, live_server, officer)
    staff.goto(live_server.url + "/admin/portal/erasurerequest/")
    staff.locator(f"a[href='/admin/portal/erasurerequest/{erasure.pk}/confirm/']").click()
    expect(staff.locator("#erasure-confirmation")).to_contain_text("Jonas Verhulst")
    staff.locator("#erasure-confirmation input[type=submit]").click()
    expect(staff).to_have_url(re.compile(r"/admin/portal/erasurerequest/$"))
    erasure.refresh_from_db()
    assert erasure.status != ErasureRequest.Status.PENDING
    participant.refresh_from_db()
    assert participant.email.endswith("@erased.invalid") and not participant.is_active

    # The participant's session is gone, and the old credentials no longer work.
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", "jonas.verhulst@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("input[name=login]")).to_be_visible()

    # The organizer's default revokes an erased person's certificates; the public page no longer
    # names them.
    visitor = new_page()
    visitor.goto(f"{live_server.url}/certificates/verify/{certificate.code}/")
    expect(visitor.locator("#verification-status")).to_have_text(
        nl("This certificate has been revoked."))
    expect(visitor.locator("#verification")).not_to_contain_text("Verhulst")

    # Finance still opens the invoice as issued, and the chain is intact.
    finance = new_page()
    log_in(finance, live_server, finance_user)
    finance.goto(f"{live_server.url}/admin/billing/invoice/{invoice.pk}/change/")
    expect(finance.locator("#content")).to_contain_text(invoice.number)
    expect(finance.locator("#content")).to_contain_text("Jonas Verhulst")
    finance.goto(live_server.url + "/admin/audit/auditentry/")
    finance.locator("a[href='/admin/audit/auditentry/chain/']").click()
    expect(finance.locator(".chain-ok")).to_have_count(1)
    expect(finance.locator(".chain-broken")).to_have_count(0)
    assert all(report.ok for report in verify())
