"""The e-mails of the registration use cases, queued in the outbox inside their transaction."""

from django.utils import translation
from django.utils.translation import gettext as _

from courses.conditions import cancellation_conditions
from portal.outbox import queue_email


def checkout_confirmed(checkout, registrations, invoices) -> None:
    """Right after purchase: the invoice attached and the cancellation conditions (seed 1)."""
    user = checkout.user
    language = user.preferred_language
    for invoice in invoices:
        lines = [r for r in registrations if r.edition.course.organizer_id == invoice.organizer_id]
        with translation.override(language):
            editions = [
                {"edition": r.edition, "conditions": cancellation_conditions(r.edition)}
                for r in lines
            ]
            subject = _("Your registration and invoice %(number)s") % {"number": invoice.number}
        queue_email(
            to=user.email,
            user=user,
            subject=subject,
            template="registrations/checkout_confirmed",
            context={"user": user, "invoice": invoice, "editions": editions},
            language=language,
            attachments=[{"kind": "invoice_pdf", "id": invoice.pk}],
            dedup_key=f"invoice-issued:{invoice.pk}",
        )


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
        context={"user": user, "application": application, "edition": application.edition},
        language=user.preferred_language,
        dedup_key=f"admission-decided:{application.pk}",
    )
