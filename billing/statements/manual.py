"""Finance matches an unmatched statement line by hand (from the admin).

The same guarantees as the import: one payment per bank movement, whatever statement the
movement appears in, and never a payment for a debit or a zero amount.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import Instalment, Invoice, Payment, StatementLine
from billing.payments import record_payment
from billing.statements.importer import lock_statement_payments
from billing.statements.parsed import structured_in
from billing.statements.texts import Text


class MatchingError(ValueError):
    """Why a line cannot be matched to that invoice, for finance."""


def find_invoice(text: str) -> tuple[Invoice, Instalment | None]:
    """An invoice by its structured communication (any notation) or by its number."""
    text = (text or "").strip()
    ogm = structured_in(text)
    if ogm:
        instalment = (Instalment.objects.select_related("invoice")
                      .filter(structured_communication=ogm).first())
        if instalment:
            return instalment.invoice, instalment
        invoice = Invoice.objects.filter(structured_communication=ogm).first()
        if invoice:
            return invoice, None
        raise MatchingError(_("No invoice has the structured communication %(ogm)s.")
                            % {"ogm": ogm})
    invoices = list(Invoice.objects.filter(number=text)[:2])
    if not invoices:
        raise MatchingError(_("No invoice has the number %(number)s.") % {"number": text})
    if len(invoices) > 1:
        raise MatchingError(_("Several organizers have an invoice %(number)s: give its "
                              "structured communication instead.") % {"number": text})
    return invoices[0], None


@transaction.atomic
def match_by_hand(*, line_id: int, invoice: Invoice, user,
                  instalment: Instalment | None = None) -> Payment:
    lock_statement_payments()
    line = StatementLine.objects.select_for_update().get(pk=line_id)
    if line.result != StatementLine.Result.UNMATCHED:
        raise MatchingError(_("Only an unmatched line can be matched by hand."))
    if line.amount is None or line.amount <= 0 or line.booked_on is None:
        raise MatchingError(_("This line is not a payment."))
    earlier = (StatementLine.objects.filter(dedup_key=line.dedup_key, payment__isnull=False)
               .select_related("statement").first())
    if earlier is not None:
        raise MatchingError(_("This bank movement was already recorded (statement %(name)s, "
                              "line %(position)s).")
                            % {"name": earlier.statement, "position": earlier.position})
    payment = record_payment(
        invoice=invoice, instalment=instalment, amount=line.amount, paid_on=line.booked_on,
        method=Payment.Method.BANK_TRANSFER, reference=line.communication[:200],
        payer_name=line.counterparty_name, recorded_by=user, statement_line=line,
    )
    line.result = StatementLine.Result.MATCHED
    line.invoice = invoice
    text = Text("matched_by_hand", number=invoice.number, user=str(user))
    line.message, line.message_code, line.message_params = str(text)[:300], text.code, text.params
    line.save(update_fields=["result", "invoice", "message", "message_code", "message_params"])
    return payment
