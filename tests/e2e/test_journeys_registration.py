"""Registration journeys across roles in headless Chromium against the live server (locale
nl-BE): a policy B cancellation from the dashboard, confirmed by a course administrator in the
admin, with the credit note on the dashboard; the seat it frees offered to the next person on
the waiting list, who accepts it; an admission application with a CV, admitted in the admin,
then the registration."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import CreditNote
from courses.templatetags.portal_format import format_euro
from registrations.models import (
    AdmissionApplication,
    CancellationRequest,
    Cart,
    Registration,
    WaitingListEntry,
)
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.waiting_list import join_waiting_list
from tests.e2e.test_certificates_and_privacy import new_page  # noqa: F401 (a fixture)
from tests.e2e.test_registration_journey import download, log_in, pdf_text
from tests.factories import EditionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_policy_b_cancellation_credit_note_and_the_waiting_list_offer_accepted(
    page, new_page, live_server, course_admin, tmp_path  # noqa: F811
):
    edition = EditionFactory(seats=1, fee_amount=Decimal("300.00"), cancellation_policy="B",
                             start=timezone.localdate() + timedelta(days=30),
                             course__title_nl="Coaching op het werk")
    first = UserFactory(first_name="Lotte", email="lotte@example.org")
    second = UserFactory(first_name="Bram", email="bram@example.org")
    add_to_cart(user=first, edition_id=edition.pk)
    registration = checkout(user=first, token=Cart.objects.get(user=first).checkout_token,
                            billing=BillingDetails()).registrations.get()
    join_waiting_list(user=second, edition_id=edition.pk)

    # The participant cancels: 10 % at least 50.00 is kept, the rest credited.
    log_in(page, live_server, first)
    page.locator(f"a[href='/registrations/{registration.pk}/cancel/']").click()
    expect(page.locator("#kept")).to_have_text(format_euro(Decimal("50.00"), "nl"))
    expect(page.locator("#credited")).to_have_text(format_euro(Decimal("250.00"), "nl"))
    page.locator("#confirm-cancel").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".message-success")).to_be_visible()
    request = CancellationRequest.objects.get()

    # A course administrator confirms it in the admin.
    staff = new_page()
    log_in(staff, live_server, course_admin)
    staff.goto(live_server.url + "/admin/registrations/cancellationrequest/")
    staff.locator(f"input.action-select[value='{request.pk}']").check()
    staff.select_option("select[name=action]", "confirm")
    staff.locator("button[name=index]").click()
    staff.locator("#content form input[type=submit]").click()
    expect(staff.locator("ul.messagelist")).to_be_visible()
    request.refresh_from_db()
    assert request.status == "confirmed"

    # The participant sees the credit note and downloads it.
    page.reload()
    note = CreditNote.objects.get()
    link = page.locator(f"#credit-notes a[href='/credit-notes/{note.pk}/pdf/']")
    expect(link).to_be_visible()
    path, _name = download(page, link, tmp_path)
    text = pdf_text(path)
    assert note.number in text and "250,00" in text

    # The freed seat is offered to the next person waiting, who takes it.
    entry = WaitingListEntry.objects.get(user=second)
    assert entry.status == WaitingListEntry.Status.OFFERED
    other = new_page()
    log_in(other, live_server, second)
    waiting = other.locator("#waiting-lists li")
    expect(waiting.locator("strong")).to_be_visible()
    other.goto(f"{live_server.url}/editions/{edition.code}/")
    expect(other.locator(f'#register form[action$="/cart/add/{edition.code}/"]')).to_be_visible()
    other.goto(live_server.url + "/dashboard/")
    waiting.locator(f'form[action$="/cart/add/{edition.code}/"] button').click()
    expect(other).to_have_url(re.compile(r"/cart/$"))
    other.locator('a.button[href$="/checkout/"]').click()
    other.locator("#confirm").click()
    expect(other).to_have_url(re.compile(r"/checkout/\d+/$"))
    assert Registration.objects.get(user=second, edition=edition).status == "confirmed"
    other.goto(live_server.url + "/dashboard/")
    expect(other.locator("#waiting-lists")).to_have_count(0)


def test_admission_with_a_cv_admitted_in_the_admin_then_registration(
    page, new_page, live_server, course_admin, settings, tmp_path  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path
    edition = EditionFactory(admission_required=True, fee_amount=Decimal("900.00"),
                             course__title_nl="Postgraduaat Data Science")
    candidate = UserFactory(first_name="Noor", email="noor@example.org")

    log_in(page, live_server, candidate)
    page.goto(f"{live_server.url}/editions/{edition.code}/")
    expect(page.locator(f'form[action$="/cart/add/{edition.code}/"]')).to_have_count(0)
    page.locator(f"#register a[href$='/editions/{edition.code}/apply/']").click()
    page.fill("textarea[name=motivation]", "Ik wil data beter begrijpen.")
    page.fill("textarea[name=prior_knowledge]", "Statistiek 1 en 2.")
    # Switching the language halfway keeps what was typed.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("textarea[name=motivation]")).to_have_value(
        "Ik wil data beter begrijpen.")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("textarea[name=prior_knowledge]")).to_have_value("Statistiek 1 en 2.")
    page.fill("textarea[name=experience]", "Vijf jaar beleidsmedewerker.")
    page.set_input_files("input[name=cv]", files=[{
        "name": "cv-noor.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    }])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".message-success")).to_be_visible()
    application = AdmissionApplication.objects.get(user=candidate)
    expect(page.locator(f"#applications a[href='/applications/{application.pk}/cv/']")
           ).to_be_visible()

    # A course administrator opens the CV and admits the candidate.
    staff = new_page()
    log_in(staff, live_server, course_admin)
    staff.goto(f"{live_server.url}/admin/registrations/admissionapplication/"
               f"{application.pk}/change/")
    with staff.expect_download() as info:
        staff.locator(f"a[href='/applications/{application.pk}/cv/']").click()
    assert info.value.failure() is None
    staff.goto(live_server.url + "/admin/registrations/admissionapplication/")
    staff.locator(f"input.action-select[value='{application.pk}']").check()
    staff.select_option("select[name=action]", "admit")
    staff.locator("button[name=index]").click()
    expect(staff.locator("ul.messagelist")).to_be_visible()
    application.refresh_from_db()
    assert application.status == "admitted"

    # The candidate registers through the link on the dashboard.
    page.reload()
    page.locator(f"#applications a[href$='/editions/{edition.code}/']").click()
    page.locator(f'#register form[action$="/cart/add/{edition.code}/"] button').click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.locator('a.button[href$="/checkout/"]').click()
    page.locator("#confirm").click()
    expect(page).to_have_url(re.compile(r"/checkout/\d+/$"))
    assert Registration.objects.get(user=candidate, edition=edition).status == "confirmed"
