"""The registration pages in the browser's place (Django test client): as the participant who
may see them, and as people who may not."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice
from courses.models import Edition
from registrations.models import (
    AdmissionApplication,
    Cart,
    Registration,
    Voucher,
    WaitingListEntry,
)
from registrations.services.admission import decide_admission
from registrations.services.cart import add_to_cart, apply_voucher
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def shown(client) -> dict:
    """The checkout page's token and the total it shows, as its confirm button sends them."""
    context = client.get(reverse("checkout")).context
    return {"token": context["form"].initial["token"], "total": context["summary"].total}


def test_edition_page_offers_add_to_cart_then_checkout(client, participant, edition):
    client.force_login(participant)
    page = english(client).get(reverse("edition_detail", args=[edition.code])).content.decode()
    assert reverse("cart_add", args=[edition.code]) in page
    response = client.post(reverse("cart_add", args=[edition.code]))
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    cart_page = client.get(reverse("cart")).content.decode()
    assert edition.course.title_en in cart_page
    assert "data-expires" in cart_page  # the hold countdown
    response = client.post(reverse("checkout"), {**shown(client), "invoice_to": "person",
                                                 "confirm": "1"})
    record = participant.checkouts.get()
    assert response["Location"] == reverse("checkout_done", args=[record.pk])
    done = client.get(response["Location"]).content.decode()
    invoice = Invoice.objects.get(user=participant)
    assert invoice.number in done and invoice.structured_communication in done


def test_double_submit_of_the_checkout_form_registers_once(client, participant, edition):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    form = {**shown(client), "invoice_to": "person", "confirm": "1"}
    first = client.post(reverse("checkout"), form)
    second = client.post(reverse("checkout"), form)
    assert first["Location"] == second["Location"]
    assert Registration.objects.filter(user=participant).count() == 1


def test_tampered_amounts_in_the_form_change_nothing(client, participant, edition):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    page = shown(client)
    response = client.post(reverse("checkout"), {**page, "invoice_to": "person", "confirm": "1",
                                                 "total": "0.01"})
    assert response.status_code == 200 and not Registration.objects.exists()  # not that price
    client.post(reverse("checkout"), {**page, "invoice_to": "person", "confirm": "1",
                                      "fee": "0", "edition": "999999"})
    assert Registration.objects.get(user=participant).total == Decimal("450.00")


def test_company_checkout_looks_up_vies_and_fills_in_the_company(client, participant, edition,
                                                                 fake_vies):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    token = client.get(reverse("checkout")).context["form"].initial["token"]
    response = english(client).post(reverse("checkout"), {
        "token": token, "invoice_to": "company", "vat_number": "0403.170.701", "lookup": "1"})
    form = response.context["form"]
    assert form.data["vat_number"] == "BE0403170701"
    assert form.data["company_name"] == "KU LEUVEN"
    assert "Found in VIES" in response.content.decode()
    response = client.post(reverse("checkout"), {
        "token": token, "invoice_to": "company", "vat_number": "BE0403170701",
        "company_name": "KU LEUVEN", "company_address": "Oude Markt 13\n3000 Leuven",
        "total": "450.00", "confirm": "1"})
    assert response.status_code == 302
    invoice = Invoice.objects.get(user=participant)
    assert (invoice.customer_name, invoice.vat_check) == ("KU LEUVEN", "verified")
    assert fake_vies.requests == [("BE", "0403170701")]  # asked once, reused at confirm


def test_checkout_completes_unverified_when_vies_hangs(client, participant, edition,
                                                       hanging_vies, settings):
    settings.VIES_TIMEOUT_SECONDS = 1
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    page = shown(client)
    started = timezone.now()
    response = client.post(reverse("checkout"), {
        **page, "invoice_to": "company", "vat_number": "BE0403170701",
        "company_name": "KU Leuven", "company_address": "Oude Markt 13", "confirm": "1"})
    elapsed = (timezone.now() - started).total_seconds()
    assert response.status_code == 302
    assert elapsed < 1 + 1
    assert Invoice.objects.get(user=participant).vat_check == "unverified"


