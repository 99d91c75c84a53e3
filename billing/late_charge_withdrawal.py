"""A late-payment charge taken while the payment was on its way is withdrawn.

Seed 2 art. 4.7 (rules.md §3): fee and interest are due only when the reminder's term passes
*without payment*. The daily job decides from the payments recorded so far, but a bank statement
imported after it may show a transfer made within the term (the payment's date is the date it
was made, not the day finance recorded it). Recording such a payment withdraws the charge: a
credit note for what is left of it, its reason in the charge's language, in the same
transaction as the payment.

Whole-invoice charges only: on an invoice in instalments the payments are not assigned to parts
by date, so a charge on one part stays for finance to judge (admin → Invoices → credit note).
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext

from billing.invoicing import issue_credit_note
from billing.models import CreditNote, Invoice, LatePaymentStep, Payment

ZERO = Decimal("0.00")


def withdraw_charges_paid_in_time(invoice_ids) -> list[CreditNote]:
    """Credit notes for the late charges of these invoices whose balance was paid by the end of
    the reminder's term; one query when none of them was charged (nearly always)."""
    charged = list(
        LatePaymentStep.objects.filter(
            invoice_id__in=list(invoice_ids), kind=LatePaymentStep.Kind.CHARGE,
            instalment__isnull=True, charge__isnull=False,
        ).values_list("invoice_id", "charge_id")
    )
    if not charged:
        return []
    terms = dict(
        LatePaymentStep.objects.filter(
            invoice_id__in=[invoice_id for invoice_id, _charge in charged],
            kind=LatePaymentStep.Kind.REMINDER, instalment__isnull=True,
        ).values_list("invoice_id", "term_until")
    )
    notes = []
    for invoice_id, charge_id in charged:
        term = terms.get(invoice_id)
        if term is not None and _paid_by(invoice_id, term):
            note = _withdraw(Invoice.objects.get(pk=charge_id), term)
            if note is not None:
                notes.append(note)
    return notes


def _paid_by(invoice_id: int, day) -> bool:
    """Nothing was left on the invoice at the end of `day`, counting payments made by then."""
    total = Invoice.objects.values_list("total", flat=True).get(pk=invoice_id)
    paid = _sum(Payment.objects.filter(invoice_id=invoice_id, paid_on__lte=day), "amount")
    credited = _sum(CreditNote.objects.filter(invoice_id=invoice_id), "total")
    return total - credited - paid <= 0


def _withdraw(charge: Invoice, term) -> CreditNote | None:
    left = charge.total - _sum(CreditNote.objects.filter(invoice=charge), "total")
    if left <= 0:
        return None  # withdrawn already (by this rule or by finance)
    with translation.override(charge.language):
        reason = gettext(
            "Paid within the reminder's term (by %(date)s): the late-payment charge is withdrawn."
        ) % {"date": f"{term:%d/%m/%Y}"}
    # Interest and fee carry no VAT (billing/latecharges.py): all that is left is net.
    return issue_credit_note(invoice=charge, net=left, vat=ZERO, reason=reason)


def _sum(queryset, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field, default=ZERO))["total"]
