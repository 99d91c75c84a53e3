"""Issuing invoices and credit notes: numbers handed out under a row lock, in the caller's
transaction, so a number is used exactly when its document is committed (no gaps, no doubles)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import append_credit_note, append_invoice
from audit.trail import record
from billing.balances import instalment_schedule
from billing.models import (
    CommunicationNumber,
    CreditNote,
    Instalment,
    Invoice,
    InvoiceLine,
    NumberSeries,
)
from billing.pricing import line_amounts
from billing.references import credit_note_number, due_date, invoice_number
from billing.structured_communication import format_structured
from billing.vat import exemption_mention
from courses.models import Edition, Organizer
from courses.templatetags.portal_format import format_euro


def next_number(organizer: Organizer, kind: str, year: int) -> int:
    """The next number of the organizer's series; the series row stays locked until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are handed out inside the document's own transaction")
    # One statement (PostgreSQL, SQLite >= 3.35): creates the series at 1 or counts on under
    # the row lock, which the caller holds until its COMMIT (a rollback gives the number back).
    table = NumberSeries._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organizer_id, kind, year, last_number) "  # noqa: S608  # nosec B608
            "VALUES (%s, %s, %s, 1) ON CONFLICT (organizer_id, kind, year) "
            f"DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [getattr(organizer, "pk", organizer), kind, year],
        )
        return cursor.fetchone()[0]


def new_communications(count: int = 1) -> list[str]:
    """`count` new structured communications (rules.md §2: unique per invoice, 10 digits and 2
    check digits): the base is the id of a new CommunicationNumber row. One INSERT, no lock:
    the database's counter never hands out an id twice, whatever the organizer, the year or
    the number of instalments. Ids of a rolled-back transaction are lost (communications may
    have gaps)."""
    rows = CommunicationNumber.objects.bulk_create(
        [CommunicationNumber() for _number in range(count)]
    )
    return [format_structured(row.pk) for row in rows]


def organizer_address(organizer: Organizer) -> str:
    return f"{organizer.street}\n{organizer.postal_code} {organizer.city}\n{organizer.country}"


def issue_invoice(*, organizer, user, checkout, registrations, buyer, language, today=None):
    """One invoice for the registrations of one organizer in a checkout.

    `buyer` holds customer_kind, customer_name, customer_address, customer_vat_number,
    vat_check, third_party_name, third_party_address, kmo_portefeuille.
    """
    today = today or timezone.localdate()
    # Taken before the number: the series stays locked from next_number to COMMIT.
    communication = new_communications()[0]
    sequence = next_number(organizer, NumberSeries.Kind.INVOICE, today.year)
    editions = [registration.edition for registration in registrations]
    exempt = [e for e in editions if e.vat_treatment == Edition.VatTreatment.EXEMPT]
    courses = {e.course for e in editions}
    kmo_number = ""
    if buyer.get("kmo_portefeuille"):
        kmo_number = ", ".join(sorted({c.kmo_recognition_number for c in courses} - {""}))
    invoice = Invoice.objects.create(
        organizer=organizer,
        user=user,
        checkout=checkout,
        number=invoice_number(today.year, sequence),
        year=today.year,
        sequence=sequence,
        issue_date=today,
        due_date=due_date(today, organizer.invoice_due_days),
        language=language,
        structured_communication=communication,
        seller_name=organizer.name,
        seller_address=organizer_address(organizer),
        seller_vat_number=organizer.enterprise_number,
        seller_iban=organizer.iban,
        seller_bic=organizer.bic,
        customer_email=user.email,
        kmo_recognition_number=kmo_number,
        vat_mention=exemption_mention(exempt[0].vat_exemption_mention, language) if exempt else "",
        net_total=sum((r.net for r in registrations), Decimal("0.00")),
        vat_total=sum((r.vat for r in registrations), Decimal("0.00")),
        total=sum((r.total for r in registrations), Decimal("0.00")),
        **buyer,
    )
    lines = InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                registration=registration,
                description=_line_description(registration.edition, language),
                amount=registration.fee,
                discount=registration.discount,
                net=registration.net,
                vat_rate_percent=_vat_rate(registration.edition),
                vat=registration.vat,
                total=registration.total,
            )
            for registration in registrations
        ]
    )
    append_invoice(invoice, lines)  # audit trail, linked in the organizer's hash chain
    return invoice


