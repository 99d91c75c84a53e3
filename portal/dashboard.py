"""What a participant's dashboard shows: only their own rows, in a fixed number of queries."""

from django.utils import timezone

from billing.models import CreditNote, Invoice
from billing.payments import state_of, with_status
from billing.pdf import instalments_to_transfer
from registrations.models import (
    AdmissionApplication,
    CancellationRequest,
    ChangeResponse,
    EditionChangeNotice,
    Registration,
    WaitingListEntry,
)
from registrations.organizer_changes import free_cancellation_deadline, may_cancel_free
from registrations.services.waiting_list import with_waiting_position


def dashboard_context(user) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("edition__course__organizer")
        .order_by("-created_at")
    )
    invoices = list(
        with_status(Invoice.objects.filter(user=user), today).prefetch_related("instalments")
        .order_by("-issue_date", "-sequence")
    )
    for invoice in invoices:
        invoice.state = state_of(invoice)  # overdue by its parts when in instalments
        # Each instalment is a transfer of its own: as on the invoice, with its communication.
        invoice.schedule = instalments_to_transfer(invoice)
    entries = list(
        with_waiting_position(WaitingListEntry.objects.filter(
            user=user,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        )).select_related("edition__course")
    )
    for entry in entries:
        entry.offer_open = bool(entry.offer_expires_at and entry.offer_expires_at > now)
        entry.position = (
            entry.waiting_position if entry.status == WaitingListEntry.Status.WAITING else None
        )
    pending = set(
        CancellationRequest.objects.filter(
            registration__user=user, status=CancellationRequest.Status.PENDING
        ).values_list("registration_id", flat=True)
    )
    answered = set(
        ChangeResponse.objects.filter(registration__user=user).values_list(
            "notice_id", "registration_id"
        )
    )
    notices = {}
    for notice in EditionChangeNotice.objects.filter(
        edition__registrations__user=user, edition__registrations__status="confirmed"
    ).order_by("-notice_date"):
        notices.setdefault(notice.edition_id, []).append(notice)
    for registration in registrations:
        registration.cancellation_pending = registration.pk in pending
        registration.changes = [
            {"notice": n, "deadline": free_cancellation_deadline(n.notice_date),
             "open": may_cancel_free(n.notice_date, today)
             and (n.pk, registration.pk) not in answered,
             "description": n.description_en if user.preferred_language == "en"
             else n.description_nl}
            for n in notices.get(registration.edition_id, [])
            # A change announced before the registration is part of it (seed 2 art. 6.2).
            if n.notice_date >= registration.registered_on
        ] if registration.status == "confirmed" else []
    credit_notes = list(CreditNote.objects.filter(invoice__user=user).order_by("-issue_date"))
    applications = list(
        AdmissionApplication.objects.filter(user=user).select_related("edition__course")
    )
    from certificates.services import certificates_of

    return {
        "certificates": list(certificates_of(user)),
        "registrations": registrations,
        "invoices": invoices,
        "waiting_entries": entries,
        "applications": applications,
        "credit_notes": credit_notes,
    }
