"""The e-mails as the person receives them (documents audit), produced by the real use cases and
sent through the outbox: every link absolute, at the configured public address, pointing at a
page that exists, and the same links in the HTML and the text part; the mails that ask the person
to act or to look something up link to where they do it; the Dutch speaks of "Mijn overzicht"
as the menu does; attachments are named in the mail's language; allauth's mails greet with the
portal's name, not the server's host."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import resolve, reverse
from django.utils import timezone

from billing.latepayment import run_late_payment_job
from portal.models import OutgoingEmail
from portal.outbox import send_pending
from registrations.models import AdmissionApplication, Cart
from registrations.services.admission import decide_admission
from registrations.services.cancellation import confirm_cancellation, request_cancellation
from registrations.services.cart import add_to_cart
from registrations.services.checkout import BillingDetails, checkout
from registrations.services.waiting_list import join_waiting_list, offer_free_seats
from tests.billing.test_dunning import CHARGED, REMINDED, overdue
from tests.factories import EditionFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "https://portal.example.be"
URL = re.compile(r"https?://[^\s<>\"')]+")


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.PORTAL_BASE_URL = BASE


def sent(row: OutgoingEmail):
    """The message as it left: sent through the outbox (rendered at send time if need be)."""
    before = len(mail.outbox)
    assert send_pending(row.pk) is True
    [message] = mail.outbox[before:]
    return message


def parts(message) -> tuple[str, str]:
    [(html, _mimetype)] = message.alternatives
    return message.body, html


def links(message) -> tuple[list[str], list[str]]:
    text, html = parts(message)
    return URL.findall(text), re.findall(r'href="([^"]+)"', html)


def assert_links_work(message, client=None, user=None):
    """Every link of both parts: absolute, ours, a page that exists (resolved; fetched as the
    recipient when a client is given), and the text part gives the same addresses."""
    in_text, in_html = links(message)
    assert in_html, "no link in the HTML part"
    mailto = [url for url in in_html if url.startswith("mailto:")]
    for url in mailto:
        assert url.removeprefix("mailto:") in message.body
    in_html = [url for url in in_html if not url.startswith("mailto:")]
    assert sorted(set(in_text)) == sorted(set(in_html))
    for url in in_html:
        assert url.startswith(BASE + "/"), url
        path = url[len(BASE):]
        resolve(path)
        if client is not None:
            client.force_login(user)
            assert client.get(path).status_code == 200, path


def test_the_payment_reminder_and_the_charge_notice_link_to_the_dashboard(client):
    invoice = overdue(Decimal("1000.00"))
    run_late_payment_job(REMINDED)
    run_late_payment_job(CHARGED)

    for prefix in ("late-reminder", "late-charge"):
        message = sent(OutgoingEmail.objects.get(dedup_key__startswith=prefix))
        text, html = parts(message)
        assert f"Mijn overzicht: {BASE}/dashboard/" in text
        assert "dashboard" not in text.replace("/dashboard/", "")  # the menu's word only
        assert ">Naar Mijn overzicht</a>" in html
        if prefix == "late-charge":  # "let the organizer know": at which address
            contact = invoice.organizer.contact_email
            assert f"Contact: {contact}" in text and f'href="mailto:{contact}"' in html
        assert_links_work(message, client, invoice.user)
        # The attachment as the Dutch reader saves it.
        [(filename, _content, _mimetype)] = message.attachments
        assert filename.startswith("factuur-")


def test_the_checkout_mail_names_the_attachment_in_dutch(client, participant):
    participant.preferred_language = "nl"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory()
    assert edition.end > edition.start
    add_to_cart(user=participant, edition_id=edition.pk)
    record = checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
                      billing=BillingDetails())

    message = sent(OutgoingEmail.objects.get(user=participant))

    invoice = record.invoices.get()
    [(filename, _content, _mimetype)] = message.attachments
    assert filename == f"factuur-{invoice.number}.pdf"
    assert f"Mijn overzicht: {BASE}/dashboard/" in message.body
    assert_links_work(message, client, participant)
    # Numbers run per organizer: the subject says whose invoice 2026-000001 this is.
    assert message.subject == (
        f"Je inschrijving en factuur {invoice.number} van {invoice.seller_name}")
    # Both parts give the same dates and the IBAN as the PDF prints it.
    text, html = parts(message)
    dates = f"{edition.start:%d/%m/%Y} – {edition.end:%d/%m/%Y}"
    assert dates in text and dates in html
    assert "BE68 5390 0754 7034" in text and "BE68 5390 0754 7034" in html


def test_the_cancellation_mails_link_to_the_dashboard(client, participant, course_admin):
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    edition = EditionFactory(start=timezone.localdate() + timedelta(days=60),
                             fee_amount=Decimal("300.00"), cancellation_policy="B")
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    request = request_cancellation(user=participant, registration_id=edition.registrations.get().pk)
    confirm_cancellation(request_id=request.pk, staff_user=course_admin)

    for prefix in ("cancellation-requested", "cancellation-confirmed"):
        message = sent(OutgoingEmail.objects.get(dedup_key__startswith=prefix))
        assert f"Your dashboard: {BASE}/dashboard/" in message.body
        assert_links_work(message, client, participant)
    assert message.attachments[0][0].startswith("credit-note-CN")  # English, as the mail


def test_the_closed_waiting_list_links_the_course_page(client, participant, other_participant):
    edition = EditionFactory(seats=1, start=timezone.localdate() + timedelta(days=9))
    add_to_cart(user=participant, edition_id=edition.pk)
    checkout(user=participant, token=Cart.objects.get(user=participant).checkout_token,
             billing=BillingDetails())
    join_waiting_list(user=other_participant, edition_id=edition.pk)
    edition.seats = 2
    edition.save(update_fields=["seats"])
    offer_free_seats(edition_id=edition.pk, now=timezone.now() + timedelta(days=5))

    message = sent(OutgoingEmail.objects.get(dedup_key__startswith="waiting-list-closed"))

    course_url = f"{BASE}{reverse('course_detail', args=[edition.course.slug])}"
    assert course_url in message.body  # "other dates ... on our website": which page
    assert_links_work(message, client, other_participant)


@pytest.mark.parametrize("admitted", [True, False])
def test_the_admission_mail_links_the_edition_page_to_register_from(client, participant,
                                                                    course_admin, admitted):
    edition = EditionFactory(admission_required=True,
                             start=timezone.localdate() + timedelta(days=30))
    application = AdmissionApplication.objects.create(
        user=participant, edition=edition, motivation="m", prior_knowledge="p", experience="e")
    decide_admission(application_id=application.pk, admitted=admitted, staff_user=course_admin)

    message = sent(OutgoingEmail.objects.get(user=participant))

    edition_url = f"{BASE}{reverse('edition_detail', args=[edition.code])}"
    # "Register and pay from the course page": the page, for the admitted person only.
    assert (edition_url in message.body) is admitted
    assert_links_work(message, client, participant)


@pytest.mark.parametrize(("language", "greeting"), [
    ("nl", "Hallo van Portaal Levenslang Leren!"), ("en", "Hello from Lifelong Learning Portal!"),
])
def test_allauths_mails_greet_with_the_portals_name(client, language, greeting,
                                                    django_capture_on_commit_callbacks):
    user = UserFactory(preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})

    [message] = mail.outbox
    assert greeting in message.body
    assert "testserver!" not in message.body
    assert message.body.rstrip().endswith(BASE)
