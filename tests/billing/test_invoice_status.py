"""The status of an invoice paid in instalments (billing.balances.invoice_balance with the
allocation rule of billing.instalment_allocation), and its SQL mirror (billing.payments
.with_status, parts_with_open) used by the lists: parts of 300.00 due 1 October, 1 November and
1 December 2025; the invoice itself is due 1 October (the first part's due date)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from billing.balances import invoice_balance
from billing.exports import rows
from billing.instalment_allocation import Part, open_per_part
from billing.invoicing import add_instalments, issue_credit_note
from billing.models import Instalment, Invoice, Payment, Refund
from billing.payments import parts_with_open, with_status
from tests.factories import EditionFactory, InvoiceFactory, RegistrationFactory

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DUE = date(2025, 10, 1)
DUES = (DUE, date(2025, 11, 1), date(2025, 12, 1))


def parts(tagged=(0, 0, 0)):
    return [Part(number, D("300.00"), due, D(paid))
            for number, (due, paid) in enumerate(zip(DUES, tagged, strict=True), start=1)]


@pytest.mark.parametrize(
    ("today", "credited", "paid", "tagged", "status", "overdue", "since"),
    [
        # Part 1 due today is not late; the day after it is.
        (DUE, "0", "0", (0, 0, 0), "open", "0.00", None),
        (DUE + timedelta(days=1), "0", "0", (0, 0, 0), "overdue", "300.00", DUE),
        # The defect: part 1 paid, the invoice's (and part 1's) due date passed, the later
        # parts not due yet: nothing is late.
        (DUE + timedelta(days=1), "0", "300.00", (0, 0, 0), "partly_paid", "0.00", None),
        (DUE + timedelta(days=1), "0", "300.00", (300, 0, 0), "partly_paid", "0.00", None),
        (date(2025, 10, 31), "0", "300.00", (0, 0, 0), "partly_paid", "0.00", None),
        (DUES[1], "0", "300.00", (0, 0, 0), "partly_paid", "0.00", None),  # part 2 due today
        # One cent short of part 1.
        (DUE + timedelta(days=1), "0", "299.99", (0, 0, 0), "overdue", "0.01", DUE),
        # Part 2 one day late: its open amount, since its due date.
        (DUES[1] + timedelta(days=1), "0", "300.00", (0, 0, 0), "overdue", "300.00", DUES[1]),
        (DUES[1] + timedelta(days=1), "0", "599.99", (0, 0, 0), "overdue", "0.01", DUES[1]),
        (DUES[1] + timedelta(days=1), "0", "600.00", (0, 0, 0), "partly_paid", "0.00", None),
        # Paid to part 2 with its own communication: part 1 is still open, since 1 October.
        (DUES[1] + timedelta(days=1), "0", "300.00", (0, 300, 0), "overdue", "300.00", DUE),
        (DUES[1] + timedelta(days=1), "0", "450.00", (0, 300, 0), "overdue", "150.00", DUE),
        # Both late parts open: 600.00, since the oldest.
        (DUES[1] + timedelta(days=1), "0", "0", (0, 0, 0), "overdue", "600.00", DUE),
        # A credit note pays the oldest part first (it is not a payment: open, not partly paid).
        (DUE + timedelta(days=1), "300.00", "0", (0, 0, 0), "open", "0.00", None),
        (DUES[1] + timedelta(days=1), "300.00", "299.99", (0, 0, 0), "overdue", "0.01",
         DUES[1]),
        # Paid exactly; over-paid.
        (DUES[2] + timedelta(days=1), "0", "900.00", (300, 300, 300), "paid", "0.00", None),
        (DUES[2] + timedelta(days=1), "100.00", "800.00", (0, 0, 0), "paid", "0.00", None),
        (DUE, "0", "950.00", (0, 0, 0), "paid", "0.00", None),
        (DUES[2] + timedelta(days=1), "0", "899.99", (0, 0, 0), "overdue", "0.01", DUES[2]),
    ],
)
def test_status_of_an_invoice_in_instalments(today, credited, paid, tagged, status, overdue,
                                             since):
    state = invoice_balance(D("900.00"), D(credited), D(paid), DUE, today, parts(tagged))
    assert (state.status, state.overdue, state.overdue_since) == (status, D(overdue), since)
    assert state.balance == D("900.00") - D(credited) - D(paid)


@pytest.mark.parametrize(("today", "status", "overdue", "since"), [
    (DUE, "open", "0.00", None),
    (DUE + timedelta(days=1), "overdue", "450.00", DUE),
])
def test_a_whole_invoice_is_overdue_the_day_after_its_due_date(today, status, overdue, since):
    state = invoice_balance(D("450.00"), D("0"), D("0"), DUE, today)
    assert (state.status, state.overdue, state.overdue_since) == (status, D(overdue), since)


# The SQL mirror agrees with the pure rule -----------------------------------------------------


def in_parts(total="900.00", issued=DUE - timedelta(days=30)):
    registration = RegistrationFactory(edition=EditionFactory(fee_amount=D(total)))
    invoice = InvoiceFactory(registrations=[registration], today=issued)
    assert (invoice.due_date, invoice.total) == (DUE, D(total))
    return invoice, add_instalments(invoice, 3)


def pay(invoice, amount, part=None):
    Payment.objects.create(invoice=invoice, instalment=part, amount=D(amount), paid_on=DUE,
                           method="bank_transfer")


def _pure(invoice, today):
    from billing.payments import balance_of

    return balance_of(invoice, today)


SCENARIOS = {
    "nothing": [],
    "part 1": [("pay", "300.00", None)],
    "part 1 less a cent": [("pay", "299.99", None)],
    "part 1 tagged": [("pay", "300.00", 1)],
    "part 2 tagged only": [("pay", "300.00", 2)],
    "part 2 tagged beyond": [("pay", "350.00", 2), ("pay", "100.00", None)],
    "credit then cent short": [("credit", "300.00"), ("pay", "299.99", None)],
    "credit refunded": [("pay", "300.00", 1), ("credit", "300.00"), ("refund", "300.00")],
    "more refunded than loose": [("pay", "300.00", 1), ("pay", "300.00", 2),
                                 ("credit", "100.00"), ("refund", "100.00")],
    "all": [("pay", "900.00", None)],
    "over-paid": [("pay", "300.00", 1), ("pay", "700.00", None)],
}


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_sql_status_is_the_pure_rule(scenario):
    invoice, instalments = in_parts()
    for step in SCENARIOS[scenario]:
        if step[0] == "pay":
            pay(invoice, step[1], instalments[step[2] - 1] if step[2] else None)
        elif step[0] == "credit":
            note = issue_credit_note(invoice=invoice, net=D(step[1]), vat=D("0.00"), reason="r")
        else:
            Refund.objects.create(credit_note=note, amount=D(step[1]), beneficiary_name="A",
                                  iban="BE71096123456769")
    whole = InvoiceFactory(today=DUE - timedelta(days=30))
    for today in (DUE, *(day + timedelta(days=1) for day in DUES)):
        rows = {row.pk: row for row in with_status(Invoice.objects.filter(
            pk__in=[invoice.pk, whole.pk]), today)}
        for made in (invoice, whole):
            expected = _pure(made, today)
            row = rows[made.pk]
            assert (row.status, row.balance, row.amount_overdue, row.overdue_since) == (
                expected.status, expected.balance, expected.overdue, expected.overdue_since
            ), (scenario, made.pk == whole.pk, today)
    tagged = {part.number: part.tagged for part in parts_with_open(instalments_of(invoice))}
    expected = open_per_part(
        [Part(p.number, p.amount, p.due_date, tagged[p.number]) for p in instalments],
        *[row.credited + row.paid for row in with_status(Invoice.objects.filter(
            pk=invoice.pk), DUE)])
    assert {part.number: part.open for part in parts_with_open(instalments_of(invoice))} == (
        expected)


def instalments_of(invoice):
    return Instalment.objects.filter(invoice=invoice)


@pytest.mark.django_db
def test_parts_due_on_the_same_day_are_taken_by_number():
    invoice, instalments = in_parts()
    Instalment.objects.filter(invoice=invoice).update(due_date=DUE)
    pay(invoice, "400.00")
    assert {p.number: p.open for p in parts_with_open(instalments_of(invoice))} == {
        1: D("0.00"), 2: D("200.00"), 3: D("300.00")}



# The pages, the exports and the dashboards -----------------------------------------------------


def recent(user=None, parts=3):
    """900.00 issued 35 days ago, in `parts` parts: the first due 5 days ago, the next a month
    later."""
    registration = RegistrationFactory(edition=EditionFactory(fee_amount=D("900.00")),
                                       **({"user": user} if user else {}))
    invoice = InvoiceFactory(registrations=[registration],
                             today=timezone.localdate() - timedelta(days=35))
    return invoice, add_instalments(invoice, parts)


def first_part_paid(user=None):
    invoice, instalments = recent(user)
    pay(invoice, "300.00", instalments[0])
    return invoice


def first_part_short(user=None):
    invoice, _parts = recent(user)
    pay(invoice, "299.99")
    return invoice


@pytest.mark.django_db
def test_the_admin_list_and_its_filter_say_partly_paid_while_no_due_part_is_open(
        client, finance_user):
    paid_part, short = first_part_paid(), first_part_short()
    whole = InvoiceFactory(today=timezone.localdate() - timedelta(days=35))
    client.force_login(finance_user)
    url = reverse("admin:billing_invoice_changelist")

    def listed(status):
        with translation.override("en"):
            page = client.get(url, {"status": status}, **EN).content.decode()
        return {invoice.number for invoice in (paid_part, short, whole)
                if invoice.number in page}, page

    assert listed("overdue")[0] == {short.number, whole.number}
    assert listed("partly_paid")[0] == {paid_part.number}
    assert listed("open")[0] == set()
    page = listed("")[1]  # the status column, unfiltered
    assert page.count('<td class="field-status">partly paid</td>') == 1
    assert page.count('<td class="field-status">overdue</td>') == 2


@pytest.mark.django_db
def test_the_participants_dashboard_says_partly_paid_then_overdue(client, participant):
    invoice = first_part_paid(participant)
    client.force_login(participant)
    page = client.get(reverse("dashboard")).content.decode()
    assert "invoice-status-partly_paid" in page and "invoice-status-overdue" not in page
    Instalment.objects.filter(invoice=invoice, number=2).update(
        due_date=timezone.localdate() - timedelta(days=1))
    page = client.get(reverse("dashboard")).content.decode()
    assert "invoice-status-overdue" in page


@pytest.mark.django_db
def test_the_open_balances_export_counts_days_from_the_oldest_open_late_part():
    paid_part, short = first_part_paid(), first_part_short()
    today = timezone.localdate()

    def row_of(invoice):  # one organizer each (their numbers may be the same)
        (row,) = rows.open_balances(invoice.organizer, today - timedelta(days=35), today,
                                    today=today).rows
        return row

    assert row_of(paid_part)[9:] == (D("600.00"), "partly_paid", 0)
    assert row_of(short)[9:] == (D("600.01"), "overdue", 5)


@pytest.mark.django_db
@pytest.mark.parametrize(("today", "paid", "tagged_to", "ageing", "total_open"), [
    # Part 1 paid, 1 October passed: nothing is late; 600.00 not yet due.
    (DUE + timedelta(days=1), "300.00", None, {"not_due": "600.00"}, "600.00"),
    # One cent short: 0.01 one day late (aged from part 1's due date), 600.00 not due.
    (DUE + timedelta(days=1), "299.99", None, {"0-30": "0.01", "not_due": "600.00"}, "600.01"),
    # Nothing paid, 40 days after part 1 and 9 after part 2: each part in its own bucket.
    (date(2025, 11, 10), "0", None, {"31-60": "300.00", "0-30": "300.00",
                                     "not_due": "300.00"}, "900.00"),
    # Paid to part 2 with its communication: part 1 is what is late.
    (date(2025, 11, 10), "300.00", 2, {"31-60": "300.00", "not_due": "300.00"}, "600.00"),
    # Part 1 due today: not late.
    (DUE, "0", None, {"not_due": "900.00"}, "900.00"),
])
def test_finance_dashboard_ages_each_part_from_its_own_due_date(today, paid, tagged_to, ageing,
                                                                total_open):
    from billing.finance_dashboard import AGEING_LABELS, dashboard_numbers

    invoice, instalments = in_parts()
    if paid != "0":
        pay(invoice, paid, instalments[tagged_to - 1] if tagged_to else None)
    numbers = dashboard_numbers(today)
    expected = {str(AGEING_LABELS[bucket]): D(amount) for bucket, amount in ageing.items()}
    assert {str(label): amount for label, amount in numbers["ageing"] if amount} == expected
    assert numbers["total_open"] == D(total_open)
    assert sum((amount for _month, amount in numbers["per_month"]), D("0")) == D(total_open)


# A fixed number of queries, 1 and 10 invoices in instalments -------------------------------------


def _mixed(count, user=None):
    for _ in range(count):
        first_part_paid(user)
        first_part_short(user)


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_admin_list_filter_and_finance_dashboard_queries_do_not_grow(client, finance_user):
    client.force_login(finance_user)
    pages = [(reverse("admin:billing_invoice_changelist"), {}),
             (reverse("admin:billing_invoice_changelist"), {"status": "overdue"}),
             (reverse("admin:billing_finance_dashboard"), {})]
    _mixed(1)
    once = [_count(client, url, **params) for url, params in pages]
    _mixed(9)
    assert [_count(client, url, **params) for url, params in pages] == once


@pytest.mark.django_db
def test_participant_dashboard_queries_do_not_grow_with_instalments(client, participant):
    client.force_login(participant)
    _mixed(1, participant)
    once = _count(client, reverse("dashboard"))
    _mixed(9, participant)
    assert _count(client, reverse("dashboard")) == once


@pytest.mark.django_db
def test_open_balances_export_is_one_query_with_instalments():
    today = timezone.localdate()
    invoice = first_part_paid()
    organizer = invoice.organizer

    def count():
        with CaptureQueriesContext(connection) as queries:
            found = list(rows.open_balances(organizer, today - timedelta(days=35), today).rows)
        return len(queries), len(found)

    assert count() == (1, 1)
    edition = EditionFactory(course__organizer=organizer, fee_amount=D("900.00"))
    for _ in range(9):
        made = InvoiceFactory(registrations=[RegistrationFactory(edition=edition)],
                              today=today - timedelta(days=35))
        add_instalments(made, 3)
    assert count() == (1, 10)