def add_instalments(invoice: Invoice, parts: int) -> list[Instalment]:
    """Split an invoice into parts a month apart, the first on the invoice's due date; each has
    its own structured communication (a new one, see `new_communications`) and its own
    reminders."""
    if parts <= 1 or invoice.total <= 0:
        return []
    schedule = instalment_schedule(invoice.total, parts, invoice.due_date)
    communications = new_communications(len(schedule))
    instalments = Instalment.objects.bulk_create(
        [
            Instalment(
                invoice=invoice,
                number=number,
                amount=amount,
                due_date=due,
                structured_communication=communication,
            )
            for number, ((amount, due), communication) in enumerate(
                zip(schedule, communications, strict=True), start=1)
        ]
    )
    record("invoice.instalments", invoice, organizer=invoice.organizer_id, after={
        "instalments": [{"number": i.number, "amount": i.amount, "due_date": i.due_date,
                         "structured_communication": i.structured_communication}
                        for i in instalments]})
    return instalments


def _vat_rate(edition: Edition) -> Decimal:
    if edition.vat_treatment == Edition.VatTreatment.EXEMPT:
        return Decimal("0.00")
    return edition.vat_rate_percent


def registration_amounts(edition: Edition, discount: Decimal):
    """The price of one registration, snapshotted on it: fee, discount, net, VAT, total."""
    return line_amounts(edition.fee, discount, _vat_rate(edition))


def _line_description(edition: Edition, language: str) -> str:
    title = edition.course.title_en if language == "en" else edition.course.title_nl
    return f"{title} ({edition.code}, {edition.start:%d/%m/%Y})"


def credit_left(invoice: Invoice) -> tuple[Decimal, Decimal]:
    """What credit notes may still take off the invoice: (excluding VAT, VAT)."""
    done = CreditNote.objects.filter(invoice=invoice).aggregate(
        net=Sum("net_total", default=Decimal("0.00")),
        vat=Sum("vat_total", default=Decimal("0.00")))
    return invoice.net_total - done["net"], invoice.vat_total - done["vat"]


@transaction.atomic
def issue_credit_note(*, invoice: Invoice, net: Decimal, vat: Decimal, reason: str, user=None):
    """A credit note against an issued invoice, numbered in the organizer's own series."""
    if not reason.strip():
        raise ValueError(_("A credit note needs a reason."))
    today = timezone.localdate()
    # What is left is read under the invoice's row lock (the late-payment job takes the same
    # lock before the series'): two credit notes at the same moment, in any year's series,
    # would otherwise both find the whole amount left and together exceed the invoice.
    Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk").get()
    # This note may withdraw the invoice's late charges (below), which locks them. Finance
    # crediting a charge by hand takes its row, then the series: so the charges' rows are taken
    # here, before the series, or the two could wait for each other. (A charge has none.)
    charges = (list(Invoice.objects.select_for_update().filter(charged_for=invoice)
                    .values_list("pk", flat=True))
               if invoice.kind == Invoice.Kind.INVOICE else [])
    net_left, vat_left = credit_left(invoice)
    if net <= 0 or vat < 0 or net + vat > net_left + vat_left:
        raise ValueError(_("A credit note cannot exceed what is left on the invoice."))
    # Net and VAT each within what the invoice charged: VAT the invoice never charged would
    # reach the VAT return and the Peppol credit note.
    if net > net_left:
        raise ValueError(_("A credit note cannot take off more excluding VAT than is left on "
                           "the invoice (%(amount)s).") % {"amount": format_euro(net_left)})
    if vat > vat_left:
        raise ValueError(_("A credit note cannot take off more VAT than is left on the "
                           "invoice (%(amount)s).") % {"amount": format_euro(vat_left)})
    sequence = next_number(invoice.organizer, NumberSeries.Kind.CREDIT_NOTE, today.year)
    note = CreditNote.objects.create(
        organizer=invoice.organizer,
        invoice=invoice,
        number=credit_note_number(today.year, sequence),
        year=today.year,
        sequence=sequence,
        issue_date=today,
        reason=reason.strip(),
        net_total=net,
        vat_total=vat,
        total=net + vat,
        created_by=user,
    )
    append_credit_note(note, actor=user)  # audit trail, linked in the organizer's hash chain
    # Seed 2 art. 4.4: the unpaid flag is about money that is late. A credit note that leaves
    # nothing late (nothing owed; in instalments no overdue part open) lifts it in this
    # transaction, by the rule and function the payments use (which audit no lift either).
    from billing.dunning_flags import lift_flags_when_settled

    lift_flags_when_settled([invoice.pk], today, reason="credited")
    if charges:
        # Seed 2 art. 4.7: a charge taken on money the correction shows was not owed late is
        # withdrawn (billing/late_charge_withdrawal.py).
        from billing.late_charge_withdrawal import withdraw_charges_paid_in_time

        withdraw_charges_paid_in_time([invoice.pk], cause="credited")
    return note
