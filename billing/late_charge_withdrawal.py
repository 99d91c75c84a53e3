"""A late-payment charge taken while the payment was on its way is withdrawn.

Seed 2 art. 4.7 (rules.md §3): fee and interest are due only when the reminder's term passes
*without payment*. The daily job decides from the payments recorded so far, but a bank statement
imported after it may show a transfer made within the term (the payment's date is the date it
was made, not the day finance recorded it). Recording such a payment withdraws the charge: a
credit note for what is left of it, its reason in the charge's language, in the same
transaction as the payment.

Whole invoices and parts alike. A charge on one part of an invoice in instalments is withdrawn
when that part was covered at the end of *its* reminder's term, by the rule the job charged it
by (``billing.instalment_allocation``): a payment with the part's own communication pays that
part, other money pays the oldest parts first, so untagged money covers part 2 only once part 1
is covered too. Only payments made by the end of the term count; credit notes count whatever
their date (they correct what was owed, they are no payment), and a refund takes back the money
paid last first (`_open_at_end_of`).

So a credit note on the invoice withdraws a charge too, in its own transaction, when what it
takes off leaves nothing that was late at the end of the term (a cancellation that credits the
whole invoice; a correction of the amount down to what was paid in time): the charge was taken
on money that, corrected, was never owed late. Its reason then names the correction.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from billing.instalment_allocation import Part, open_per_part
from billing.invoicing import issue_credit_note
from billing.models import CreditNote, Instalment, Invoice, LatePaymentStep, Payment, Refund

ZERO = Decimal("0.00")
CHARGE, REMINDER = LatePaymentStep.Kind.CHARGE, LatePaymentStep.Kind.REMINDER
# The withdrawal's reason, in the charge's language (translated when the note is made).
REASONS = {
    "paid": gettext_noop(
        "Paid within the reminder's term (by %(date)s): the late-payment charge is withdrawn."),
    "credited": gettext_noop(
        "Corrected by a credit note: nothing was left to pay at the end of the reminder's term "
        "(%(date)s), so the late-payment charge is withdrawn."),
}


def withdraw_charges_paid_in_time(invoice_ids, *, cause: str = "paid") -> list[CreditNote]:
    """Credit notes for the late charges of these invoices (on the whole invoice or on a part)
    whose amount was paid by the end of the reminder's term; one query when none of them was
    charged (nearly always). `cause` is what made the amount covered and goes into the reason:
    "paid" (a payment was recorded) or "credited" (a credit note corrected the invoice)."""
    if cause not in REASONS:
        raise ValueError(f"unknown cause {cause!r}")
    charged = list(
        LatePaymentStep.objects.filter(
            invoice_id__in=list(invoice_ids), kind=CHARGE, charge__isnull=False,
        ).order_by("invoice_id", "taken_on", "pk")
        .values_list("invoice_id", "instalment_id", "charge_id")
    )
    if not charged:
        return []
    terms = {
        (invoice_id, part_id): term
        for invoice_id, part_id, term in LatePaymentStep.objects.filter(
            invoice_id__in={invoice_id for invoice_id, _part, _charge in charged}, kind=REMINDER,
        ).values_list("invoice_id", "instalment_id", "term_until")
    }
    notes = []
    for invoice_id, part_id, charge_id in charged:
        term = terms.get((invoice_id, part_id))
        if term is not None and _open_at_end_of(invoice_id, part_id, term) <= 0:
            note = _withdraw(charge_id, term, cause)
            if note is not None:
                notes.append(note)
    return notes


def _open_at_end_of(invoice_id: int, part_id: int | None, day: date) -> Decimal:
    """What was left of the invoice (or of its part `part_id`) at the end of `day`, counting the
    payments made by then and every credit note.

    A refund pays back what was paid beyond what is owed, the latest money first: it takes back
    what was paid after `day` before it touches what was paid by then. So the answer does not
    depend on whether a cancellation's refund is recorded yet (it is made after its credit
    note): a refund exists only when payments and credit notes exceed the total, and then what
    was paid in time, up to what is owed, stays counted."""
    total = Invoice.objects.values_list("total", flat=True).get(pk=invoice_id)
    payments = Payment.objects.filter(invoice_id=invoice_id)
    paid = payments.aggregate(
        in_time=Sum("amount", filter=Q(paid_on__lte=day), default=ZERO),
        later=Sum("amount", filter=Q(paid_on__gt=day), default=ZERO),
    )
    refunded = _sum(Refund.objects.filter(credit_note__invoice_id=invoice_id), "amount")
    kept_in_time = paid["in_time"] - max(refunded - paid["later"], ZERO)
    settled = kept_in_time + _sum(CreditNote.objects.filter(invoice_id=invoice_id), "total")
    if part_id is None:
        return total - settled
    tagged = dict(payments.filter(instalment__isnull=False, paid_on__lte=day).order_by()
                  .values("instalment").annotate(total=Sum("amount"))
                  .values_list("instalment", "total"))
    parts = Instalment.objects.filter(invoice_id=invoice_id)
    left = open_per_part(
        [Part(part.number, part.amount, part.due_date, tagged.get(part.pk, ZERO))
         for part in parts], settled)
    return left[next(part.number for part in parts if part.pk == part_id)]


def _withdraw(charge_id: int, term: date, cause: str) -> CreditNote | None:
    # Read what is left under the charge's row lock (issue_credit_note takes it too): finance
    # crediting the same charge at this moment must not make the two notes exceed it.
    charge = Invoice.objects.select_for_update().get(pk=charge_id)
    left = charge.total - _sum(CreditNote.objects.filter(invoice=charge), "total")
    if left <= 0:
        return None  # withdrawn already (by this rule or by finance)
    with translation.override(charge.language):
        reason = gettext(REASONS[cause]) % {"date": f"{term:%d/%m/%Y}"}
    # Interest and fee carry no VAT (billing/latecharges.py): all that is left is net.
    return issue_credit_note(invoice=charge, net=left, vat=ZERO, reason=reason)


def _sum(queryset, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field, default=ZERO))["total"]
