"""Finance's daily pages, second review: bad input gives a form error in words (never a 500
or a constraint's name), list pages run a fixed number of queries."""

from datetime import UTC
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.invoicing import issue_credit_note
from billing.models import CreditNote, InterestRate, Payment, Refund
from billing.payments import record_payment
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _no_raw(page: str):
    assert "Constraint" not in page and "_positive" not in page and "Traceback" not in page


@pytest.mark.parametrize("amount", ["0", "-5.00", "0.00"])
def test_a_payment_by_hand_of_nothing_is_refused_in_words(client, finance_user, amount):
    invoice = InvoiceFactory()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": amount, "paid_on": "2026-03-02",
        "method": "bank_transfer"}, **EN)
    assert response.status_code == 200 and not Payment.objects.exists()
    page = response.content.decode()
    _no_raw(page)
    assert "errornote" in page


@pytest.mark.parametrize("net,reason", [("0", "x"), ("abc", "x"), ("10.001", "x"),
                                        ("100000", "x"), ("10", "   ")])
def test_a_bad_credit_note_is_refused_in_words(client, finance_user, net, reason):
    invoice = InvoiceFactory()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_invoice_changelist"), {
        "action": "credit", "_selected_action": [str(invoice.pk)], "apply": "1",
        "net": net, "vat": "0.00", "reason": reason}, **EN)
    assert response.status_code == 200 and not CreditNote.objects.exists()
    page = response.content.decode()
    _no_raw(page)
    assert "errorlist" in page or "errornote" in page


@pytest.mark.parametrize("start,end,rate", [
    ("2026-07-01", "2026-06-30", "10"),   # ends before it starts
    ("2026-01-01", "2026-06-30", "10"),   # the same start as a seeded rate
    ("2026-06-01", "2026-12-31", "10"),   # overlaps
    ("2026-07-01", "2026-12-31", "150"),  # not a percentage
])
def test_a_bad_interest_rate_is_refused_in_words(client, finance_user, start, end, rate):
    before = InterestRate.objects.count()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_interestrate_add"), {
        "valid_from": start, "valid_until": end, "annual_rate_percent": rate}, **EN)
    assert response.status_code == 200 and InterestRate.objects.count() == before
    page = response.content.decode()
    assert "Constraint" not in page and "rate_period" not in page and "errorlist" in page


LISTS = ["invoice", "payment", "creditnote", "kmoproject", "refund", "statementline",
         "bankstatement", "interestrate", "sepaexport"]


def _documents(count):
    for _ in range(count):
        invoice = InvoiceFactory(kmo_portefeuille=True)
        note = issue_credit_note(invoice=invoice, net=D("1.00"), vat=D("0.00"), reason="r")
        Refund.objects.create(credit_note=note, amount=D("1.00"), beneficiary_name="A",
                              iban="BE71096123456769")
        record_payment(invoice=invoice, amount=D("1.00"), paid_on=timezone.localdate(),
                       method="kmo")


def test_list_pages_run_a_fixed_number_of_queries(client, finance_user):
    client.force_login(finance_user)
    counts = {}
    for count in (2, 5):
        _documents(count)
        for model in LISTS:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(f"admin:billing_{model}_changelist"))
            assert response.status_code == 200, model
            counts.setdefault(model, []).append(len(queries))
    assert {model: c for model, c in counts.items() if c[0] != c[1]} == {}


@pytest.mark.parametrize("data", [{"amount": "0"}, {"amount": "-1", "credit_note": ""}])
def test_a_refund_of_nothing_is_refused_in_words(client, finance_user, data):
    note = issue_credit_note(invoice=InvoiceFactory(), net=D("10.00"), vat=D("0.00"),
                             reason="r")
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_refund_add"), {
        "credit_note": note.pk, "beneficiary_name": "An Peeters",
        "iban": "BE71096123456769", "bic": "", **data}, **EN)
    assert response.status_code == 200 and not Refund.objects.exists()
    page = response.content.decode()
    _no_raw(page)
    assert "A refund is a positive amount." in page


