"""Erasure on request (seed 2 art. 14, rules.md §8): asked by the participant, confirmed by staff;
the person is unidentifiable afterwards while invoices stay exactly as issued."""

import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from billing.sepa import export_pending_refunds, mark_export_paid
from portal.privacy.erasure import ErasureRefused, erase_person, request_erasure
from portal.privacy.models import ErasureRequest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Where the law keeps the person's name and address with the document: invoices, their lines and
# credit notes (immutable in the database), and the audit trail's copy of their content.
LEGAL_KEEP = {"billing_invoice", "billing_invoiceline", "billing_creditnote", "audit_auditentry"}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def tables_mentioning(text: str) -> set[str]:
    """Every table with a text, varchar or JSON column that contains `text` (any case)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = current_schema() AND c.data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                [pattern],
            )
            if cursor.fetchone():
                found.add(table)
    return found


def audited_models_mentioning(text: str) -> set[str]:
    from django.db.models import Q

    from audit.models import AuditEntry

    rows = AuditEntry.objects.filter(Q(before__icontains=text) | Q(after__icontains=text))
    return set(rows.values_list("model_label", flat=True))


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def erase(client, staff, person, django_capture_on_commit_callbacks):
    erasure = request_erasure(user=person.user)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:portal_erasurerequest_confirm", args=[erasure.pk]))
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.DONE
    person.user.refresh_from_db()
    return erasure


# --- the participant asks -----------------------------------------------------------------------


def test_the_participant_asks_from_the_dashboard(client, participant):
    client.cookies["django_language"] = "en"
    client.force_login(participant)
    dashboard = client.get(reverse("dashboard"))
    assert reverse("privacy") in dashboard.content.decode()
    page = client.get(reverse("privacy"))
    assert page.status_code == 200
    assert reverse("privacy_export") in page.content.decode()

    refused = client.post(reverse("privacy"), {"note": "please"})
    assert refused.status_code == 200 and not ErasureRequest.objects.exists()
    response = client.post(reverse("privacy"), {"confirm": "on", "note": "please"})
    assert response.status_code == 302
    client.post(reverse("privacy"), {"confirm": "on"})  # a second click
    [erasure] = ErasureRequest.objects.all()
    assert erasure.user == participant and erasure.status == "pending"
    assert "Withdraw my request" in client.get(reverse("privacy")).content.decode()

    client.post(reverse("privacy_withdraw", args=[erasure.pk]))
    erasure.refresh_from_db()
    assert erasure.status == "withdrawn"


def test_nobody_withdraws_someone_elses_request(client, participant, other_participant):
    erasure = request_erasure(user=participant)
    client.force_login(other_participant)
    client.post(reverse("privacy_withdraw", args=[erasure.pk]))
    erasure.refresh_from_db()
    assert erasure.status == "pending"
    assert "Withdraw" not in client.get(reverse("privacy")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("privacy"), reverse("privacy_withdraw", args=[1])):
        response = client.post(url) if "withdraw" in url else client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


# --- staff confirm --------------------------------------------------------------------------------


def test_only_a_privacy_officer_or_superuser_confirms(
    client, participant, privacy_officer, superuser, course_admin, finance_user,
    exam_committee_member,
):
    erasure = request_erasure(user=participant)
    confirm = reverse("admin:portal_erasurerequest_confirm", args=[erasure.pk])
    changelist = reverse("admin:portal_erasurerequest_changelist")
    for staff in (privacy_officer, superuser):
        client.force_login(staff)
        assert client.get(changelist).status_code == 200
        page = client.get(confirm)
        assert page.status_code == 200
        assert participant.email in page.content.decode()
    for staff in (course_admin, finance_user, exam_committee_member):
        client.force_login(staff)
        assert client.get(changelist).status_code == 403
        assert client.get(confirm).status_code == 403
        assert client.post(confirm).status_code == 403
    client.force_login(participant)
    response = client.post(confirm)
    assert response.status_code == 302 and "login" in response["Location"]
    erasure.refresh_from_db()
    assert erasure.status == "pending"
    participant.refresh_from_db()
    assert participant.is_active and participant.email == "participant@example.org"


def test_erasure_leaves_invoices_intact_and_the_person_unidentifiable(
    client, people, privacy_officer, finance_user, django_capture_on_commit_callbacks,
):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    from billing.models import CreditNote, Invoice
    from billing.pdf import render_credit_note_pdf, render_invoice_pdf
    from portal.models import OutgoingEmail
    from registrations.models import AdmissionApplication, WaitingListEntry

    me, other = people
    invoice_fields = ["number", "total", "net_total", "vat_total", "customer_name",
                      "customer_address", "customer_email", "structured_communication"]
    invoices_before = list(Invoice.objects.order_by("pk").values(*invoice_fields))
    notes_before = list(CreditNote.objects.order_by("pk").values("number", "total"))
    cv = me.application.cv
    storage, cv_name = cv.storage, cv.name
    assert storage.exists(cv_name)
    participant_client = client.__class__()
    participant_client.force_login(me.user)
    assert participant_client.get(reverse("dashboard")).status_code == 200
    for identifier in me.identifiers:  # the search finds the person before
        assert tables_mentioning(identifier) - LEGAL_KEEP, identifier
    assert "billing.invoice" in audited_models_mentioning(me.full_name)

    erasure = erase(client, privacy_officer, me, django_capture_on_commit_callbacks)

    # Invoices and credit notes: the same numbers, totals and customer, and they still render.
    assert list(Invoice.objects.order_by("pk").values(*invoice_fields)) == invoices_before
    assert list(CreditNote.objects.order_by("pk").values("number", "total")) == notes_before
    text = pdf_text(render_invoice_pdf(me.invoice))
    assert me.invoice.number in text and me.full_name in text
    assert "erased" not in text  # the participant block too reads as issued
    assert me.credit_note.number in pdf_text(render_credit_note_pdf(me.credit_note))
    client.force_login(finance_user)
    page = client.get(reverse("admin:billing_invoice_change", args=[me.invoice.pk]))
    assert page.status_code == 200 and me.invoice.number in page.content.decode()

    # Nothing else in the whole database names the person; in the audit trail only the copies
    # of invoices and credit notes do.
    for identifier in me.identifiers:
        assert tables_mentioning(identifier) <= LEGAL_KEEP, identifier
        assert audited_models_mentioning(identifier) <= {"billing.invoice", "billing.creditnote"}
    # ... and the other participant is untouched.
    for identifier in other.identifiers:
        assert tables_mentioning(identifier) - LEGAL_KEEP, identifier

    user = me.user
    assert (user.first_name, user.last_name, user.phone, user.street, user.city) == ("",) * 5
    assert user.date_of_birth is None
    assert user.email.startswith("erased-") and user.email.endswith("@erased.invalid")
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not storage.exists(cv_name)
    application = AdmissionApplication.objects.get(pk=me.application.pk)
    assert (application.motivation, application.experience, application.cv.name) == ("", "", "")
    assert WaitingListEntry.objects.get(user=user).status == "withdrawn"
    [mail] = OutgoingEmail.objects.filter(user=user)
    assert mail.status == "failed" and mail.body_text == "" and mail.recipient == user.email
    certificate = me.certificate.__class__.objects.get(pk=me.certificate.pk)
    assert certificate.is_revoked and certificate.holder_name == ""
    other.certificate.refresh_from_db()
    assert not other.certificate.is_revoked
    anonymous = client.__class__()
    verification = anonymous.get(reverse("certificate_verify", args=[certificate.code]))
    assert verification.status_code == 200
    assert me.full_name not in verification.content.decode()
    assert erasure.summary["certificates"] == {"revoked": 1, "kept": 0}
    from audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="privacy.erased")
    assert entry.actor == privacy_officer and entry.after["user"] == user.pk
    assert entry.object_id == str(erasure.pk)

    # Logged out everywhere and no way back in.
    assert participant_client.get(reverse("dashboard")).status_code == 302
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()
    )
    assert not client.login(email=me.email, password=PASSWORD)
    assert not client.login(email=user.email, password=PASSWORD)
    fresh = client.__class__()
    fresh.post(reverse("account_login"), {"login": me.email, "password": PASSWORD})
    assert fresh.get(reverse("dashboard")).status_code == 302


def test_erasure_is_idempotent(client, people, superuser, django_capture_on_commit_callbacks):
    me, _ = people
    erasure = erase(client, superuser, me, django_capture_on_commit_callbacks)
    email = me.user.email
    again = erase_person(request_id=erasure.pk, staff_user=superuser)
    assert again.pk == erasure.pk and again.status == "done"
    me.user.refresh_from_db()
    assert me.user.email == email
    # Asking again after the erasure is a new request that finds nothing left to erase.
    second = request_erasure(user=me.user)
    erase_person(request_id=second.pk, staff_user=superuser)
    me.user.refresh_from_db()
    assert not me.user.is_active and me.user.first_name == ""


def test_organizer_keeps_certificates_valid(client, people, privacy_officer,
                                            django_capture_on_commit_callbacks):
    me, _ = people
    organizer = me.registration.edition.course.organizer
    organizer.certificates_on_erasure = organizer.CertificatesOnErasure.KEEP
    organizer.save()
    erasure = erase(client, privacy_officer, me, django_capture_on_commit_callbacks)
    me.certificate.refresh_from_db()
    assert not me.certificate.is_revoked and me.certificate.holder_name == me.full_name
    assert erasure.summary["certificates"] == {"revoked": 0, "kept": 1}
    # The certificate is the one place (with the invoices) that still names the holder.
    assert tables_mentioning(me.full_name) <= LEGAL_KEEP | {"certificates_certificate"}


def test_staff_accounts_are_not_erased(client, finance_user, superuser):
    erasure = request_erasure(user=finance_user)
    with pytest.raises(ErasureRefused):
        erase_person(request_id=erasure.pk, staff_user=superuser)
    client.cookies["django_language"] = "en"
    client.force_login(superuser)
    url = reverse("admin:portal_erasurerequest_confirm", args=[erasure.pk])
    assert "staff account" in client.get(url).content.decode()
    client.post(url)
    finance_user.refresh_from_db()
    assert finance_user.is_active and finance_user.email == "finance@example.org"


def test_not_before_a_pending_refund_is_paid(client, people, superuser, finance_user):
    from billing.models import Refund

    me, _ = people
    Refund.objects.create(credit_note=me.credit_note, amount=me.credit_note.total,
                          beneficiary_name=me.full_name, iban="BE71096123456769",
                          created_by=finance_user)
    erasure = request_erasure(user=me.user)
    client.cookies["django_language"] = "en"
    client.force_login(superuser)
    url = reverse("admin:portal_erasurerequest_confirm", args=[erasure.pk])
    assert "still to be refunded" in client.get(url).content.decode()
    client.post(url)
    erasure.refresh_from_db()
    me.user.refresh_from_db()
    assert erasure.status == "pending" and me.user.is_active
    # Finance pays it by a SEPA file: the file names the beneficiary.
    organizer = me.credit_note.organizer
    export = export_pending_refunds(organizer=organizer, user=finance_user,
                                    execution_date=timezone.localdate())
    assert me.full_name in export.xml
    mark_export_paid(export, timezone.localdate())
    erase_person(request_id=erasure.pk, staff_user=superuser)
    assert Refund.objects.get().beneficiary_name == "[erased]"
    export.refresh_from_db()
    assert me.full_name not in export.xml and "[erased]" in export.xml
    for identifier in me.identifiers:
        assert tables_mentioning(identifier) <= LEGAL_KEEP, identifier


def test_mails_to_staff_that_name_the_person_are_scrubbed(client, people, superuser,
                                                          course_admin):
    from portal.models import OutgoingEmail
    from portal.outbox import queue_email

    me, other = people
    queue_email(to=course_admin.email, user=course_admin, subject=f"{me.full_name} applied",
                template="example", context={"title": f"{me.full_name} <{me.email}>"},
                language="en")
    queue_email(to=course_admin.email, user=course_admin, subject=f"{other.full_name} applied",
                template="example", context={"title": other.full_name}, language="en")
    erase_person(request_id=request_erasure(user=me.user).pk, staff_user=superuser)
    mails = OutgoingEmail.objects.filter(user=course_admin).order_by("pk")
    assert [m.subject for m in mails] == ["[erased] applied", f"{other.full_name} applied"]
    assert me.full_name not in mails[0].body_html and me.email not in mails[0].body_text
    assert other.full_name in mails[1].body_text


def test_reasons_naming_the_person_leave_no_trace_in_the_audit_trail(
        client, people, privacy_officer, superuser, finance_user,
        django_capture_on_commit_callbacks):
    """Docs/audit.md: no personal data in the (append-only) trail. A result correction, a
    programme decision, a certificate revocation or an unpaid flag lifted with a reason naming
    the person copied the name into the trail, where the erasure cannot reach it; and a
    revocation reason naming them stayed on the certificate after the erasure."""
    from decimal import Decimal

    from audit.models import AuditEntry
    from billing.dunning_flags import lift_flag
    from billing.models import UnpaidFlag
    from certificates.services import revoke_certificate
    from exams.models import Enrolment
    from exams.services.results import record_result

    me, other = people
    said = f"{me.full_name} phoned from {me.phone}, mail {me.email.upper()}"
    record_result(Enrolment.objects.get(registration=me.registration), user=finance_user,
                  value=Decimal("15"), reason=said)
    client.force_login(superuser)
    response = client.post(reverse("admin:exams_programmedecision_add"), {
        "registration": me.registration.pk, "favourable_deviation": "on", "reason": said})
    assert response.status_code == 302
    revoke_certificate(me.certificate, said, finance_user)
    flag = UnpaidFlag.objects.create(registration=me.registration, invoice=me.invoice,
                                     raised_on=timezone.localdate())
    lift_flag(flag_id=flag.pk, staff_user=finance_user, reason=said)
    reasons = [entry.after["reason"] for entry in AuditEntry.objects.filter(action__in=[
        "result.recorded", "programme_decision.recorded", "certificate.revoked",
        "unpaid_flag.lifted"]).order_by("pk")]
    assert reasons == ["[person] phoned from [person], mail [person]"] * 4

    erase(client, privacy_officer, me, django_capture_on_commit_callbacks)
    for identifier in (me.full_name, me.email, me.phone):
        assert tables_mentioning(identifier) <= LEGAL_KEEP, identifier
        assert audited_models_mentioning(identifier) <= {"billing.invoice", "billing.creditnote"}
    me.certificate.refresh_from_db()
    assert me.certificate.revocation_reason == "[erased] phoned from [erased], mail [erased]"


def test_staff_record_a_request_received_by_letter(client, participant, privacy_officer,
                                                   course_admin):
    changelist = reverse("admin:portal_user_changelist")
    data = {"action": "record_erasure_request", "_selected_action": [participant.pk]}
    client.force_login(course_admin)  # sees people, may not record erasure requests
    client.post(changelist, data)
    assert not ErasureRequest.objects.exists()
    client.force_login(privacy_officer)
    assert client.get(changelist).status_code == 200
    client.post(changelist, data)
    client.post(changelist, data)
    [erasure] = ErasureRequest.objects.all()
    assert erasure.user == participant and erasure.status == "pending"
