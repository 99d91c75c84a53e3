"""A participant's data export (GDPR art. 15 and 20; seed 2 art. 14; rules.md §8).

One ZIP: `data.json` (profile, checkouts, registrations, waiting-list entries, admission
applications, cancellations, invoices with lines, instalments, payments, credit notes and refunds,
late-payment steps, exam enrolments with attendance and published results, certificates, the
e-mails the portal sent them, erasure requests), the PDFs (invoices, credit notes, and the
certificates of `certificates.services.certificates_of`, registration certificates included) and
their uploads (CVs).

Only the person's own rows: every query is filtered on the person, and nothing about staff (who
decided, recorded or entered) is included. The rows are read with a fixed number of queries
whatever their number; the PDFs are rendered from those rows (certificates of the certificates
app excepted, which render themselves). The ZIP is streamed while it is written
(portal.zipstream): data.json leaves first, then each PDF as it is rendered, so a long history
neither waits in memory nor runs into a proxy's timeout.
"""

import json
import logging
from collections.abc import Iterator
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from billing.models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    LatePaymentStep,
    Payment,
    UnpaidFlag,
)
from billing.pdf import credit_note_context, invoice_context, render_pdf
from exams.models import Attendance, Enrolment, Publication, Result
from portal.models import OutgoingEmail
from portal.privacy.models import ErasureRequest
from portal.zipstream import stream_zip
from registrations.models import (
    AdmissionApplication,
    CancellationRequest,
    ChangeResponse,
    Checkout,
    Registration,
    WaitingListEntry,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def export_filename(now: datetime | None = None) -> str:
    return f"my-data-{timezone.localtime(now or timezone.now()):%Y-%m-%d}.zip"


def stream_export(user, collected: tuple | None = None) -> Iterator[bytes]:
    """The person's export as ZIP byte chunks (`collected`: what `collect(user)` returned)."""
    data, documents = collected or collect(user)
    return stream_zip(_members(data, documents))


def _members(data, documents):
    yield "data.json", [
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")
    ]
    for name, render in documents:
        try:
            content = render()
        except Exception:  # one broken document must not withhold the rest of the data
            logger.exception("Data export: could not add %s", name)
            continue
        yield name, [content]


def write_export(user, file) -> dict:
    """Write the person's export as a ZIP into the binary `file`; return the JSON data."""
    collected = collect(user)
    for chunk in stream_export(user, collected):
        file.write(chunk)
    return collected[0]


# Reading ---------------------------------------------------------------------------------------


def collect(user) -> tuple[dict, list[tuple[str, callable]]]:
    """(the JSON data, [(file name in the ZIP, a function returning its bytes)])."""
    documents: list[tuple[str, callable]] = []
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("edition__course__organizer", "edition__academic_year", "user")
        .order_by("created_at", "pk")
    )
    by_registration = {registration.pk: registration for registration in registrations}
    applications = list(
        AdmissionApplication.objects.filter(user=user)
        .select_related("edition__course")
        .order_by("submitted_at", "pk")
    )
    invoices = _invoices(user)
    credit_notes = list(
        CreditNote.objects.filter(invoice__user=user)
        .select_related("invoice", "organizer")
        .prefetch_related("refunds")
        .order_by("issue_date", "pk")
    )

    data = {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "profile": _profile(user),
        "checkouts": _checkouts(user),
        "registrations": [_registration(r) for r in registrations],
        "cancellations": _cancellations(user),
        "answers_to_changes": _change_responses(user),
        "waiting_list_entries": _waiting_list(user),
        "admission_applications": [_application(a) for a in applications],
        "invoices": [_invoice(invoice) for invoice in invoices],
        "credit_notes": [_credit_note(note) for note in credit_notes],
        "unpaid_flags": _unpaid_flags(user),
        "exam_enrolments": _exams(user, by_registration),
        "attendance": _attendance(user),
        "certificates": [],
        "emails": _emails(user),
        "erasure_requests": _erasure_requests(user),
    }

    for invoice, row in zip(invoices, data["invoices"], strict=True):
        row["pdf"] = f"invoices/{invoice.organizer.slug}-{invoice.number}.pdf"
        documents.append((row["pdf"], _invoice_renderer(invoice)))
    for note, row in zip(credit_notes, data["credit_notes"], strict=True):
        row["pdf"] = f"credit-notes/{note.organizer.slug}-{note.number}.pdf"
        documents.append((row["pdf"], _credit_note_renderer(note)))
    certificates, certificate_documents = _certificates(user)
    data["certificates"] = certificates
    documents.extend(certificate_documents)
    for application, row in zip(applications, data["admission_applications"], strict=True):
        if application.cv:
            row["cv_file"] = f"uploads/cv-{application.pk}.pdf"
            documents.append((row["cv_file"], _file_reader(application.cv)))
    return data, documents


def _profile(user) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_of_birth": user.date_of_birth,
        "street": user.street,
        "postal_code": user.postal_code,
        "city": user.city,
        "country": user.country,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _edition(edition) -> dict:
    return {
        "code": edition.code,
        "course": edition.course.title_nl,
        "course_en": edition.course.title_en,
        "organizer": edition.course.organizer.name,
        "start": edition.start,
        "end": edition.end,
        "location": edition.location,
    }