@pytest.mark.parametrize(
    ("number", "message"),
    [("BE0403170702", "not a valid enterprise or VAT number"),
     ("US123456789", "not a valid enterprise or VAT number"),
     ("", "needs its VAT number")],
)
def test_bad_vat_numbers_get_a_clear_message(client, participant, edition, number, message):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    token = client.get(reverse("checkout")).context["form"].initial["token"]
    response = english(client).post(reverse("checkout"), {
        "token": token, "invoice_to": "company", "vat_number": number, "confirm": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_vies_saying_invalid_blocks_a_foreign_number_with_a_message(
        client, participant, edition, fake_vies):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    response = english(client).post(reverse("checkout"), {
        # Well-formed, right check digits, but no active VAT number according to (fake) VIES.
        **shown(client), "invoice_to": "company", "vat_number": "NL004495445B01",
        "company_name": "X", "company_address": "Y", "confirm": "1"})
    assert "VIES reports that this VAT number is not active" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_belgian_enterprise_number_without_vat_is_invoiced_under_that_number(
        client, participant, edition, fake_vies):
    """rules.md §2: "enterprise or VAT number". A non-profit, a school or a public body has a
    valid enterprise number that VIES calls inactive (no VAT registration): it can still be
    invoiced, under its enterprise number, with the name and address the person types."""
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    looked_up = english(client).post(reverse("checkout"), {
        **shown(client), "invoice_to": "company", "vat_number": "0234.567.873", "lookup": "1"})
    assert "This enterprise number is not registered for VAT" in looked_up.content.decode()
    assert not Registration.objects.exists()
    client.post(reverse("checkout"), {
        **shown(client), "invoice_to": "company", "vat_number": "0234.567.873",
        "company_name": "Vzw De Leerschool", "company_address": "Kouter 2\n9000 Gent",
        "confirm": "1"})
    invoice = Invoice.objects.get(user=participant)
    assert (invoice.customer_name, invoice.customer_vat_number, invoice.vat_check) == (
        "Vzw De Leerschool", "BE0234567873", "invalid")


def test_full_edition_offers_the_waiting_list(client, participant, other_participant):
    edition = EditionFactory(seats=1)
    add_to_cart(user=other_participant, edition_id=edition.pk)
    client.force_login(participant)
    page = english(client).get(reverse("edition_detail", args=[edition.code])).content.decode()
    assert "This edition is full." in page
    client.post(reverse("waiting_list_join", args=[edition.code]))
    entry = WaitingListEntry.objects.get(user=participant)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "position 1 on the waiting list" in dashboard
    client.post(reverse("waiting_list_leave", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "withdrawn"


def test_admission_application_with_cv(client, participant, course_admin, other_participant):
    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    page = english(client).get(reverse("edition_detail", args=[edition.code])).content.decode()
    assert reverse("admission_apply", args=[edition.code]) in page
    cv = SimpleUploadedFile("../../etc/my cv.pdf", b"%PDF-1.4 a cv", "application/pdf")
    response = client.post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "I want to learn", "prior_knowledge": "Some", "experience": "5 years",
        "cv": cv})
    assert response.status_code == 302
    application = AdmissionApplication.objects.get(user=participant)
    assert application.cv_name == "my cv.pdf"
    assert re.fullmatch(r"admission/cv/[0-9a-f]{32}\.pdf", application.cv.name)
    assert client.get(reverse("application_cv", args=[application.pk])).status_code == 200
    client.force_login(other_participant)
    assert client.get(reverse("application_cv", args=[application.pk])).status_code == 404
    client.force_login(course_admin)
    assert client.get(reverse("application_cv", args=[application.pk])).status_code in (200, 404)

    decide_admission(application_id=application.pk, admitted=True, staff_user=course_admin)
    client.force_login(participant)
    assert client.post(reverse("cart_add", args=[edition.code])).status_code == 302
    assert Cart.objects.get(user=participant).items.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(b"not a pdf", "cv.pdf", "must be a PDF"),
     (b"%PDF-" + b"x" * (5 * 1024 * 1024), "cv.pdf", "at most 5 MB")],
)
def test_cv_upload_limits(client, participant, content, name, message):
    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = english(client).post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "m", "prior_knowledge": "p", "experience": "e",
        "cv": SimpleUploadedFile(name, content, "application/pdf")})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AdmissionApplication.objects.exists()


