"""Cancellation by a participant (rules.md §4, seed 2 art. 5): asked from the dashboard or
recorded by staff with the date the request was received; confirmed by staff (free trainings at
once); a credit note for what is not owed, a refund of what was paid beyond that."""

from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.trail import record
from billing.invoicing import issue_credit_note
from billing.models import Refund
from billing.payments import balance_of
from courses.models import Edition
from registrations import errors
from registrations.cancellation_outcome import Outcome, full_refund, policy_outcome
from registrations.models import CancellationRequest, Registration
from registrations.seats import lock_editions


class CancellationError(errors.RegistrationError):
    message = _("This cancellation is not possible.")


OPEN = [CancellationRequest.Status.PENDING, CancellationRequest.Status.CONFIRMED]


def _registration_for(user, registration_id) -> Registration:
    registration = (
        Registration.objects.select_related("edition__course", "edition__academic_year", "user")
        .filter(pk=registration_id, user=user)
        .first()
    )
    if registration is None:
        # Someone else's registration is simply not found.
        raise CancellationError(_("Registration not found."))
    return registration


def _check_cancellable(registration: Registration, on: date) -> None:
    if registration.status != Registration.Status.CONFIRMED:
        raise CancellationError(_("This registration is already cancelled."))
    if CancellationRequest.objects.filter(registration=registration, status__in=OPEN).exists():
        raise CancellationError(_("A cancellation of this registration is already pending."))
    if on > registration.edition.end:
        raise CancellationError(_("The edition has ended; it can no longer be cancelled."))


def preview(registration: Registration, on: date | None = None) -> Outcome:
    """What the policy would keep and refund today: the confirmation calls the same function."""
    return policy_outcome(registration, on or timezone.localdate())


@transaction.atomic
def request_cancellation(*, user, registration_id: int, today: date | None = None):
    """The participant asks from the dashboard; the request date is today. A free training
    (policy D) is confirmed at once: notifying is enough."""
    today = today or timezone.localdate()
    registration = _registration_for(user, registration_id)
    Registration.objects.select_for_update().filter(pk=registration.pk).get()
    _check_cancellable(registration, today)
    request = CancellationRequest.objects.create(
        registration=registration, received_on=today, requested_by=user
    )
    _audit_request(request, user)
    if registration.edition.cancellation_policy == Edition.Policy.FREE:
        return confirm_cancellation(request_id=request.pk, staff_user=user)
    from registrations.notifications import cancellation_requested

    cancellation_requested(request)
    return request


@transaction.atomic
def record_cancellation_request(*, staff_user, registration_id: int, received_on: date,
                                note: str = "", today: date | None = None):
    """Staff record a request that arrived by e-mail, with the date it was received."""
    registration = Registration.objects.select_for_update().select_related("edition").get(
        pk=registration_id
    )
    if received_on > (today or timezone.localdate()):
        raise CancellationError(_("A request cannot be received in the future."))
    if received_on < registration.registered_on:
        # Seed 2 art. 5.1: the date of cancellation is the date the request was received; a
        # date before the registration is a typo (policy A would fail on it at confirmation).
        raise CancellationError(_("A request cannot be received before the registration "
                                  "(registered on %(date)s).")
                                % {"date": registration.registered_on.strftime("%d/%m/%Y")})
    _check_cancellable(registration, received_on)
    request = CancellationRequest.objects.create(
        registration=registration, received_on=received_on, requested_by=staff_user, note=note
    )
    _audit_request(request, staff_user)
    return request


def _audit_request(request, actor) -> None:
    record("cancellation.requested", request, actor=actor,
           organizer=request.registration.edition.course.organizer_id,
           after={"registration": request.registration_id, "received_on": request.received_on,
                  "reason": request.reason, "status": request.status})