def _checkouts(user) -> list[dict]:
    return [
        {
            "id": c.pk,
            "created_at": c.created_at,
            "invoice_to": c.invoice_to,
            "company_name": c.company_name,
            "company_address": c.company_address,
            "vat_number": c.vat_number,
            "third_party_name": c.third_party_name,
            "third_party_address": c.third_party_address,
            "third_party_vat_number": c.third_party_vat_number,
            "kmo_portefeuille": c.kmo_portefeuille,
            "instalments": c.instalments,
        }
        for c in Checkout.objects.filter(user=user).order_by("created_at", "pk")
    ]


def _registration(r: Registration) -> dict:
    return {
        "id": r.pk,
        "edition": _edition(r.edition),
        "status": r.status,
        "registered_on": r.registered_on,
        "created_at": r.created_at,
        "late_by_staff": r.late_by_staff,
        "checkout": r.checkout_id,
        "fee": r.fee,
        "discount": r.discount,
        "net": r.net,
        "vat": r.vat,
        "total": r.total,
    }


def _cancellations(user) -> list[dict]:
    rows = CancellationRequest.objects.filter(registration__user=user).order_by("requested_at")
    return [
        {
            "id": c.pk,
            "registration": c.registration_id,
            "reason": c.reason,
            "received_on": c.received_on,
            "status": c.status,
            "decided_at": c.decided_at,
            "policy": c.policy,
            "force_majeure": c.force_majeure,
            "waive_programme_amount": c.waive_programme_amount,
            "kept": c.kept,
            "credited": c.credited,
            "refunded": c.refunded,
            "credit_note": c.credit_note_id,
        }
        for c in rows
    ]


def _change_responses(user) -> list[dict]:
    rows = (
        ChangeResponse.objects.filter(registration__user=user)
        .select_related("notice")
        .order_by("answered_on", "pk")
    )
    return [
        {
            "registration": r.registration_id,
            "notice_date": r.notice.notice_date,
            "change": r.notice.description_nl,
            "change_en": r.notice.description_en,
            "answer": r.answer,
            "answered_on": r.answered_on,
        }
        for r in rows
    ]


def _waiting_list(user) -> list[dict]:
    rows = (
        WaitingListEntry.objects.filter(user=user)
        .select_related("edition__course__organizer")
        .order_by("joined_at", "pk")
    )
    return [
        {
            "edition": _edition(e.edition),
            "status": e.status,
            "joined_at": e.joined_at,
            "offered_at": e.offered_at,
            "offer_expires_at": e.offer_expires_at,
        }
        for e in rows
    ]


def _application(a: AdmissionApplication) -> dict:
    return {
        "id": a.pk,
        "edition": a.edition.code,
        "course": a.edition.course.title_nl,
        "motivation": a.motivation,
        "prior_knowledge": a.prior_knowledge,
        "experience": a.experience,
        "cv_name": a.cv_name,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
        "register_before": a.register_before,
    }


def _invoices(user) -> list[Invoice]:
    lines = InvoiceLine.objects.select_related("registration__edition").order_by("pk")
    return list(
        Invoice.objects.filter(user=user)
        .select_related("organizer", "user")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            "instalments",
            Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk")),
            Prefetch("late_steps", queryset=LatePaymentStep.objects.order_by("taken_on", "pk")),
        )
        .order_by("issue_date", "pk")
    )


def _invoice(i: Invoice) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "kind": i.kind,
        "organizer": i.organizer.name,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "structured_communication": i.structured_communication,
        "customer_kind": i.customer_kind,
        "customer_name": i.customer_name,
        "customer_address": i.customer_address,
        "customer_email": i.customer_email,
        "customer_vat_number": i.customer_vat_number,
        "third_party_name": i.third_party_name,
        "third_party_address": i.third_party_address,
        "third_party_vat_number": i.third_party_vat_number,
        "kmo_portefeuille": i.kmo_portefeuille,
        "net_total": i.net_total,
        "vat_total": i.vat_total,
        "total": i.total,
        "charged_for": i.charged_for_id,
        "lines": [
            {
                "description": line.description,
                "registration": line.registration_id,
                "amount": line.amount,
                "discount": line.discount,
                "net": line.net,
                "vat_rate_percent": line.vat_rate_percent,
                "vat": line.vat,
                "total": line.total,
            }
            for line in i.lines.all()
        ],
        "instalments": [
            {
                "part": part.number,
                "amount": part.amount,
                "due_date": part.due_date,
                "structured_communication": part.structured_communication,
            }
            for part in i.instalments.all()
        ],
        "payments": [
            {
                "amount": p.amount,
                "paid_on": p.paid_on,
                "method": p.method,
                "reference": p.reference,
                "payer_name": p.payer_name,
            }
            for p in i.payments.all()
        ],
        "late_payment_steps": [
            {"kind": s.kind, "taken_on": s.taken_on, "term_until": s.term_until}
            for s in i.late_steps.all()
        ],
    }


