"""Erasure on request (GDPR art. 17, seed 2 art. 14; rules.md §8).

The participant asks from the dashboard (`request_erasure`); a privacy officer or superuser
confirms in the admin (`erase_person`). Erasing anonymises the person everywhere in one
transaction and is idempotent (a confirmed request confirmed again changes nothing):

- the profile: name, e-mail (a unique `erased-…@erased.invalid`), birth date, address, phone;
  the password made unusable and the account inactive; roles, allauth e-mail addresses, MFA
  authenticators, sessions and the cart removed; open waiting-list entries withdrawn;
- admission applications: the texts and the CV (deleted from storage after the commit);
- the mail log: recipient, subject and bodies of every e-mail to the person; pending ones are
  not sent any more;
- free text that names the person (admin history, cancellation notes, payer and counterparty
  names in payments and bank statement lines, refund beneficiaries in SEPA files, result and
  decision reasons, reasons for lifting an unpaid flag), rewritten with `rules.scrub`;
- certificates: revoked (and the printed name removed) or kept, as each organizer chose
  (`Organizer.certificates_on_erasure`).

Invoices, their lines and credit notes are not touched (the database refuses it anyway): the
customer's name and address on them are what the law requires to keep. Registrations, exam
enrolments and results stay, pointing at the anonymous profile (seats, statistics, finance).
"""

import logging
import uuid

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.trail import record
from billing.models import Payment, Refund, SepaExport, StatementLine, UnpaidFlag
from certificates.models import Certificate
from exams.models import ProgrammeDecision, Result
from portal.models import OutgoingEmail, User
from portal.privacy.models import ErasureRequest
from portal.privacy.rules import (
    ERASED,
    MIN_LENGTH,
    erasure_refusal,
    identifying_strings,
    pseudonym_email,
    scrub,
)
from registrations.models import (
    AdmissionApplication,
    CancellationRequest,
    Cart,
    Checkout,
    WaitingListEntry,
)
from registrations.services.waiting_list import leave_waiting_list

logger = logging.getLogger(__name__)


class ErasureRefused(Exception):
    """The request cannot be confirmed now; the message says why (shown to staff)."""


OPEN_REFUNDS = [Refund.Status.PENDING, Refund.Status.EXPORTED]
REFUSALS = {
    "staff": gettext_lazy("This is a staff account: remove its staff status and roles first."),
    "open_refunds": gettext_lazy(
        "Money is still to be refunded to this person: erase after the refund."
    ),
}


@transaction.atomic
def request_erasure(*, user, note: str = "") -> ErasureRequest:
    """The participant asks to be erased; asking twice finds the first request."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise double clicks
    existing = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING)
    if existing.exists():
        return existing.get()
    request = ErasureRequest.objects.create(user=user, note=note)
    record("privacy.erasure_requested", request, actor=user, after={"user": user.pk})
    return request


@transaction.atomic
def withdraw_erasure_request(*, user, request_id: int) -> bool:
    return bool(
        ErasureRequest.objects.filter(
            pk=request_id, user=user, status=ErasureRequest.Status.PENDING
        ).update(status=ErasureRequest.Status.WITHDRAWN)
    )


def refusal_for(user) -> str | None:
    """The reason (translated) why `user` cannot be erased now, or None."""
    code = erasure_refusal(
        is_staff=user.is_staff or user.is_superuser,
        open_refunds=Refund.objects.filter(
            credit_note__invoice__user=user, status__in=OPEN_REFUNDS
        ).count(),
    )
    return str(REFUSALS[code]) if code else None


@transaction.atomic
def erase_person(*, request_id: int, staff_user, now=None) -> ErasureRequest:
    """Anonymise the person of the request (see the module docstring). Idempotent."""
    now = now or timezone.now()
    # The person first, then the request: the order request_erasure locks in.
    user_id = ErasureRequest.objects.values_list("user_id", flat=True).get(pk=request_id)
    user = User.objects.select_for_update().get(pk=user_id)
    request = ErasureRequest.objects.select_for_update().get(pk=request_id)
    if request.status == ErasureRequest.Status.DONE:
        return request
    if request.status != ErasureRequest.Status.PENDING:
        raise ErasureRefused(_("This request was withdrawn."))
    reason = refusal_for(user)
    if reason:
        raise ErasureRefused(reason)

    old_emails = [user.email, *user.emailaddress_set.values_list("email", flat=True)]
    identifiers = identifying_strings(
        full_name=user.get_full_name(), emails=old_emails, phone=user.phone, street=user.street
    )
    new_email = pseudonym_email(uuid.uuid4().hex[:20])
    summary = {
        "certificates": _certificates(user, staff_user),
        "applications": _applications(user),
        "emails": _mail_log(user, old_emails, new_email),
        "free_text_rows": _free_text(user, identifiers),
        "sessions": _sessions(user),
    }
    _open_rows(user)
    _account(user, new_email)
    _admin_history(user, identifiers)

    request.status = ErasureRequest.Status.DONE
    request.decided_at = now
    request.decided_by = staff_user
    request.note = ""
    request.summary = summary
    request.save(update_fields=["status", "decided_at", "decided_by", "note", "summary"])
    # The trail names the person by number only (audit/context.py), like every other entry.
    record("privacy.erased", request, actor=staff_user,
           before={"status": ErasureRequest.Status.PENDING},
           after={"status": request.status, "user": user.pk, **summary})
    return request


# The parts ------------------------------------------------------------------------------------


def _account(user, new_email: str) -> None:
    user.first_name = ""
    user.last_name = ""
    user.email = new_email
    user.date_of_birth = None
    user.street = ""
    user.postal_code = ""
    user.city = ""
    user.country = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.emailaddress_set.all().delete()
    _authenticators(user).delete()


def _authenticators(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user)


def _sessions(user) -> int:
    """Log the person out everywhere (sessions are signed blobs: read the live ones)."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _open_rows(user) -> None:
    """What would still act on the person's behalf: their cart and open waiting-list places."""
    Cart.objects.filter(user=user).delete()
    for entry_id in WaitingListEntry.objects.filter(
        user=user,
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    ).values_list("pk", flat=True):
        leave_waiting_list(user=user, entry_id=entry_id)


