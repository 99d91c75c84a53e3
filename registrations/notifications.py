"""The e-mails of the registration use cases, queued in the outbox inside their transaction."""

from django.utils import translation
from django.utils.translation import gettext as _

from courses.conditions import cancellation_conditions
from portal.outbox import portal_url, queue_email

CHECKOUT_CONFIRMED = "registrations/checkout_confirmed"


def checkout_confirmed(checkout, invoices) -> None:
    """Right after purchase: the invoice attached and the cancellation conditions (seed 1).

    Queued under the organizer's number series lock, so the bodies are rendered when the mail
    is sent (`checkout_confirmed_context`), from the invoice, which never changes after issue."""
    user = checkout.user
    language = user.preferred_language
    for invoice in invoices:
        with translation.override(language):
            # Numbers run per organizer: two invoices of one checkout can both be 2026-000001.
            subject = _("Your registration and invoice %(number)s from %(organizer)s") % {
                "number": invoice.number, "organizer": invoice.seller_name}
        queue_email(
            to=user.email,
            user=user,
            subject=subject,
            template=CHECKOUT_CONFIRMED,
            context_references={"invoice": invoice.pk},
            language=language,
            attachments=[{"kind": "invoice_pdf", "id": invoice.pk}],
            dedup_key=f"invoice-issued:{invoice.pk}",
            new_key=True,  # the invoice was created in this transaction
        )


def checkout_confirmed_context(references: dict) -> dict:
    """The context of the checkout mail, from its invoice (called in the mail's language)."""
    from billing.models import Invoice, InvoiceLine
    from billing.pdf import amount_to_transfer, instalments_to_transfer

    invoice = (
        Invoice.objects.select_related("user").prefetch_related("instalments")
        .get(pk=references["invoice"])
    )
    lines = (
        InvoiceLine.objects.filter(invoice=invoice, registration__isnull=False)
        .select_related("registration__edition__course", "registration__edition__academic_year")
        .prefetch_related("registration__edition__tiers", "registration__edition__sessions",
                          "registration__edition__course__units")
        .order_by("pk")
    )
    # The conditions in the person's own amounts: what they pay (after a voucher, at the price
    # of their registration), as their real cancellation will compute them.
    editions = [
        {"edition": line.registration.edition,
         "conditions": cancellation_conditions(line.registration.edition, line.registration)}
        for line in lines
    ]
    # What to transfer, as the attached invoice says: each instalment on its own, or with the
    # KMO-portefeuille only the VAT (the wallet pays the rest).
    return {"user": invoice.user, "invoice": invoice, "editions": editions,
            "amount_to_transfer": amount_to_transfer(invoice),
            "instalments": instalments_to_transfer(invoice)}


def seat_offered(entry) -> None:
    user = entry.user
    with translation.override(user.preferred_language):
        subject = _("A seat is free for you: %(course)s") % {"course": entry.edition.course.title}
    queue_email(
        to=user.email,
        user=user,
        subject=subject,
        template="registrations/seat_offered",
        context={"user": user, "entry": entry, "edition": entry.edition},
        language=user.preferred_language,
        dedup_key=f"seat-offered:{entry.pk}:{entry.offered_at.isoformat()}",
    )


def waiting_list_closed(entry) -> None:
    user = entry.user
    with translation.override(user.preferred_language):
        subject = _("Waiting list closed: %(course)s") % {"course": entry.edition.course.title}
    queue_email(
        to=user.email,
        user=user,
        subject=subject,
        template="registrations/waiting_list_closed",
        # The course page lists its other editions: where the mail sends the person on.
        context={"user": user, "entry": entry, "edition": entry.edition,
                 "course_url": portal_url("course_detail", entry.edition.course.slug)},
        language=user.preferred_language,
        dedup_key=f"waiting-list-closed:{entry.pk}",
    )


def admission_decided(application) -> None:
    user = application.user
    with translation.override(user.preferred_language):
        subject = _("Your application for %(course)s") % {
            "course": application.edition.course.title
        }
    queue_email(
        to=user.email,
        user=user,
        subject=subject,
        template="registrations/admission_decided",
        # "Register from the course page": the edition's page, where the admitted person adds
        # it to the cart.
        context={"user": user, "application": application, "edition": application.edition,
                 "edition_url": portal_url("edition_detail", application.edition.code)},
        language=user.preferred_language,
        dedup_key=f"admission-decided:{application.pk}",
    )


def _send(user, template, subject, context, dedup_key, attachments=()):
    queue_email(
        to=user.email, user=user, subject=subject, template=template, context=context,
        language=user.preferred_language, attachments=list(attachments), dedup_key=dedup_key,
    )


def cancellation_requested(request) -> None:
    user = request.registration.user
    with translation.override(user.preferred_language):
        subject = _("We received your cancellation: %(course)s") % {
            "course": request.registration.edition.course.title}
    _send(user, "registrations/cancellation_requested", subject,
          {"user": user, "request": request, "edition": request.registration.edition},
          f"cancellation-requested:{request.pk}")


def cancellation_confirmed(request) -> None:
    user = request.registration.user
    with translation.override(user.preferred_language):
        subject = _("Your cancellation: %(course)s") % {
            "course": request.registration.edition.course.title}
    attachments = []
    if request.credit_note_id:
        attachments.append({"kind": "credit_note_pdf", "id": request.credit_note_id})
    _send(user, "registrations/cancellation_confirmed", subject,
          {"user": user, "request": request, "edition": request.registration.edition},
          f"cancellation-confirmed:{request.pk}", attachments)


def change_notified(notice, registration) -> bool:
    """Queue the change notice once per participant; False when it was queued before."""
    from portal.models import OutgoingEmail

    key = f"change-notice:{notice.pk}:{registration.pk}"
    if OutgoingEmail.objects.filter(dedup_key=key).exists():
        return False
    user = registration.user
    from registrations.organizer_changes import free_cancellation_deadline

    with translation.override(user.preferred_language):
        subject = _("Change to %(course)s") % {"course": registration.edition.course.title}
    _send(user, "registrations/change_notice", subject,
          {"user": user, "notice": notice, "edition": registration.edition,
           "deadline": free_cancellation_deadline(notice.notice_date),
           "description": notice.description_en if user.preferred_language == "en"
           else notice.description_nl}, key)
    return True
