"""Payments in: partial, over-payment, statuses; recorded by finance in the admin; the KMO list;
the finance dashboard."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.ageing import ageing_bucket
from billing.balances import instalment_schedule, invoice_balance
from billing.invoicing import add_instalments
from billing.models import KmoProject, Payment
from billing.payments import balance_of, record_payment
from tests.factories import InvoiceFactory, RegistrationFactory

D = Decimal
DUE = date(2027, 3, 31)


@pytest.mark.parametrize(
    ("total", "credited", "paid", "today", "status", "balance", "overpaid"),
    [
        ("450.00", "0", "0", DUE, "open", "450.00", "0.00"),
        ("450.00", "0", "0", DUE + timedelta(days=1), "overdue", "450.00", "0.00"),
        ("450.00", "0", "100.00", DUE, "partly_paid", "350.00", "0.00"),
        ("450.00", "0", "100.00", DUE + timedelta(days=1), "overdue", "350.00", "0.00"),
        ("450.00", "0", "450.00", DUE + timedelta(days=9), "paid", "0.00", "0.00"),
        ("450.00", "0", "500.00", DUE, "paid", "-50.00", "50.00"),
        ("450.00", "450.00", "0", DUE + timedelta(days=9), "paid", "0.00", "0.00"),
        ("450.00", "200.00", "300.00", DUE, "paid", "-50.00", "50.00"),
        ("0.00", "0", "0", DUE, "paid", "0.00", "0.00"),
        ("0.01", "0", "0", DUE, "open", "0.01", "0.00"),
    ],
)
def test_invoice_balance(total, credited, paid, today, status, balance, overpaid):
    state = invoice_balance(D(total), D(credited), D(paid), DUE, today)
    assert (state.status, state.balance, state.overpaid) == (status, D(balance), D(overpaid))


@pytest.mark.parametrize(
    ("total", "parts", "amounts"),
    [
        ("1000.00", 3, ["333.34", "333.33", "333.33"]),
        ("0.02", 3, ["0.01", "0.01", "0.00"]),
        ("100.00", 1, ["100.00"]),
        ("999.99", 9, ["111.11"] * 9),
    ],
)
def test_instalment_schedule_adds_up_to_the_cent(total, parts, amounts):
    schedule = instalment_schedule(D(total), parts, date(2027, 1, 31))
    assert [str(a) for a, _ in schedule] == amounts
    assert sum((a for a, _ in schedule), D("0")) == D(total)
    assert [d for _, d in schedule][:3] == [date(2027, 1, 31), date(2027, 2, 28),
                                            date(2027, 3, 31)][:parts]


@pytest.mark.parametrize("parts", [0, 10])
def test_instalment_schedule_refuses_bad_counts(parts):
    with pytest.raises(ValueError):
        instalment_schedule(D("100.00"), parts, date(2027, 1, 1))


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(-1, "not_due"), (0, "not_due"), (1, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"),
     (61, "61-90"), (90, "61-90"), (91, ">90")],
)
def test_ageing_buckets(days_late, bucket):
    assert ageing_bucket(DUE, DUE + timedelta(days=days_late)) == bucket


@pytest.mark.django_db
def test_partial_then_over_payment(finance_user):
    invoice = InvoiceFactory()
    record_payment(invoice=invoice, amount=D("100.00"), paid_on=timezone.localdate(),
                   method="bank_transfer", recorded_by=finance_user)
    assert balance_of(invoice).status == "partly_paid"
    record_payment(invoice=invoice, amount=invoice.total, paid_on=timezone.localdate(),
                   method="bank_transfer")
    state = balance_of(invoice)
    assert state.status == "paid" and state.overpaid == D("100.00")


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [D("0"), D("-1.00")])
def test_zero_or_negative_payments_are_refused(amount):
    with pytest.raises(ValueError):
        record_payment(invoice=InvoiceFactory(), amount=amount, paid_on=timezone.localdate(),
                       method="bank_transfer")
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_finance_records_a_payment_in_the_admin(client, finance_user):
    invoice = InvoiceFactory()
    client.force_login(finance_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": "120.50", "paid_on": timezone.localdate().isoformat(),
        "method": "bank_transfer", "reference": "manual"})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.recorded_by) == (D("120.50"), finance_user)
    page = client.get(reverse("admin:billing_invoice_changelist")).content.decode()
    assert invoice.number in page
    change = reverse("admin:billing_payment_change", args=[payment.pk])
    assert b'name="_save"' not in client.get(change).content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member", "participant"])
def test_only_finance_records_payments(client, role, request):
    invoice = InvoiceFactory()
    client.force_login(request.getfixturevalue(role))
    client.post(reverse("admin:billing_payment_add"), {
        "invoice": invoice.pk, "amount": "1.00", "paid_on": "2027-01-01",
        "method": "bank_transfer"})
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_kmo_list_shows_what_the_wallet_still_owes(client, finance_user):
    invoice = InvoiceFactory()
    KmoProject.objects.create(invoice=invoice, enterprise_number="BE0403170701",
                              expected_amount=invoice.net_total)
    record_payment(invoice=invoice, amount=D("100.00"), paid_on=timezone.localdate(),
                   method="kmo")
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_kmoproject_changelist")).content.decode()
    assert str(invoice.net_total - D("100.00")).replace(".", ",") in page or \
        str(invoice.net_total - D("100.00")) in page


@pytest.mark.django_db
def test_finance_dashboard(client, finance_user, participant, django_assert_max_num_queries):
    for _ in range(3):
        InvoiceFactory()
    client.force_login(finance_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:billing_finance_dashboard"))
    assert response.status_code == 200
    assert b"<svg" in response.content
    client.force_login(participant)
    assert client.get(reverse("admin:billing_finance_dashboard")).status_code in (302, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
def test_finance_dashboard_ageing_labels_are_words_not_codes(client, finance_user, language):
    """The ageing chart showed the bucket codes ("not_due") on the page, in no language (the
    Dutch words in locale/nl)."""
    InvoiceFactory()
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_finance_dashboard"),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "not_due" not in page and "&gt;90<" not in page
    if language == "en":
        assert "not yet due" in page and "over 90 days" in page


@pytest.mark.django_db
def test_dashboard_shows_the_invoice_status(client, participant):
    invoice = InvoiceFactory(registrations=[RegistrationFactory(user=participant)])
    client.force_login(participant)
    assert "invoice-status-open" in client.get(reverse("dashboard")).content.decode()
    record_payment(invoice=invoice, amount=invoice.total, paid_on=timezone.localdate(),
                   method="bank_transfer")
    assert "invoice-status-paid" in client.get(reverse("dashboard")).content.decode()


# Many payments at once (the statement import) ------------------------------------------------


def _flag(invoice):
    from billing.models import UnpaidFlag

    return UnpaidFlag.objects.create(registration=invoice.lines.get().registration,
                                     invoice=invoice, raised_on=timezone.localdate())


@pytest.mark.django_db
def test_many_payments_with_their_audit_entries_and_only_settled_flags_lifted(finance_user):
    from audit.models import AuditEntry
    from billing.payments import PaymentIn, record_payments

    settled, partly = InvoiceFactory(), InvoiceFactory()
    flags = _flag(settled), _flag(partly)
    today = timezone.localdate()
    payments = record_payments([
        PaymentIn(invoice=settled, amount=D("200.00"), paid_on=today, method="bank_transfer",
                  recorded_by=finance_user),
        PaymentIn(invoice=settled, amount=settled.total - D("200.00"), paid_on=today,
                  method="bank_transfer", recorded_by=finance_user),
        PaymentIn(invoice=partly, amount=D("0.01"), paid_on=today, method="kmo"),
    ])

    assert [p.amount for p in payments] == [D("200.00"), settled.total - D("200.00"),
                                           D("0.01")]
    assert all(p.pk for p in payments)
    entries = AuditEntry.objects.filter(action="payment.recorded").order_by("pk")
    assert [(e.object_id, e.actor_id) for e in entries] == [
        (str(payments[0].pk), finance_user.pk), (str(payments[1].pk), finance_user.pk),
        (str(payments[2].pk), None)]
    assert entries[2].after["amount"] == "0.01"
    for flag in flags:
        flag.refresh_from_db()
    assert flags[0].lifted_at is not None and flags[0].lift_reason == "paid"
    assert flags[1].lifted_at is None
    assert (balance_of(settled).status, balance_of(partly).status) == ("paid", "partly_paid")


@pytest.mark.django_db
def test_many_payments_take_as_many_statements_as_one(finance_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.payments import PaymentIn, record_payments

    invoices = [InvoiceFactory() for _ in range(6)]
    today = timezone.localdate()

    def statements(chosen):
        with CaptureQueriesContext(connection) as captured:
            record_payments([PaymentIn(invoice=invoice, amount=D("1.00"), paid_on=today,
                                       method="bank_transfer", recorded_by=finance_user)
                             for invoice in chosen])
        return len(captured)

    assert statements(invoices[:1]) == statements(invoices[1:]) <= 6
    assert Payment.objects.count() == 6
    assert record_payments([]) == [] and Payment.objects.count() == 6


@pytest.mark.django_db
def test_one_bad_payment_refuses_them_all():
    from billing.payments import PaymentIn, record_payments

    good, other = InvoiceFactory(), InvoiceFactory()
    instalment_of_other = None
    today = timezone.localdate()
    with pytest.raises(ValueError, match="positive"):
        record_payments([PaymentIn(invoice=good, amount=D("10.00"), paid_on=today,
                                   method="bank_transfer"),
                         PaymentIn(invoice=good, amount=D("0.00"), paid_on=today,
                                   method="bank_transfer")])
    from billing.invoicing import add_instalments

    with transaction.atomic():
        instalment_of_other = add_instalments(other, 2)[0]
    with pytest.raises(ValueError, match="another invoice"):
        record_payments([PaymentIn(invoice=good, amount=D("10.00"), paid_on=today,
                                   method="bank_transfer", instalment=instalment_of_other)])
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_finance_records_a_payment_for_one_part_by_its_number(client, finance_user):
    """The part is given by its number on the chosen invoice: the form lists no instalments
    (a list of every part of every invoice grew with the books)."""
    invoice = InvoiceFactory()
    other = InvoiceFactory()
    _first, second, _third = add_instalments(invoice, 3)
    add_instalments(other, 3)
    client.force_login(finance_user)
    url = reverse("admin:billing_payment_add")
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="instalment_number"' in form and second.structured_communication not in form
    today = timezone.localdate().isoformat()
    missing = client.post(url, {"invoice": invoice.pk, "instalment_number": "4",
                                "amount": "10.00", "paid_on": today,
                                "method": "bank_transfer"}, HTTP_ACCEPT_LANGUAGE="en")
    assert f"Invoice {invoice.number} has no part 4." in missing.content.decode()
    assert not Payment.objects.exists()
    response = client.post(url, {"invoice": invoice.pk, "instalment_number": "2",
                                 "amount": str(second.amount), "paid_on": today,
                                 "method": "bank_transfer"})
    assert response.status_code == 302
    assert Payment.objects.get().instalment == second
    without = client.post(url, {"invoice": other.pk, "amount": "5.00", "paid_on": today,
                                "method": "bank_transfer"})
    assert without.status_code == 302
    assert Payment.objects.get(invoice=other).instalment is None
