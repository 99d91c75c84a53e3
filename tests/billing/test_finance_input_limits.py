"""A credit note takes off what the invoice charged: never VAT the invoice did not charge, nor
more excluding VAT than it charged (only the total was checked, so an exempt invoice could be
credited with VAT, which the VAT return and the Peppol credit note then carried). The admin
form says what is left and offers it. A payment typed by hand is not dated in the future."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from billing.invoicing import issue_credit_note
from billing.models import CreditNote
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def english():
    """The service speaks the active language (the portal's default is Dutch)."""
    with translation.override("en"):
        yield


def taxed_invoice():
    edition = EditionFactory(vat_treatment="taxed", vat_rate_percent=D("21.00"),
                             fee_amount=D("500.00"))
    invoice = InvoiceFactory(registrations=[RegistrationFactory(edition=edition)])
    assert (invoice.net_total, invoice.vat_total) == (D("500.00"), D("105.00"))
    return invoice


def test_no_vat_is_credited_on_an_invoice_without_vat(english):
    invoice = InvoiceFactory()
    assert invoice.vat_total == 0
    with pytest.raises(ValueError, match=r"more VAT than is left on the invoice \(€0\.00\)"):
        issue_credit_note(invoice=invoice, net=D("10.00"), vat=D("2.10"), reason="x")
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize(("net", "vat", "words"), [
    ("600.00", "0.00", r"more excluding VAT than is left on the invoice \(€500\.00\)"),
    ("100.00", "110.00", r"more VAT than is left on the invoice \(€105\.00\)"),
])
def test_net_and_vat_each_stay_within_what_the_invoice_charged(english, net, vat, words):
    invoice = taxed_invoice()
    with pytest.raises(ValueError, match=words):
        issue_credit_note(invoice=invoice, net=D(net), vat=D(vat), reason="x")
    assert not CreditNote.objects.exists()


def test_what_is_left_is_credited_to_the_cent_after_a_part(english):
    invoice = taxed_invoice()
    issue_credit_note(invoice=invoice, net=D("100.00"), vat=D("21.00"), reason="part")
    with pytest.raises(ValueError, match=r"more VAT than is left on the invoice \(€84\.00\)"):
        issue_credit_note(invoice=invoice, net=D("300.00"), vat=D("84.01"), reason="x")
    rest = issue_credit_note(invoice=invoice, net=D("400.00"), vat=D("84.00"), reason="rest")
    assert rest.total == D("484.00")


def test_what_is_left_is_said_in_dutch_with_a_belgian_amount():
    invoice = taxed_invoice()
    with translation.override("nl"), pytest.raises(
            ValueError, match=r"niet meer btw aftrekken dan er op de factuur overblijft "
                              r"\(€ 105,00\)"):
        issue_credit_note(invoice=invoice, net=D("100.00"), vat=D("110.00"), reason="x")


def test_the_form_offers_what_is_left_and_refuses_vat_in_words(client, finance_user):
    invoice = taxed_invoice()
    issue_credit_note(invoice=invoice, net=D("100.00"), vat=D("21.00"), reason="part")
    client.force_login(finance_user)
    changelist = reverse("admin:billing_invoice_changelist")
    form = client.post(changelist, {"action": "credit", "_selected_action": [str(invoice.pk)]},
                       **EN).context["form"]
    assert (form["net"].value(), form["vat"].value()) == (D("400.00"), D("84.00"))

    exempt = InvoiceFactory()
    response = client.post(changelist, {
        "action": "credit", "_selected_action": [str(exempt.pk)], "apply": "1",
        "net": "10.00", "vat": "2.10", "reason": "x"}, **EN)
    assert response.status_code == 200 and "more VAT than is left" in response.content.decode()
    assert CreditNote.objects.filter(invoice=exempt).count() == 0


@pytest.mark.parametrize(("language", "words"), [
    ("en", "A payment cannot be dated after today"),
    ("nl", "Een betaling kan niet later dan vandaag gedateerd zijn"),
])
def test_a_payment_by_hand_dated_in_the_future_is_refused(client, finance_user, language,
                                                          words):
    """A typo (2062 for 2026) made the payment count as paid in time for every reminder
    term and late charge."""
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import Payment

    invoice = InvoiceFactory()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": "10.00", "method": "bank_transfer",
        "paid_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
        HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and words in response.content.decode()
    assert not Payment.objects.exists()
