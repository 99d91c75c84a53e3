"""factory-boy factories for every model, in one place."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress

from courses.models import (
    AcademicYear,
    CancellationTier,
    Course,
    CourseUnit,
    Edition,
    Organizer,
    Session,
)
from portal.models import User, WorkEmailDomain

BRUSSELS = ZoneInfo("Europe/Brussels")
PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    preferred_language = "nl"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as allauth requires before a participant can log in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class WorkEmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkEmailDomain
        django_get_or_create = ("domain",)

    domain = "ugent.be"


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    name = factory.Sequence(lambda n: f"Academy {n}")
    slug = factory.Sequence(lambda n: f"academy-{n}")
    street = "Sint-Pietersnieuwstraat 25"
    postal_code = "9000"
    city = "Gent"
    enterprise_number = "BE0248015142"
    iban = "BE68539007547034"
    bic = "GKCCBEBB"
    contact_email = "info@academy.example.org"
    kmo_recognition_short = "DV.O100000"
    kmo_recognition_postgraduate = "DV.O100001"


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ("code",)

    code = "2026-2027"
    start = date(2026, 9, 21)
    second_semester_start = date(2027, 2, 8)
    end = date(2027, 9, 19)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    organizer = factory.SubFactory(OrganizerFactory)
    kind = Course.Kind.SHORT
    code = factory.Sequence(lambda n: f"C{n:04d}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    title_nl = factory.Sequence(lambda n: f"Cursus {n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    description_nl = "Een cursus voor professionals."
    description_en = "A course for professionals."
    language = "nl"
    total_credits = Decimal("0")


class CourseUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseUnit

    course = factory.SubFactory(CourseFactory)
    code = factory.Sequence(lambda n: f"U{n:04d}")
    title_nl = factory.Sequence(lambda n: f"Onderdeel {n}")
    title_en = factory.Sequence(lambda n: f"Unit {n}")
    credits = Decimal("5")
    semester = CourseUnit.Semester.FIRST


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    course = factory.SubFactory(CourseFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    code = factory.Sequence(lambda n: f"E{n:05d}")
    start = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=30))
    location = "Het Pand, Onderbergen 1, Gent"
    seats = 20
    fee_kind = Edition.FeeKind.FIXED
    fee_amount = Decimal("450.00")
    cancellation_policy = Edition.Policy.DAYS_BEFORE_START
    status = Edition.Status.OPEN


class CancellationTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CancellationTier

    edition = factory.SubFactory(EditionFactory, cancellation_policy=Edition.Policy.TIERED)
    days = 14
    percent_kept = Decimal("0")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    edition = factory.SubFactory(EditionFactory)
    starts_at = factory.LazyAttribute(
        lambda o: datetime.combine(o.edition.start, datetime.min.time(), BRUSSELS).replace(hour=9)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    location = "Aula 1"


# Checkouts, registrations and invoices (appended for billing PDFs) ---------------------------


class CheckoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Checkout"

    user = factory.SubFactory(UserFactory)
    token = factory.Faker("uuid4")
    invoice_to = "person"


def _registration_amounts(registration, field):
    """The snapshotted amounts of a registration, as billing.invoicing computes them."""
    from billing.invoicing import registration_amounts

    return getattr(registration_amounts(registration.edition, registration.discount), field)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration with the edition's price snapshotted (it does not take a seat:
    use the checkout service where seats matter)."""

    class Meta:
        model = "registrations.Registration"

    user = factory.SubFactory(UserFactory)
    edition = factory.SubFactory(EditionFactory)
    checkout = factory.SubFactory(CheckoutFactory, user=factory.SelfAttribute("..user"))
    registered_on = factory.LazyFunction(date.today)
    discount = Decimal("0.00")
    fee = factory.LazyAttribute(lambda o: _registration_amounts(o, "amount"))
    net = factory.LazyAttribute(lambda o: _registration_amounts(o, "net"))
    vat = factory.LazyAttribute(lambda o: _registration_amounts(o, "vat"))
    total = factory.LazyAttribute(lambda o: _registration_amounts(o, "total"))


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An invoice issued the real way (billing.invoicing.issue_invoice, numbered under the series
    lock) for `registrations` of one person and one organizer; the other attributes are the
    buyer. Issued invoices are immutable, so its lines come from the registrations."""

    class Meta:
        model = "billing.Invoice"

    registrations = factory.LazyFunction(lambda: [RegistrationFactory()])
    language = "nl"
    today = None
    customer_kind = "person"
    customer_name = factory.LazyAttribute(lambda o: o.registrations[0].user.get_full_name())
    customer_address = "Kouter 1\n9000 Gent"
    customer_vat_number = ""
    vat_check = ""
    third_party_name = ""
    third_party_address = ""
    kmo_portefeuille = False

    @classmethod
    def _create(cls, model_class, *, registrations, language, today, **buyer):
        from django.db import transaction

        from billing.invoicing import issue_invoice

        first = registrations[0]
        with transaction.atomic():
            return issue_invoice(
                organizer=first.edition.course.organizer,
                user=first.user,
                checkout=first.checkout,
                registrations=registrations,
                buyer=buyer,
                language=language,
                today=today,
            )
