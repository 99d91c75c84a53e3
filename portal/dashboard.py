"""What a participant's dashboard shows: only their own rows, in a fixed number of queries."""

from django.utils import timezone

from billing.models import Invoice
from billing.payments import balance_of, with_amounts
from registrations.models import AdmissionApplication, Registration, WaitingListEntry
from registrations.services.waiting_list import waiting_position


def dashboard_context(user) -> dict:
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("edition__course__organizer")
        .order_by("-created_at")
    )
    invoices = list(
        with_amounts(Invoice.objects.filter(user=user)).order_by("-issue_date", "-sequence")
    )
    today = timezone.localdate()
    for invoice in invoices:
        invoice.state = balance_of(invoice, today)
    entries = list(
        WaitingListEntry.objects.filter(
            user=user,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        ).select_related("edition__course")
    )
    for entry in entries:
        entry.offer_open = bool(entry.offer_expires_at and entry.offer_expires_at > now)
        entry.position = (
            waiting_position(entry) if entry.status == WaitingListEntry.Status.WAITING else None
        )
    applications = list(
        AdmissionApplication.objects.filter(user=user).select_related("edition__course")
    )
    return {
        "registrations": registrations,
        "invoices": invoices,
        "waiting_entries": entries,
        "applications": applications,
    }