@transaction.atomic
def confirm_cancellation(*, request_id: int, staff_user, force_majeure: bool = False,
                         waive_programme_amount: bool = False, waiver_reason: str = ""):
    request = CancellationRequest.objects.select_for_update().select_related(
        "registration__edition__course", "registration__edition__academic_year",
        "registration__user",
    ).get(pk=request_id)
    if request.status != CancellationRequest.Status.PENDING:
        raise CancellationError(_("This cancellation has already been decided."))
    registration = request.registration
    policy = registration.edition.cancellation_policy
    if waive_programme_amount:
        if policy != Edition.Policy.ACADEMIC_YEAR:
            raise CancellationError(_("Only policy A has a programme amount to waive."))
        if not waiver_reason.strip():
            raise CancellationError(_("Give the reason for waiving the programme amount."))
    if force_majeure and policy != Edition.Policy.DAYS_BEFORE_START:
        raise CancellationError(_("Force majeure applies to policy B only."))
    if request.reason == CancellationRequest.Reason.PARTICIPANT:
        outcome = policy_outcome(registration, request.received_on, force_majeure=force_majeure,
                                 waive_programme_amount=waive_programme_amount)
    else:
        outcome = full_refund(registration, request.reason)
    return _settle(request, outcome, staff_user, force_majeure=force_majeure,
                   waive_programme_amount=waive_programme_amount,
                   waiver_reason=waiver_reason.strip())


def _settle(request, outcome: Outcome, staff_user, **decision) -> CancellationRequest:
    """Credit note for what is not owed; refund of what was paid beyond what is owed; the seat
    freed for the waiting list; the registration ends; the participant is told."""
    registration = request.registration
    invoice_line = registration.invoice_lines.select_related("invoice").first()
    credit_note, refund_amount = None, None
    if invoice_line is not None and outcome.credited_total > 0:
        invoice = invoice_line.invoice
        # Printed on the credit note, which is rendered in the invoice's language: so is the
        # reason (stored as issued; notes issued before keep theirs).
        with translation.override(invoice.language):
            reason = gettext("Cancellation of the registration for %(code)s") % {
                "code": registration.edition.code}
        credit_note = issue_credit_note(
            invoice=invoice, net=outcome.refunded, vat=outcome.refunded_vat,
            reason=reason, user=staff_user,
        )
        overpaid = balance_of(invoice).overpaid
        if overpaid > 0:
            refund_amount = overpaid
            refund = Refund.objects.create(
                credit_note=credit_note,
                amount=overpaid,
                beneficiary_name=(invoice.third_party_name or invoice.customer_name)[:70],
                iban=_payer_iban(invoice),
                created_by=staff_user,
                dedup_key=f"cancellation:{request.pk}",
            )
            record("refund.created", refund, actor=staff_user, organizer=invoice.organizer_id,
                   after={"amount": refund.amount, "credit_note": credit_note.pk,
                          "status": refund.status, "iban_known": bool(refund.iban)})
    edition = lock_editions([registration.edition_id])[registration.edition_id]
    edition.seats_taken -= 1
    edition.save(update_fields=["seats_taken"])
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    request.status = CancellationRequest.Status.CONFIRMED
    request.decided_at = timezone.now()
    request.decided_by = staff_user
    request.policy = registration.edition.cancellation_policy
    request.inputs = outcome.inputs
    request.kept = outcome.kept
    request.credited = outcome.credited_total
    request.refunded = refund_amount or 0
    request.credit_note = credit_note
    for field, value in decision.items():
        setattr(request, field, value)
    request.save()
    record("registration.cancelled", registration, actor=staff_user,
           organizer=registration.edition.course.organizer_id,
           before={"status": Registration.Status.CONFIRMED},
           after={"status": registration.status, "cancellation": request.pk,
                  "reason": request.reason, "policy": request.policy,
                  "received_on": request.received_on, "kept": request.kept,
                  "credited": request.credited, "refunded": request.refunded,
                  "credit_note": credit_note.number if credit_note else "",
                  **{name: value for name, value in decision.items() if name != "waiver_reason"},
                  "waiver_reason": decision.get("waiver_reason", "")})
    from certificates.services import revoke_for_cancelled_registration
    from registrations.notifications import cancellation_confirmed
    from registrations.tasks import offer_free_seats_later

    revoke_for_cancelled_registration(registration, by=staff_user)
    cancellation_confirmed(request)
    offer_free_seats_later()
    return request


def _payer_iban(invoice) -> str:
    """The refund goes back to the account the money came from (rules.md §4), when a bank
    statement told us; otherwise finance fills it in before the SEPA export."""
    line = (
        invoice.payments.filter(statement_line__isnull=False)
        .select_related("statement_line")
        .order_by("-paid_on")
        .first()
    )
    return line.statement_line.counterparty_iban if line else ""
