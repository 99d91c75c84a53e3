"""One portal with something of everything, most of it owned by `participant`: the objects the
access-control matrix puts in its URLs. Built through the services where one exists."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _buy(user, *editions):
    from registrations.models import Cart
    from registrations.services.cart import add_to_cart
    from registrations.services.checkout import BillingDetails, checkout

    for edition in editions:
        add_to_cart(user=user, edition_id=edition.pk)
    token = Cart.objects.get(user=user).checkout_token
    return checkout(user=user, token=token, billing=BillingDetails())


def build(*, participant, staff_user) -> dict:
    """Objects keyed by what the URLs need; `participant` owns the personal ones."""
    from billing.invoicing import issue_credit_note
    from billing.models import BankStatement
    from billing.payments import record_payment
    from billing.statements.importer import import_statement
    from courses.models import Edition
    from exams.models import Committee, CommitteeMember, ExamPeriod
    from exams.services.enrolment import enrol_first_chance
    from exams.services.results import record_result
    from registrations.services.admission import apply_for_admission
    from registrations.services.cancellation import request_cancellation
    from registrations.services.cart import add_to_cart
    from registrations.services.edition_changes import notify_change, run_job
    from registrations.services.waiting_list import join_waiting_list
    from tests.billing.statement_files import Move, camt053
    from tests.factories import (
        AcademicYearFactory,
        CancellationTierFactory,
        CourseUnitFactory,
        EditionFactory,
        SessionFactory,
        WorkEmailDomainFactory,
    )

    today = timezone.localdate()
    year = AcademicYearFactory()
    edition = EditionFactory(academic_year=year, start=today + timedelta(days=60),
                             fee_amount=Decimal("450.00"))
    course = edition.course
    unit = CourseUnitFactory(course=course, code="SEC1", credits=Decimal("6"), position=1)
    SessionFactory(edition=edition)
    CancellationTierFactory(edition=EditionFactory(course=course, academic_year=year))
    ExamPeriod.objects.create(academic_year=year, organizer=course.organizer, chance=1,
                              start=edition.end + timedelta(days=10),
                              end=edition.end + timedelta(days=30))
    ExamPeriod.objects.create(academic_year=year, organizer=course.organizer, chance=2,
                              start=edition.end + timedelta(days=60),
                              end=edition.end + timedelta(days=80))

    record = _buy(participant, edition)
    registration = record.registrations.get()
    invoice = record.invoices.get()
    enrol_first_chance(registration, today=today)
    enrolment = registration.exam_enrolments.get(unit=unit, chance=1)
    record_result(enrolment, user=staff_user, value=Decimal("8"))
    committee = Committee.objects.create(course=course, kind="LEC")
    CommitteeMember.objects.create(committee=committee, user=staff_user,
                                   teaches_in_programme=True)
    record_payment(invoice=invoice, amount=Decimal("100.00"), paid_on=today,
                   method="transfer", recorded_by=staff_user)
    credit_note = issue_credit_note(invoice=invoice, net=Decimal("10.00"), vat=Decimal("0.00"),
                                    reason="Access matrix", user=staff_user)

    # A change notice on the edition, answered per registration on the dashboard.
    job = notify_change(edition_id=edition.pk, staff_user=staff_user,
                        description_nl="Nieuwe zaal", description_en="New room", today=today)
    run_job(job.pk)
    notice = edition.change_notices.get()

    # A second registration, cancelled by the participant (a pending request).
    other_edition = EditionFactory(academic_year=year, start=today + timedelta(days=40))
    second = _buy(participant, other_edition).registrations.get()
    request_cancellation(user=participant, registration_id=second.pk, today=today)

    full = EditionFactory(academic_year=year, seats=0)
    entry = join_waiting_list(user=participant, edition_id=full.pk)

    selective = EditionFactory(academic_year=year, admission_required=True)
    application = apply_for_admission(
        user=participant, edition_id=selective.pk, motivation="Motivatie",
        prior_knowledge="Master", experience="Vijf jaar",
        cv=SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf"))

    in_cart = EditionFactory(academic_year=year)
    item = add_to_cart(user=participant, edition_id=in_cart.pk)

    data = camt053([Move(amount="100.00", ogm=invoice.structured_communication)])
    statement = BankStatement.objects.create(
        file=ContentFile(data, name="statement.xml"), original_name="statement.xml",
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=staff_user)
    import_statement(statement.pk)
    WorkEmailDomainFactory()
    extra = _one_of_each_admin_model(participant=participant, staff_user=staff_user,
                                     registration=registration, invoice=invoice,
                                     credit_note=credit_note, today=today)

    return {
        "edition": edition,
        "draft": EditionFactory(academic_year=year, status=Edition.Status.DRAFT),
        "full": full,
        "selective": selective,
        # One nobody applied for yet: the apply page sends someone who already applied back to
        # the edition, so the matrix reads the form here.
        "selective_open": EditionFactory(academic_year=year, admission_required=True),
        "course": course,
        "checkout": record,
        "registration": registration,
        "invoice": invoice,
        "credit_note": credit_note,
        "notice": notice,
        "entry": entry,
        "application": application,
        "item": item,
        "enrolment": enrolment,
        "statement": statement,
        **extra,
    }


def _one_of_each_admin_model(*, participant, staff_user, registration, invoice, credit_note,
                             today) -> dict:
    """The rest of the admin's models, so every change/delete/history page shows a real row."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django_celery_beat.models import ClockedSchedule, SolarSchedule

    from billing.invoicing import issue_credit_note
    from billing.models import KmoProject, LatePaymentStep, Refund, UnpaidFlag, VatNumberCheck
    from billing.sepa import export_pending_refunds
    from exams.models import Attendance, ExamRules, ProgrammeDecision, Publication
    from registrations.models import Voucher
    from tests.factories import CheckoutFactory, InvoiceFactory, RegistrationFactory, UserFactory

    organizer = registration.edition.course.organizer
    # A company's invoice (Peppol) for somebody else, with its KMO-portefeuille project.
    buyer = UserFactory()
    company = InvoiceFactory(
        registrations=[RegistrationFactory(
            user=buyer, checkout=CheckoutFactory(user=buyer, invoice_to="company",
                                                 vat_number="BE0403170701"))],
        customer_kind="company", customer_name="Acme NV", customer_vat_number="BE0403170701",
        vat_check="verified")
    company_note = issue_credit_note(invoice=company, net=Decimal("5.00"), vat=Decimal("0.00"),
                                     reason="Access matrix", user=staff_user)
    KmoProject.objects.create(invoice=company, enterprise_number="0403170701",
                              project_number="KMO-1", expected_amount=Decimal("100.00"))
    VatNumberCheck.objects.create(vat_number="BE0403170701", status="verified", name="Acme NV")
    TOTP.activate(UserFactory(is_staff=True), generate_totp_secret())

    LatePaymentStep.objects.create(invoice=invoice, kind=LatePaymentStep.Kind.REMINDER,
                                   taken_on=today, term_until=today + timedelta(days=15))
    UnpaidFlag.objects.create(registration=registration, invoice=invoice, raised_on=today)
    Refund.objects.create(credit_note=credit_note, amount=Decimal("10.00"),
                          beneficiary_name="An Peeters", iban="BE71096123456769",
                          dedup_key="access-matrix", created_by=staff_user)
    sepa = export_pending_refunds(organizer=organizer, user=staff_user,
                                  execution_date=today + timedelta(days=1))
    Voucher.objects.create(code="MATRIX10", kind="percentage", value=Decimal("10.00"))

    session = registration.edition.sessions.first()
    Attendance.objects.create(registration=registration, session=session, present=True,
                              recorded_by=staff_user)
    ExamRules.objects.get_or_create(organizer=organizer)
    period = registration.edition.academic_year.exam_periods.get(organizer=organizer, chance=1)
    Publication.objects.create(period=period, course=registration.edition.course,
                               published_by=staff_user)
    ProgrammeDecision.objects.create(registration=registration, reason="Access matrix",
                                     decided_by=staff_user)
    ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(days=1))
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("51.05"),
                                 longitude=Decimal("3.72"))
    extra = {"company_invoice": company, "company_credit_note": company_note, "sepa": sepa}
    extra.update(_certificates_and_privacy(registration=registration, staff_user=staff_user))
    return extra


def _certificates_and_privacy(*, registration, staff_user) -> dict:
    """The participant's registration certificate and somebody's erasure request (issue 9)."""
    from certificates.models import Signatory
    from certificates.services import issue_registration_certificate
    from portal.privacy.erasure import request_erasure
    from tests.factories import UserFactory

    Signatory.objects.create(organizer=registration.edition.course.organizer,
                             name="Prof. Matrix", function_nl="Voorzitter")
    certificate = issue_registration_certificate(registration, by=staff_user)
    erasure = request_erasure(user=UserFactory(), note="Access matrix")
    return {"certificate": certificate, "erasure": erasure}


def admin_models() -> list:
    """The models registered in the admin, as `app_label.model_name`."""
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def admin_object(label: str):
    """An object of the model for its change/delete/history pages (None: the model is empty)."""
    model = apps.get_model(label)
    return model._default_manager.order_by("pk").first()


def today() -> date:
    return timezone.localdate()