@pytest.mark.parametrize("credited", [True, False])
def test_a_payment_by_hand_that_over_pays_warns_finance(client, finance_user, credited):
    invoice = InvoiceFactory()
    if credited:  # cancelled: credited in full
        issue_credit_note(invoice=invoice, net=invoice.net_total, vat=invoice.vat_total,
                          reason="Cancelled")
    else:  # already paid
        record_payment(invoice=invoice, amount=invoice.total, paid_on=timezone.localdate(),
                       method="bank_transfer")
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": "50.00", "paid_on": "2026-03-02",
        "method": "bank_transfer"}, follow=True, **EN)
    assert response.status_code == 200
    assert Payment.objects.filter(amount=D("50.00")).exists()  # the money did arrive
    assert f"Invoice {invoice.number} is now over-paid by 50.00" in response.content.decode()


def test_a_payment_by_hand_that_does_not_over_pay_says_nothing_more(client, finance_user):
    invoice = InvoiceFactory()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": "1.00", "paid_on": "2026-03-02",
        "method": "bank_transfer"}, follow=True, **EN)
    assert "over-paid" not in response.content.decode()


@pytest.mark.parametrize("start,end,gap", [
    ("2026-07-02", "2026-12-31", "07/01/2026 to 07/01/2026"),  # 1 July 2026 left out (en)
    ("2026-07-01", "2026-12-31", None),  # follows on
])
def test_an_interest_rate_that_leaves_a_gap_is_saved_with_a_warning(client, finance_user,
                                                                    start, end, gap):
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_interestrate_add"), {
        "valid_from": start, "valid_until": end, "annual_rate_percent": "10.00"},
        follow=True, **EN)
    assert response.status_code == 200 and InterestRate.objects.filter(valid_from=start)
    page = response.content.decode()
    if gap:
        assert f"No late-interest rate covers {gap}" in page
    else:
        assert "No late-interest rate covers" not in page


def _export(client, organizer, start, end, kind="invoices", fmt="csv"):
    return client.post(reverse("admin:billing_refund_exports"), {
        "organizer": organizer.pk, "start": start, "end": end, "kind": kind, "format": fmt})


def test_exports_cut_the_year_at_midnight_in_brussels_and_an_empty_period_is_a_header(
        client, finance_user):
    import csv
    import io
    from datetime import datetime
    from unittest import mock

    from openpyxl import load_workbook

    from tests.factories import EditionFactory, RegistrationFactory

    edition = EditionFactory()
    organizer = edition.course.organizer
    issued = {}
    for name, moment in [("31 Dec, 23:30 in Brussels", datetime(2025, 12, 31, 22, 30)),
                         ("1 Jan, 00:30 in Brussels", datetime(2025, 12, 31, 23, 30))]:
        with mock.patch("django.utils.timezone.now",
                        return_value=moment.replace(tzinfo=UTC)):
            issued[name] = InvoiceFactory(registrations=[RegistrationFactory(edition=edition)])
    assert [str(i.issue_date) for i in issued.values()] == ["2025-12-31", "2026-01-01"]
    client.force_login(finance_user)

    def numbers(start, end):
        content = b"".join(_export(client, organizer, start, end).streaming_content)
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        return [line[0] for line in lines[1:]]

    assert numbers("2025-01-01", "2025-12-31") == [issued["31 Dec, 23:30 in Brussels"].number]
    assert numbers("2026-01-01", "2026-12-31") == [issued["1 Jan, 00:30 in Brussels"].number]
    assert numbers("2027-01-01", "2027-12-31") == []  # nothing issued: the header alone
    for kind in ("invoices", "credit_notes", "payments", "open_balances"):
        response = _export(client, organizer, "2027-01-01", "2027-12-31", kind, "xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row == 1, kind
    peppol = _export(client, organizer, "2027-01-01", "2027-12-31", "invoices", "peppol")
    assert peppol.status_code == 200
