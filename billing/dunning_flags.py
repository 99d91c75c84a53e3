"""The unpaid flag on registrations (seed 2 art. 4.4): raised by the daily late-payment job,
lifted when the invoice is paid or by staff with a reason; the exam module asks
`registration_is_blocked` before enrolling someone."""

from django.db import transaction
from django.utils import timezone

from audit.trail import record
from billing.models import UnpaidFlag
from portal.privacy.trail import without_person


def registration_is_blocked(registration) -> bool:
    """True while an unpaid flag on the registration is not lifted."""
    return UnpaidFlag.objects.filter(registration=registration, lifted_at__isnull=True).exists()


def lift_flags_when_settled(invoice_ids) -> int:
    """Lift the open unpaid flags of those invoices that nothing is owed on any more (the
    balance rule of billing.balances: total - credited - paid <= 0): one UPDATE for any number
    of invoices. Returns the number of flags lifted."""
    from django.db.models import F

    from billing.models import Invoice
    from billing.payments import with_amounts

    settled = (with_amounts(Invoice.objects.filter(pk__in=list(invoice_ids)))
               .annotate(balance=F("total") - F("credited") - F("paid"))
               .filter(balance__lte=0).values("pk"))
    return UnpaidFlag.objects.filter(invoice__in=settled, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lift_reason="paid"
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
