"""The unpaid flag on registrations (seed 2 art. 4.4): raised by the daily late-payment job,
lifted when nothing on the invoice is late any more (paid, or every overdue part of an invoice
in instalments paid) or by staff with a reason; the exam module asks
`registration_is_blocked` before enrolling someone."""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.trail import record
from billing.instalment_allocation import Part, overdue_open
from billing.models import UnpaidFlag
from portal.privacy.trail import without_person


def registration_is_blocked(registration) -> bool:
    """True while an unpaid flag on the registration is not lifted."""
    return UnpaidFlag.objects.filter(registration=registration, lifted_at__isnull=True).exists()


def lift_flags_when_settled(invoice_ids, today: date | None = None, reason: str = "paid") -> int:
    """Lift the open unpaid flags of those invoices on which nothing is late any more: nothing
    is owed (the balance rule of billing.balances: total - credited - paid <= 0), or, on an
    invoice in instalments, no part past its due date is left open (billing.instalment_allocation,
    the rule the job reminds by): seed 2 art. 4.4 lets access be refused to whom does not pay
    *on time*, not to whom paid the late part while later ones are not due yet. Payments and
    credit notes both count (a credit note lowers what is owed, the oldest part first), so both
    paths call this; `reason` says which ("paid", "credited"). One query when none of the
    invoices is flagged; returns the number of flags lifted."""
    from billing.models import Invoice
    from billing.payments import instalments_of, with_amounts

    today = today or timezone.localdate()
    open_flag = UnpaidFlag.objects.filter(invoice=OuterRef("pk"), lifted_at__isnull=True)
    flagged = list(with_amounts(Invoice.objects.filter(pk__in=list(invoice_ids)))
                   .filter(Exists(open_flag)).values_list("pk", "total", "credited", "paid"))
    owing = {pk: credited + paid for pk, total, credited, paid in flagged
             if total - credited - paid > 0}
    parts = instalments_of(owing) if owing else {}
    settled = [pk for pk, *_amounts in flagged
               if pk not in owing
               or (parts[pk] and not overdue_open(map(Part.of, parts[pk]), owing[pk], today))]
    if not settled:
        return 0
    return UnpaidFlag.objects.filter(invoice__in=settled, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lift_reason=reason
    )


@transaction.atomic
def lift_flag(*, flag_id: int, staff_user, reason: str) -> UnpaidFlag:
    if not reason.strip():
        raise ValueError("lifting the flag needs a reason")
    flag = UnpaidFlag.objects.select_for_update().get(pk=flag_id)
    if flag.lifted_at is None:
        flag.lifted_at = timezone.now()
        flag.lifted_by = staff_user
        flag.lift_reason = reason.strip()
        flag.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record("unpaid_flag.lifted", flag, actor=staff_user, organizer=flag.invoice.organizer_id,
               before={"lifted": False},
               after={"lifted": True, "registration": flag.registration_id,
                      "reason": without_person(flag.lift_reason, flag.registration.user)})
    return flag
