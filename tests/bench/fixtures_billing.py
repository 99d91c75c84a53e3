"""Many issued, overdue invoices for the billing benchmarks, written with `bulk_create`.

Checking out 100,000 times would take most of an hour; the benchmarks need the rows, not the
checkout. So `issued_invoices(count)` writes, in batches of BATCH_SIZE (one transaction each):

- one organizer of its own (OrganizerFactory), a course and EDITIONS editions with different
  fees (every fifth one subject to 21 % VAT), so the invoice totals vary as in a real catalogue;
- `count` participants (one per invoice; one e-mail each, one password hash shared by all: an
  unusable one), 1 in 5 preferring English;
- one confirmed registration per participant, its amounts computed as checkout computes them
  (`billing.invoicing.registration_amounts`); no Checkout rows (nothing here reads them);
- one invoice per registration, numbered 1..count in the organizer's series of the year
  (`2026-000001`...), the NumberSeries row set to `count`, the structured communication built
  as `issue_invoice` builds it (`structured_base` + `format_structured`), seller and buyer copied
  onto it, issue dates spread over ISSUE_DAYS days ending ISSUED_DAYS_AGO days ago, due
  `invoice_due_days` (30) later, so every invoice is overdue and unpaid;
- one invoice line per invoice.

Issued invoices and lines are immutable in the database (UPDATE and DELETE refused by a
trigger): this only INSERTs. The series has room for 999,999 numbers per organizer and year
(`billing.references.MAX_SEQUENCE`), and the communication holds the organizer id modulo 100,
so the organizer's id must not share its last two digits with another organizer that issued
invoices in the same year (checked; a fresh benchmark database has a handful of organizers).

The sets are cached per size for the run: the late-payment, export and statement benchmarks
share them (the late-payment job adds reminders, the statement import adds payments; neither
changes an invoice row).
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

BATCH_SIZE = 5_000
EDITIONS = 50
ISSUE_DAYS = 30  # issue dates spread over this many days...
ISSUED_DAYS_AGO = 45  # ...the last this many days ago (due 30 days after issue: 15 days overdue)
# One family name per set, numbered: "An Peeters427" is one person of one set (the statement
# import suggests an invoice by amount and name only when a single invoice fits).
SURNAMES = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens")


@dataclass(frozen=True)
class InvoiceSet:
    count: int
    organizer: object  # courses.models.Organizer
    year: int
    first_issue: date
    last_issue: date
    first_pk: int
    last_pk: int
    seconds: float  # how long writing it took

    def invoices(self):
        from billing.models import Invoice

        return Invoice.objects.filter(organizer=self.organizer, kind=Invoice.Kind.INVOICE)


_SETS: dict[int, InvoiceSet] = {}


def issued_invoices(count: int, today: date | None = None) -> InvoiceSet:
    """The run's set of `count` overdue invoices of one organizer (written on the first call)."""
    if count not in _SETS:
        _SETS[count] = _write(count, today)
    return _SETS[count]


def issue_dates(today: date) -> tuple[date, date]:
    """The first and last issue date: ISSUE_DAYS days ending ISSUED_DAYS_AGO days ago, within
    one calendar year (one number series)."""
    last = today - timedelta(days=ISSUED_DAYS_AGO)
    first = max(last - timedelta(days=ISSUE_DAYS - 1), date(last.year, 1, 1))
    return first, last