def _credit_note(note: CreditNote) -> dict:
    return {
        "id": note.pk,
        "number": note.number,
        "organizer": note.organizer.name,
        "invoice": note.invoice.number,
        "issue_date": note.issue_date,
        "reason": note.reason,
        "net_total": note.net_total,
        "vat_total": note.vat_total,
        "total": note.total,
        "refunds": [
            {
                "amount": refund.amount,
                "beneficiary_name": refund.beneficiary_name,
                "iban": refund.iban,
                "status": refund.status,
                "created_at": refund.created_at,
            }
            for refund in note.refunds.all()
        ],
    }


def _unpaid_flags(user) -> list[dict]:
    rows = UnpaidFlag.objects.filter(registration__user=user).order_by("raised_on", "pk")
    return [
        {
            "registration": f.registration_id,
            "invoice": f.invoice_id,
            "raised_on": f.raised_on,
            "lifted_at": f.lifted_at,
            "lift_reason": f.lift_reason,
        }
        for f in rows
    ]


def _exams(user, registrations: dict[int, Registration]) -> list[dict]:
    """Enrolments with attendance and the results the LEC has published (before publication a
    participant sees no result, seed 2 art. 9; the export shows what the portal shows)."""
    enrolments = list(
        Enrolment.objects.filter(registration__user=user)
        .select_related("unit")
        .order_by("registration", "unit__position", "unit__code", "chance")
    )
    results = {
        r.enrolment_id: r
        for r in Result.objects.current().filter(enrolment__registration__user=user)
    }
    course_ids = {registration.edition.course_id for registration in registrations.values()}
    published = set(
        Publication.objects.filter(course_id__in=course_ids).values_list(
            "course_id", "period__academic_year_id", "period__organizer_id", "period__chance"
        )
    )
    rows = []
    for enrolment in enrolments:
        edition = registrations[enrolment.registration_id].edition
        key = (edition.course_id, edition.academic_year_id, edition.course.organizer_id,
               enrolment.chance)
        result = results.get(enrolment.pk) if key in published else None
        rows.append(
            {
                "registration": enrolment.registration_id,
                "unit": enrolment.unit.code,
                "unit_title": enrolment.unit.title_nl,
                "credits": enrolment.unit.credits,
                "chance": enrolment.chance,
                "enrolled_on": enrolment.enrolled_on,
                "result": None if result is None else result.display,
                "result_entered_at": None if result is None else result.entered_at,
            }
        )
    return rows


def _attendance(user) -> list[dict]:
    rows = (
        Attendance.objects.filter(registration__user=user)
        .select_related("session__unit")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "registration": a.registration_id,
            "session": a.session.starts_at,
            "unit": a.session.unit.code if a.session.unit else None,
            "present": a.present,
        }
        for a in rows
    ]


def _emails(user) -> list[dict]:
    rows = OutgoingEmail.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "to": e.recipient,
            "subject": e.subject,
            "created_at": e.created_at,
            "sent_at": e.sent_at,
            "status": e.status,
            # A mail with a one-time link (a password reset) that is not sent yet still holds
            # the link: an export is a file that travels, so the link is never in it.
            "body_text": e.body_text if e.secret_valid_until is None else "",
        }
        for e in rows
    ]


def _erasure_requests(user) -> list[dict]:
    return [
        {"requested_at": r.requested_at, "status": r.status}
        for r in ErasureRequest.objects.filter(user=user).order_by("requested_at")
    ]


def _certificates(user) -> tuple[list[dict], list[tuple[str, callable]]]:
    """The certificates of the certificates app, valid and revoked, with their PDFs."""
    from certificates.pdf import render_certificate_pdf
    from certificates.services import certificates_of

    rows, documents = [], []
    for certificate in certificates_of(user):
        name = f"certificates/{certificate.kind}-{certificate.pk}.pdf"
        rows.append(
            {
                "kind": certificate.kind,
                "title": certificate.title_nl,
                "title_en": certificate.title_en,
                "holder_name": certificate.holder_name,
                "credits": certificate.credits,
                "weighted_percentage": certificate.weighted_percentage,
                "grade": certificate.grade,
                "issued_on": certificate.issued_on,
                "organizer": certificate.organizer_name,
                "registration": certificate.registration_id,
                "unit": certificate.unit.code if certificate.unit_id else None,
                "verification_code": certificate.code,
                "revoked_at": certificate.revoked_at,
                "pdf": name,
            }
        )
        documents.append((name, _bound(render_certificate_pdf, certificate)))
    return rows, documents


# Documents ------------------------------------------------------------------------------------


def _bound(function, *args):
    return lambda: function(*args)


def _invoice_renderer(invoice: Invoice):
    # The invoice as billing.pdf renders it, from the rows read above (no query per invoice).
    return lambda: render_pdf("billing/invoice_pdf.html", invoice_context(invoice),
                              invoice.language)


def _credit_note_renderer(note: CreditNote):
    return lambda: render_pdf("billing/credit_note_pdf.html", credit_note_context(note),
                              note.invoice.language)


def _file_reader(field_file):
    def read():
        with field_file.open("rb") as handle:
            return handle.read()

    return read
