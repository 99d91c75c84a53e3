"""Two participants with everything the portal keeps about a person, on a shared edition (so
their invoices are numbered in the same series), for the data export and erasure tests."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

PROFILES = {
    "participant": {
        "first_name": "Annelies",
        "last_name": "Vandersteene",
        "phone": "+32 478 12 34 56",
        "street": "Zonnebloemlaan 17",
        "postal_code": "9000",
        "city": "Gent",
        "date_of_birth": date(1984, 3, 9),
    },
    "other_participant": {
        "first_name": "Bartholomeus",
        "last_name": "Oosterlinck",
        "phone": "+32 499 65 43 21",
        "street": "Kastanjedreef 233",
        "postal_code": "2000",
        "city": "Antwerpen",
        "date_of_birth": date(1979, 11, 2),
    },
}


@dataclass
class Person:
    user: object
    full_name: str
    last_name: str
    email: str
    phone: str
    street: str
    registration: object
    invoice: object
    credit_note: object
    application: object
    certificate: object

    @property
    def identifiers(self):
        return [self.full_name, self.last_name, self.email, self.phone, self.street]


@pytest.fixture
def shared(db, edition):
    """The shared edition (an exam unit, published first chance), an edition that takes
    applications and a full edition with a waiting list, all of the same organizer."""
    from courses.models import Edition
    from exams.models import ExamPeriod
    from tests.factories import CourseUnitFactory, EditionFactory

    unit = CourseUnitFactory(course=edition.course, code="PRIV1")
    organizer = edition.course.organizer
    period = ExamPeriod.objects.create(
        academic_year=edition.academic_year, organizer=organizer, chance=1,
        start=date(2027, 6, 1), end=date(2027, 6, 30),
    )
    admission = EditionFactory(course__organizer=organizer, start=edition.start,
                               admission_required=True)
    full = EditionFactory(course__organizer=organizer, start=edition.start, seats=1)
    assert full.status == Edition.Status.OPEN
    return {"edition": edition, "unit": unit, "period": period, "admission": admission,
            "full": full}


def build_person(user, shared, staff) -> Person:
    """Everything: profile, checkout and invoice, a payment, a credit note, an application with a
    CV, a waiting-list entry, an exam enrolment with a published result, a certificate, e-mails,
    an MFA authenticator, admin history and a bank statement line naming the person."""
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from billing.invoicing import issue_credit_note
    from billing.models import BankStatement, StatementLine
    from billing.payments import record_payment
    from certificates.services import issue_registration_certificate
    from exams.models import Enrolment, Publication, Result
    from portal.outbox import queue_email
    from registrations.models import WaitingListEntry
    from registrations.services.admission import apply_for_admission
    from tests.factories import InvoiceFactory, RegistrationFactory

    for field, value in PROFILES[_fixture_name(user)].items():
        setattr(user, field, value)
    user.save()
    full_name = user.get_full_name()

    registration = RegistrationFactory(user=user, edition=shared["edition"])
    # Issued the real way (billing.invoicing.issue_invoice): the organizer's one series.
    invoice = InvoiceFactory(registrations=[registration], customer_name=full_name,
                             customer_address=f"{user.street}\n{user.postal_code} {user.city}")
    queue_email(to=user.email, user=user, subject=f"Welcome {full_name}",
                template="example", context={"title": f"Dear {full_name}"}, language="nl")
    record_payment(invoice=invoice, amount=Decimal("100.00"), paid_on=date.today(),
                   method="bank_transfer", payer_name=full_name.upper(), recorded_by=staff)
    credit_note = issue_credit_note(invoice=invoice, net=Decimal("10.00"), vat=Decimal("0.00"),
                                    reason="Goodwill", user=staff)
    application = apply_for_admission(
        user=user, edition_id=shared["admission"].pk,
        motivation=f"I am {full_name} and I love data.", prior_knowledge="Statistics",
        experience=f"Ten years; call me on {user.phone}",
        cv=SimpleUploadedFile("my cv.pdf", b"%PDF-1.4 cv of " + full_name.encode(),
                              "application/pdf"),
    )
    WaitingListEntry.objects.create(user=user, edition=shared["full"])

    enrolment = Enrolment.objects.get_or_create(
        registration=registration, unit=shared["unit"], chance=1,
        defaults={"origin": "automatic", "enrolled_on": date.today()},
    )[0]
    Result.objects.create(enrolment=enrolment, value=Decimal("14.50"), entered_by=staff)
    Publication.objects.get_or_create(period=shared["period"], course=shared["edition"].course,
                                      defaults={"published_by": staff})
    certificate = issue_registration_certificate(registration)

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(registration),
        object_id=str(registration.pk), object_repr=str(registration), action_flag=CHANGE,
        change_message=f"Phoned {full_name}",
    )
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk),
        object_repr=str(user), action_flag=CHANGE, change_message="[]",
    )
    statement = BankStatement.objects.create(file="statements/x", original_name="x.xml",
                                             sha256="0" * 64)
    StatementLine.objects.create(
        statement=statement, dedup_key=f"line-{user.pk}", position=user.pk,
        amount=Decimal("5.00"), counterparty_name=full_name, counterparty_iban="BE71096123456769",
        communication="no reference", result="unmatched",
    )
    application.refresh_from_db()
    return Person(user=user, full_name=full_name, last_name=user.last_name, email=user.email,
                  phone=user.phone, street=user.street, registration=registration, invoice=invoice,
                  credit_note=credit_note, application=application, certificate=certificate)


def _fixture_name(user):
    return "participant" if user.email == "participant@example.org" else "other_participant"


@pytest.fixture
def people(shared, participant, other_participant, finance_user):
    return (build_person(participant, shared, finance_user),
            build_person(other_participant, shared, finance_user))


@pytest.fixture
def privacy_officer(db):
    from django.contrib.auth.models import Group

    from portal.privacy import PRIVACY_OFFICER
    from tests.factories import UserFactory

    user = UserFactory(email="privacy@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    return user