def test_clearing_the_cv_field_sends_the_application_without_a_cv(client, participant):
    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = client.post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "m", "prior_knowledge": "p", "experience": "e", "cv-clear": "on"})
    assert response.status_code == 302
    assert not AdmissionApplication.objects.get(user=participant).cv


def test_a_body_larger_than_the_cv_limit_is_refused_before_it_is_read(client, participant,
                                                                      rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from registrations import views

    edition = EditionFactory(admission_required=True)
    client.force_login(participant)
    response = english(client).post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "m", "prior_knowledge": "p", "experience": "e",
        "cv": SimpleUploadedFile("cv.pdf", b"%PDF-" + b"x" * (6 * 1024 * 1024))})
    assert response.status_code == 413
    assert "at most 5 MB" in response.content.decode()
    assert not AdmissionApplication.objects.exists()
    # The announced length decides: the body (here a small one) is never read.
    request = rf.post(reverse("admission_apply", args=[edition.code]), {"motivation": "m"},
                      CONTENT_LENGTH=str(2 * 1024**3))
    request.user = participant
    request.session = {}
    request._messages = FallbackStorage(request)
    response = views.apply(request, edition.code)
    assert response.status_code == 413
    assert not request._read_started


def test_the_apply_page_refuses_applications_after_the_deadline(client, participant):
    edition = EditionFactory(admission_required=True,
                             start=timezone.localdate() + timedelta(days=2))
    client.force_login(participant)
    response = english(client).post(reverse("admission_apply", args=[edition.code]), {
        "motivation": "m", "prior_knowledge": "p", "experience": "e"})
    assert response.status_code == 200
    assert "applications are no longer accepted" in response.content.decode()
    assert not AdmissionApplication.objects.exists()