def _write(count: int, today: date | None) -> InvoiceSet:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from billing.invoicing import organizer_address, registration_amounts
    from billing.models import Invoice, InvoiceLine, NumberSeries
    from billing.references import MAX_SEQUENCE, due_date, invoice_number, structured_base
    from billing.structured_communication import format_structured
    from courses.models import Edition
    from portal.models import User
    from registrations.models import Registration
    from tests.factories import CourseFactory, EditionFactory, OrganizerFactory

    if not 1 <= count <= MAX_SEQUENCE:
        raise ValueError(f"one organizer's series holds 1..{MAX_SEQUENCE:,} invoices a year")
    started = time.perf_counter()
    today = today or timezone.localdate()
    first_issue, last_issue = issue_dates(today)
    year = last_issue.year
    label = f"b{count}"
    surname = SURNAMES[len(_SETS) % len(SURNAMES)]

    organizer = OrganizerFactory(name=f"Bench Academy {count:,}", slug=f"bench-{count}")
    others = set(Invoice.objects.filter(year=year).exclude(organizer=organizer)
                 .values_list("organizer_id", flat=True).distinct())
    if any(other % 100 == organizer.pk % 100 for other in others):
        raise RuntimeError(f"organizer {organizer.pk} shares its structured-communication "
                           "digits with another organizer's invoices this year")
    course = CourseFactory(organizer=organizer, code=f"BENCH{count}", slug=f"bench-{count}",
                           title_nl=f"Benchcursus {count}", title_en=f"Bench course {count}")
    editions = [
        EditionFactory(
            course=course,
            code=f"BENCH{count}-{index:02d}",
            start=last_issue + timedelta(days=60),
            seats=-(-count // EDITIONS),
            seats_taken=count // EDITIONS + (1 if index < count % EDITIONS else 0),
            fee_amount=Decimal(150) + Decimal("12.50") * index,
            vat_treatment=(Edition.VatTreatment.TAXED if index % 5 == 4
                           else Edition.VatTreatment.EXEMPT),
        )
        for index in range(EDITIONS)
    ]
    amounts = [registration_amounts(edition, Decimal("0.00")) for edition in editions]
    descriptions = {
        language: [f"{course.title_en if language == 'en' else course.title_nl} "
                   f"({edition.code}, {edition.start:%d/%m/%Y})" for edition in editions]
        for language in ("nl", "en")
    }
    rates = [edition.vat_rate_percent if edition.vat_treatment == Edition.VatTreatment.TAXED
             else Decimal("0.00") for edition in editions]
    mentions = [edition.vat_exemption_mention
                if edition.vat_treatment == Edition.VatTreatment.EXEMPT else ""
                for edition in editions]
    password = make_password(None)  # unusable, the same for all: hashing 100,000 costs seconds
    seller = {
        "seller_name": organizer.name,
        "seller_address": organizer_address(organizer),
        "seller_vat_number": organizer.enterprise_number,
        "seller_iban": organizer.iban,
        "seller_bic": organizer.bic,
    }
    span = (last_issue - first_issue).days + 1
    first_pk = last_pk = None

    for start in range(0, count, BATCH_SIZE):
        numbers = range(start + 1, min(start + BATCH_SIZE, count) + 1)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"{label}-{n}@bench.example.org",
                        password=password,
                        first_name="An" if n % 2 else "Jan",
                        last_name=f"{surname}{n}",
                        preferred_language="en" if n % 5 == 0 else "nl",
                        street="Kouter 1",
                        postal_code="9000",
                        city="Gent",
                    )
                    for n in numbers
                ],
                batch_size=BATCH_SIZE,
            )
            issued = [first_issue + timedelta(days=(n - 1) * span // count) for n in numbers]
            which = [(n - 1) % EDITIONS for n in numbers]
            registrations = Registration.objects.bulk_create(
                [
                    Registration(
                        user=user,
                        edition=editions[e],
                        registered_on=day,
                        fee=amounts[e].amount,
                        discount=Decimal("0.00"),
                        net=amounts[e].net,
                        vat=amounts[e].vat,
                        total=amounts[e].total,
                    )
                    for user, e, day in zip(users, which, issued, strict=True)
                ],
                batch_size=BATCH_SIZE,
            )
            invoices = Invoice.objects.bulk_create(
                [
                    Invoice(
                        organizer=organizer,
                        user=user,
                        number=invoice_number(year, n),
                        year=year,
                        sequence=n,
                        issue_date=day,
                        due_date=due_date(day, organizer.invoice_due_days),
                        language=user.preferred_language,
                        structured_communication=format_structured(
                            structured_base(year, organizer.pk % 100, n)
                        ),
                        customer_kind=Invoice.CustomerKind.PERSON,
                        customer_name=f"{user.first_name} {user.last_name}",
                        customer_address="Kouter 1\n9000 Gent",
                        customer_email=user.email,
                        vat_mention=mentions[e],
                        net_total=amounts[e].net,
                        vat_total=amounts[e].vat,
                        total=amounts[e].total,
                        **seller,
                    )
                    for n, user, e, day in zip(numbers, users, which, issued, strict=True)
                ],
                batch_size=BATCH_SIZE,
            )
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=invoice,
                        registration=registration,
                        description=descriptions[invoice.language][e],
                        amount=amounts[e].amount,
                        discount=Decimal("0.00"),
                        net=amounts[e].net,
                        vat_rate_percent=rates[e],
                        vat=amounts[e].vat,
                        total=amounts[e].total,
                    )
                    for invoice, registration, e in zip(invoices, registrations, which,
                                                        strict=True)
                ],
                batch_size=BATCH_SIZE,
            )
        first_pk = first_pk or invoices[0].pk
        last_pk = invoices[-1].pk

    NumberSeries.objects.create(organizer=organizer, kind=NumberSeries.Kind.INVOICE, year=year,
                                last_number=count)
    _analyze()
    return InvoiceSet(
        count=count, organizer=organizer, year=year, first_issue=first_issue,
        last_issue=last_issue, first_pk=first_pk, last_pk=last_pk,
        seconds=time.perf_counter() - started,
    )


def _analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would have them by morning
    (without them PostgreSQL plans on the empty tables it saw at migration time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("portal_user", "registrations_registration", "billing_invoice",
                      "billing_invoiceline"):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 (fixed names)


def verify(invoice_set: InvoiceSet) -> None:
    """The set's numbers are 1..count without gap, the series says count, every communication
    is unique (the database's unique index guarantees that), every invoice has one line."""
    from django.db.models import Count, Max, Min

    from billing.models import InvoiceLine, NumberSeries
    from tests.bench.run import BenchmarkFailed

    figures = invoice_set.invoices().aggregate(n=Count("pk"), low=Min("sequence"),
                                               high=Max("sequence"))
    if figures != {"n": invoice_set.count, "low": 1, "high": invoice_set.count}:
        raise BenchmarkFailed(f"bench invoices are not numbered 1..{invoice_set.count}: {figures}")
    series = NumberSeries.objects.get(organizer=invoice_set.organizer, kind="invoice",
                                      year=invoice_set.year)
    if series.last_number != invoice_set.count:
        raise BenchmarkFailed(f"the series says {series.last_number}, not {invoice_set.count}")
    lines = InvoiceLine.objects.filter(invoice__organizer=invoice_set.organizer).count()
    if lines != invoice_set.count:
        raise BenchmarkFailed(f"{lines} invoice lines for {invoice_set.count} invoices")