def _applications(user) -> int:
    applications = list(AdmissionApplication.objects.filter(user=user))
    files = [application.cv.name for application in applications if application.cv]
    AdmissionApplication.objects.filter(user=user).update(
        motivation="", prior_knowledge="", experience="", cv="", cv_name="", decision_note=""
    )
    if files:
        storage = AdmissionApplication._meta.get_field("cv").storage
        transaction.on_commit(lambda: _delete_files(storage, files))
    return len(files)


def _delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Erasure: could not delete %s", name)


def _mail_log(user, old_emails, new_email: str) -> int:
    """Every e-mail to the person keeps its date and status, nothing of who or what; what was
    still pending is not sent any more."""
    match = Q(user=user)
    for email in old_emails:
        match |= Q(recipient__iexact=email)
    rows = OutgoingEmail.objects.filter(match)
    rows.filter(status=OutgoingEmail.Status.PENDING).update(status=OutgoingEmail.Status.FAILED)
    return rows.update(
        recipient=new_email,
        subject=ERASED,
        body_text="",
        body_html="",
        last_error="",
    )


def _scrub_rows(queryset, fields, identifiers) -> int:
    """Rewrite `fields` of the rows that contain an identifier; returns how many rows."""
    if not identifiers:
        return 0
    match = Q()
    for field in fields:
        for identifier in identifiers:
            match |= Q(**{f"{field}__icontains": identifier})
    changed = 0
    for row in queryset.filter(match):
        for field in fields:
            setattr(row, field, scrub(getattr(row, field), identifiers))
        row.save(update_fields=fields)
        changed += 1
    return changed


def _free_text(user, identifiers) -> int:
    invoices = Q(invoice__user=user)
    return sum(
        (
            _scrub_rows(Checkout.objects.filter(user=user),
                        ["company_name", "company_address", "third_party_name",
                         "third_party_address", "third_party_vat_number"], identifiers),
            _scrub_rows(CancellationRequest.objects.filter(registration__user=user),
                        ["note", "waiver_reason"], identifiers),
            _scrub_rows(Payment.objects.filter(invoices), ["payer_name", "reference"],
                        identifiers),
            _scrub_rows(Refund.objects.filter(credit_note__invoice__user=user),
                        ["beneficiary_name"], identifiers),
            # Bank lines: those matched to the person's invoices, and unmatched ones naming them.
            _scrub_rows(StatementLine.objects.all(), ["counterparty_name", "communication"],
                        identifiers),
            _scrub_rows(SepaExport.objects.filter(refunds__credit_note__invoice__user=user)
                        .distinct(), ["xml"], _sepa_variants(identifiers)),
            # E-mails to others (staff) that name the person.
            _scrub_rows(OutgoingEmail.objects.exclude(user=user),
                        ["subject", "body_text", "body_html"],
                        _html_variants(identifiers)),
            _scrub_rows(UnpaidFlag.objects.filter(registration__user=user), ["lift_reason"],
                        identifiers),
            _scrub_rows(Result.objects.filter(enrolment__registration__user=user), ["reason"],
                        identifiers),
            _scrub_rows(ProgrammeDecision.objects.filter(registration__user=user), ["reason"],
                        identifiers),
            _scrub_rows(Certificate.objects.filter(user=user), ["revocation_reason"],
                        identifiers),
        )
    )


def _sepa_variants(identifiers) -> list[str]:
    """As written in a pain.001 file: in the EPC character set, XML-escaped."""
    from xml.sax.saxutils import escape

    from billing.sepa import sepa_text

    variants = {escape(i) for i in identifiers} | {escape(sepa_text(i, 70)) for i in identifiers}
    return sorted((v for v in variants if len(v) >= MIN_LENGTH), key=len, reverse=True)


def _html_variants(identifiers) -> list[str]:
    from django.utils.html import escape

    variants = set(identifiers) | {str(escape(i)) for i in identifiers}
    return sorted(variants, key=len, reverse=True)


def _admin_history(user, identifiers) -> None:
    """The admin's history names objects by their str(): the person's row, and rows whose
    name contained theirs (a registration is "An Peeters — E00012")."""
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
        object_repr=str(user)
    )
    _scrub_rows(LogEntry.objects.all(), ["object_repr", "change_message"], identifiers)


def _certificates(user, staff_user) -> dict:
    """Revoke (and unname) or keep each certificate, as its organizer chose."""
    from certificates.models import Certificate
    from courses.models import Organizer

    revoked = kept = 0
    rows = Certificate.objects.filter(user=user).select_related(
        "registration__edition__course__organizer"
    )
    for certificate in rows:
        organizer = certificate.registration.edition.course.organizer
        if organizer.certificates_on_erasure == Organizer.CertificatesOnErasure.KEEP:
            kept += 1
            continue
        _revoke(certificate, staff_user)
        certificate.refresh_from_db()
        certificate.holder_name = ""
        certificate.details = {}
        certificate.save(update_fields=["holder_name", "details"])
        revoked += 1
    return {"revoked": revoked, "kept": kept}


def _revoke(certificate, staff_user) -> None:
    from certificates.services import revoke_certificate

    revoke_certificate(certificate, "erased on the holder's request (GDPR art. 17)", staff_user)