def test_nobody_downloads_someone_elses_invoice_or_certificate(client, participant,
                                                             other_participant, edition):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    client.post(reverse("checkout"), {**shown(client), "invoice_to": "person", "confirm": "1"})
    invoice = Invoice.objects.get(user=participant)
    registration = Registration.objects.get(user=participant)
    checkout_id = participant.checkouts.get().pk
    own = client.get(reverse("invoice_pdf", args=[invoice.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert client.get(reverse("registration_certificate",
                              args=[registration.pk])).status_code == 200
    client.force_login(other_participant)
    for url in (reverse("invoice_pdf", args=[invoice.pk]),
                reverse("registration_certificate", args=[registration.pk]),
                reverse("checkout_done", args=[checkout_id])):
        assert client.get(url).status_code == 404, url
    client.logout()
    for url in (reverse("invoice_pdf", args=[invoice.pk]), reverse("cart"),
                reverse("checkout")):
        assert client.get(url).status_code == 302, url


def test_dashboard_lists_registrations_invoices_and_applications(client, participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    from registrations.services.checkout import BillingDetails, checkout

    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    client.force_login(participant)
    page = english(client).get(reverse("dashboard")).content.decode()
    invoice = Invoice.objects.get(user=participant)
    assert invoice.number in page
    assert reverse("invoice_pdf", args=[invoice.pk]) in page
    assert reverse("registration_certificate",
                   args=[Registration.objects.get().pk]) in page


def test_dashboard_shows_each_instalment_of_an_invoice(client, participant):
    from registrations.services.checkout import BillingDetails, checkout

    edition = EditionFactory(fee_amount=Decimal("900.00"), instalments_allowed=True,
                             max_instalments=3)
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails(instalments=3))
    client.force_login(participant)
    page = english(client).get(reverse("dashboard")).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    invoice = Invoice.objects.get(user=participant)
    assert "In 3 instalments:" in text
    for part in invoice.instalments.order_by("number"):
        assert (f"{part.number}/3: €300.00 · due {part.due_date:%d/%m/%Y} · Structured "
                f"communication {part.structured_communication}") in text


def test_dashboard_queries_do_not_grow_with_data(client, participant):
    from registrations.services.checkout import BillingDetails, checkout

    def buy(count):
        for _ in range(count):
            edition = EditionFactory(start=timezone.localdate() + timedelta(days=40))
            add_to_cart(user=participant, edition_id=edition.pk)
        checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                 billing=BillingDetails())

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(participant)
    buy(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    buy(10)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("dashboard"))
    assert len(few) == len(many)


def test_other_people_cannot_see_a_cart(client, participant, other_participant, edition):
    add_to_cart(user=participant, edition_id=edition.pk)
    client.force_login(other_participant)
    assert edition.course.title_nl not in client.get(reverse("cart")).content.decode()


def test_unverified_company_checkout_survives_its_after_commit_jobs(
    client, participant, edition, down_vies, django_capture_on_commit_callbacks
):
    """With VIES down the re-check task asks Celery for a retry; in the eager embedded default
    that surfaced as a server error after the checkout had committed."""
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    page = shown(client)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("checkout"), {
            **page, "invoice_to": "company", "vat_number": "BE0403170701",
            "company_name": "KU Leuven", "company_address": "Oude Markt 13", "confirm": "1"})
    assert response.status_code == 302
    assert len(callbacks) >= 2  # the invoice e-mail and the VIES re-check
    from portal.models import OutgoingEmail

    assert OutgoingEmail.objects.get(user=participant).status == "sent"


def test_a_price_change_after_the_page_was_shown_is_refused_with_the_new_total(
        client, participant):
    """The confirm carries the total its page showed: a fee raised meanwhile is not charged
    silently; the page comes back with the new price to confirm."""
    edition = EditionFactory(fee_amount=Decimal("100.00"))
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    page = shown(client)
    assert page["total"] == Decimal("100.00")
    Edition.objects.filter(pk=edition.pk).update(fee_amount=Decimal("900.00"))
    form = {**page, "invoice_to": "person", "instalments": "1", "confirm": "1"}
    response = english(client).post(reverse("checkout"), form)
    text = response.content.decode()
    assert response.status_code == 200 and not Registration.objects.exists()
    assert "The price changed in the meantime" in text
    assert response.context["summary"].total == Decimal("900.00")
    assert 'name="total" value="900.00"' in text
    for missing in ({**form, "total": ""}, {k: v for k, v in form.items() if k != "total"}):
        response = client.post(reverse("checkout"), missing)
        assert "The price changed in the meantime" in response.content.decode()
        assert not Registration.objects.exists()
    response = client.post(reverse("checkout"), {**form, "total": "900.00"})
    assert response.status_code == 302
    assert Registration.objects.get(user=participant).fee == Decimal("900.00")


def test_a_lapsed_voucher_shows_no_discount_and_comes_off_with_a_button(
        client, participant, other_participant, edition):
    Voucher.objects.create(code="WELCOME", kind="fixed", value=Decimal("10"))
    for person in (participant, other_participant):
        add_to_cart(user=person, edition_id=edition.pk)
        apply_voucher(user=person, code="WELCOME")
    client.force_login(participant)
    page = english(client).get(reverse("cart")).content.decode()
    assert "Voucher WELCOME applied." in page and reverse("cart_voucher_remove") in page
    Voucher.objects.filter(code="WELCOME").update(active=False)
    response = client.get(reverse("cart"))
    page = response.content.decode()
    assert "Voucher WELCOME no longer gives a discount." in page
    assert "The prices are shown without the voucher." in page
    assert response.context["summary"].total == Decimal("450.00")
    checkout_page = client.get(reverse("checkout")).content.decode()
    assert "The prices are shown without the voucher." in checkout_page
    # A POST with its CSRF token, from the person's own session, on their own cart only.
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(participant)
    assert guarded.post(reverse("cart_voucher_remove")).status_code == 403
    assert client.get(reverse("cart_voucher_remove")).status_code == 405
    response = client.post(reverse("cart_voucher_remove"), follow=True)
    assert "The voucher has been removed." in response.content.decode()
    assert Cart.objects.get(user=participant).voucher is None
    assert Cart.objects.get(user=other_participant).voucher is not None


def test_kmo_for_a_course_without_kmo_recognition_gets_a_clear_message(
        client, participant, fake_vies):
    edition = EditionFactory(kmo_eligible=False)
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    response = english(client).post(reverse("checkout"), {
        **shown(client), "invoice_to": "company", "vat_number": "BE0403170701",
        "company_name": "KU LEUVEN", "company_address": "Oude Markt 13",
        "kmo_portefeuille": "on", "confirm": "1"})
    assert response.status_code == 200 and not Registration.objects.exists()
    errors = response.context["form"].errors["kmo_portefeuille"]
    assert errors == [f"The KMO-portefeuille is not possible for: {edition.course.title_en}. "
                      "Pay without it, or check out these courses separately."]
    assert "The KMO-portefeuille is not possible for" in response.content.decode()


@pytest.mark.parametrize("eligible", [True, False])
def test_the_kmo_checkbox_is_offered_only_when_every_course_is_recognised(
        client, participant, eligible):
    edition = EditionFactory(kmo_eligible=eligible)
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    page = english(client).get(reverse("checkout")).content.decode()
    assert ('name="kmo_portefeuille"' in page) == eligible
    assert ('id="kmo-not-possible"' in page) != eligible


def test_the_kmo_portefeuille_and_instalments_do_not_go_together(client, participant, fake_vies):
    edition = EditionFactory(kmo_eligible=True, instalments_allowed=True, max_instalments=3)
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    response = english(client).post(reverse("checkout"), {
        **shown(client), "invoice_to": "company", "vat_number": "BE0403170701",
        "company_name": "KU LEUVEN", "company_address": "Oude Markt 13",
        "kmo_portefeuille": "on", "instalments": "3", "confirm": "1"})
    assert response.status_code == 200 and not Registration.objects.exists()
    assert response.context["form"].errors["instalments"] == [
        "With the KMO-portefeuille the invoice is paid in one go."]


@pytest.mark.parametrize(("third_party", "error_field", "error"), [
    ({"third_party_name": "Stad Gent", "third_party_address": "Botermarkt 1\n9000 Gent",
      "third_party_vat_number": "BE 0207.451.228"},
     "third_party_vat_number", "This is not a valid enterprise or VAT number. Check the digits."),
    ({"third_party_vat_number": "BE0207451227"},
     "third_party_name", "Give the third party's name."),
])
def test_the_third_partys_vat_number_is_checked(client, participant, edition, third_party,
                                               error_field, error):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    response = english(client).post(reverse("checkout"), {
        **shown(client), "invoice_to": "person", "confirm": "1", **third_party})
    assert response.status_code == 200 and not Registration.objects.exists()
    assert response.context["form"].errors[error_field] == [error]


def test_the_third_partys_vat_number_typed_in_any_form_reaches_the_invoice(
        client, participant, edition):
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    client.post(reverse("checkout"), {
        **shown(client), "invoice_to": "person", "confirm": "1",
        "third_party_name": "Stad Gent", "third_party_address": "Botermarkt 1\n9000 Gent",
        "third_party_vat_number": "0207.451.227"})
    invoice = Invoice.objects.get(user=participant)
    assert (invoice.third_party_name, invoice.third_party_vat_number) == (
        "Stad Gent", "BE0207451227")
