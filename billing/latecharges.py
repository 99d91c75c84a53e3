"""The late-payment charge: its amounts and the invoice that holds them (seed 2 art. 4.7;
rules.md §3). Used by the daily job in billing/latepayment.py.

The charge is an invoice of its own (kind ``late_charge``, ``charged_for`` the late invoice):
numbered in the organizer's invoice series under the series lock (``next_number``), with its
own structured communication, the buyer as on the late invoice and the seller as on the day
of the charge. Late interest and the flat fee compensate late payment: no VAT.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from audit.chain import append_invoice
from billing.interest import Segment, interest_for_period, split_period
from billing.invoicing import new_communications, next_number, organizer_address
from billing.latefees import flat_fee
from billing.models import Instalment, Invoice, InvoiceLine, NumberSeries
from billing.references import due_date, invoice_number
from courses.models import Organizer
from courses.templatetags.portal_format import format_euro, format_percent

FIXED_COMPENSATION = Decimal("40.00")  # law of 2 August 2002, art. 6 (company debtors)
ZERO = Decimal("0.00")
BUYER_FIELDS = ("customer_kind", "customer_name", "customer_address", "customer_email",
                "customer_vat_number", "vat_check", "third_party_name", "third_party_address",
                "third_party_vat_number")
# Stored on the charge in its own language, so it reads the same forever (not via gettext).
LINES = {
    "nl": {"interest": "Verwijlinteresten op {balance} ({what}): {periods}",
           "period": "{days} {unit} aan {rate}", "day": "dag", "days": "dagen",
           "fee": "Forfaitaire kost (art. 4.7) op {balance}",
           "fixed": "Forfaitaire vergoeding (wet van 2 augustus 2002, art. 6)",
           "invoice": "factuur {number}", "part": "factuur {number}, schijf {part}",
           "vat": "Verwijlinteresten en forfaitaire kost vergoeden laattijdige betaling; "
                  "zij zijn niet aan btw onderworpen."},
    "en": {"interest": "Late interest on {balance} ({what}): {periods}",
           "period": "{days} {unit} at {rate}", "day": "day", "days": "days",
           "fee": "Flat fee (art. 4.7) on {balance}",
           "fixed": "Fixed compensation (law of 2 August 2002, art. 6)",
           "invoice": "invoice {number}", "part": "invoice {number}, part {part}",
           "vat": "Late interest and the flat fee compensate late payment; "
                  "they are not subject to VAT."},
}



@dataclass(frozen=True)
class Due:
    """What is overdue on an invoice, or on one part of it (``instalment``)."""

    invoice: Invoice
    instalment: Instalment | None
    amount_open: Decimal

    @property
    def communication(self) -> str:
        return (self.instalment or self.invoice).structured_communication

    @property
    def key(self) -> str:
        part = f":part{self.instalment.number}" if self.instalment else ""
        return f"{self.invoice.pk}{part}"


@dataclass(frozen=True)
class ChargeAmounts:
    segments: list[Segment]
    interest: Decimal
    fee: Decimal
    fixed: bool  # the fixed 40.00 instead of the tiers

    @property
    def days(self) -> int:
        return sum(segment.days for segment in self.segments)


def charge_amounts(due: Due, term_until: date, today: date, rates) -> ChargeAmounts:
    """Interest for the days after the reminder's term up to today (billing.interest) and the
    fee: the tiers of ``flat_fee`` on the open amount, or the fixed 40.00 when the organizer
    chose that rule and the buyer is a company (the 2002 law covers company debtors only; a
    private person always gets the Book XIX tiers). Raises ValueError when a rate is missing."""
    interest = interest_for_period(due.amount_open, term_until, today, rates)
    fixed = (due.invoice.organizer.late_fee_rule == Organizer.LateFeeRule.FIXED_40
             and due.invoice.customer_kind == Invoice.CustomerKind.COMPANY)
    fee = FIXED_COMPENSATION if fixed else flat_fee(due.amount_open)
    return ChargeAmounts(split_period(term_until, today, rates), interest, fee, fixed)


def issue_late_charge(*, due: Due, today: date, amounts: ChargeAmounts) -> Invoice:
    """The late-payment charge as an invoice of its own (seed 2 art. 4.7): numbered in the
    organizer's invoice series under the series lock, its own structured communication, the
    buyer as on the late invoice, the seller as today; interest and fee carry no VAT."""
    invoice, organizer = due.invoice, due.invoice.organizer
    total = amounts.interest + amounts.fee
    communication = new_communications()[0]  # before the number: the series stays locked
    sequence = next_number(organizer, NumberSeries.Kind.INVOICE, today.year)
    texts = LINES.get(invoice.language, LINES["nl"])
    charge = Invoice.objects.create(
        organizer=organizer, kind=Invoice.Kind.LATE_CHARGE, charged_for=invoice,
        user_id=invoice.user_id, checkout_id=invoice.checkout_id,
        number=invoice_number(today.year, sequence), year=today.year, sequence=sequence,
        issue_date=today, due_date=due_date(today, organizer.invoice_due_days),
        language=invoice.language,
        structured_communication=communication,
        seller_name=organizer.name, seller_address=organizer_address(organizer),
        seller_vat_number=organizer.enterprise_number, seller_iban=organizer.iban,
        seller_bic=organizer.bic, vat_mention=texts["vat"],
        net_total=total, vat_total=ZERO, total=total,
        **{name: getattr(invoice, name) for name in BUYER_FIELDS},
    )
    lines = InvoiceLine.objects.bulk_create([
        _line(charge, _interest_text(due, amounts.segments, texts), amounts.interest),
        _line(charge, texts["fixed"] if amounts.fixed else texts["fee"].format(
            balance=format_euro(due.amount_open, invoice.language)), amounts.fee),
    ])
    # Audit trail: the charge is an invoice, linked in the organizer's hash chain.
    append_invoice(charge, lines, action="late_charge.issued")
    return charge


def _interest_text(due: Due, segments, texts) -> str:
    language = due.invoice.language
    what = (texts["part"].format(number=due.invoice.number, part=due.instalment.number)
            if due.instalment else texts["invoice"].format(number=due.invoice.number))
    periods = "; ".join(
        texts["period"].format(days=s.days, unit=texts["day" if s.days == 1 else "days"],
                               rate=format_percent(s.annual_rate_percent, language))
        for s in segments
    )
    return texts["interest"].format(balance=format_euro(due.amount_open, language), what=what,
                                    periods=periods)


def _line(invoice: Invoice, description: str, amount: Decimal) -> InvoiceLine:
    return InvoiceLine(invoice=invoice, description=description[:300], amount=amount,
                       discount=ZERO, net=amount, vat_rate_percent=ZERO, vat=ZERO, total=amount)


