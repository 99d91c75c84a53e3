"""The daily late-payment job (seed 2 art. 4.4 and 4.7; rules.md §3).

For every invoice still open after its due date (or every overdue part of an invoice paid in
instalments; late-payment charges themselves are never dunned):

1. the day after the due date: a free written reminder, e-mailed with the invoice attached and a
   term (the organizer's ``reminder_term_days``, 14 by default), and an unpaid flag on each
   confirmed registration of the invoice (seed 2 art. 4.4: sessions and exams may be refused);
2. the day after that term, if still unpaid: a late-payment charge, a separate invoice with its
   own number (the organizer's invoice series) and structured communication, holding the late
   interest (``billing.interest``) and the flat fee (``billing.latefees.flat_fee``, or the fixed
   40.00 of the law of 2 August 2002 for company debtors when the organizer chose that rule),
   and a second notice with the charge attached.

Idempotent: each step is a ``LatePaymentStep`` row, unique per (invoice, part, kind), written
in the same transaction as its e-mail (outbox) and its charge. Reminders are taken per chunk
of up to ``chunk_size`` invoices in one transaction: one ``SELECT ... FOR UPDATE SKIP LOCKED``
locks the chunk's invoices and reads what was paid and credited as of now, their steps are read
again under that lock, then the steps, the unpaid flags and the e-mails are inserted in one
statement each (``queue_emails``). A chunk that raises is rolled back and its invoices are
taken again one by one, each in its own transaction (the per-invoice path), so one bad invoice
does not stop the others. Charges (rare: they need a reminder whose term has passed) always take
the per-invoice path, through ``issue_late_charge``, so the organizer's number series is locked
for one charge at a time. Invoices another run holds are skipped, steps are re-read under the
lock, so two runs at once, or a run after a crash, never act twice; the unique constraint is the
last line of defence. Bounded queries: one per run (the rates), four per batch of candidates
(invoices, steps, parts, registrations), about eight per chunk of reminders, and a constant
number per charge (15, most of them in queue_email/next_number).

Readings: interest runs after the reminder's term up to the charge date (billing/interest.py);
fee and interest are on what is open on the charge date (a part payment lowers them); which
part money pays is one rule, ``billing.instalment_allocation`` (money not paid to a given part
pays the oldest parts first), shared with the withdrawal of a charge paid in time; the fixed
40.00 applies to company buyers only (billing/latecharges.py); the charge is taken once, so
interest after the charge date is not invoiced by this job; an unpaid flag lifted by staff is
not raised again by the same invoice's charge, only by the reminder of a later part.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.instalment_allocation import Part, overdue_open
from billing.latecharges import ChargeAmounts, Due, charge_amounts, issue_late_charge
from billing.models import (
    Instalment,
    InterestRate,
    Invoice,
    InvoiceLine,
    LatePaymentStep,
    UnpaidFlag,
)
from billing.payments import instalments_of, overdue_of_parts, with_amounts
from portal.outbox import Email, queue_email, queue_emails

logger = logging.getLogger(__name__)

REMINDER, CHARGE = LatePaymentStep.Kind.REMINDER, LatePaymentStep.Kind.CHARGE
MAX_ERRORS = 100
CHUNK_SIZE = 100  # reminders per transaction


@dataclass
class JobReport:
    today: date
    batches: int = 0
    examined: int = 0  # candidate invoices looked at
    reminders: int = 0
    charges: int = 0
    skipped: int = 0  # held by another run, or its step was taken concurrently
    failed: int = 0  # steps not taken because of an error (a missing rate, ...): see the log
    errors: list[str] = field(default_factory=list)  # the first MAX_ERRORS of them

    def fail(self, message: str) -> None:
        logger.warning("Late-payment job: %s", message)
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def as_dict(self) -> dict:
        return {**self.__dict__, "today": self.today.isoformat()}


def run_late_payment_job(today: date, *, batch_size: int = 500,
                         chunk_size: int = CHUNK_SIZE) -> JobReport:
    """Take today's late-payment steps for all overdue invoices, in batches by pk (keyset);
    reminders in chunks of `chunk_size` per transaction, charges one invoice at a time."""
    report = JobReport(today=today)
    rates = list(InterestRate.objects.values_list("valid_from", "valid_until",
                                                  "annual_rate_percent"))
    last_pk = 0
    while True:
        batch = list(candidates(today).filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        report.batches += 1
        ids = [invoice.pk for invoice in batch]
        steps, parts, registrations = _steps_of(ids), instalments_of(ids), _registrations_of(ids)
        reminders, one_by_one = [], []
        for invoice in batch:
            report.examined += 1
            actions = plan(invoice, steps[invoice.pk], parts[invoice.pk], today)
            if any(kind == CHARGE for kind, _due, _term in actions):
                one_by_one.append(invoice)
            elif actions:
                reminders.append(invoice)
        in_parts = {pk for pk in ids if parts[pk]}
        for start in range(0, len(reminders), chunk_size):
            chunk = reminders[start:start + chunk_size]
            one_by_one += _remind_chunk(chunk, in_parts, registrations, today, report)
        for invoice in sorted(one_by_one, key=lambda invoice: invoice.pk):
            _act(invoice, invoice.pk in in_parts, registrations[invoice.pk], today, rates, report)
        if len(batch) < batch_size:
            break
        last_pk = batch[-1].pk
    logger.info("Late-payment job %s", report.as_dict())
    return report


def candidates(today: date):
    """Open invoices past their due date with a step that may be due today (a superset). An
    invoice in instalments only while a part past its due date is left open by the allocation
    rule (``overdue_of_parts``, in the same query): one whose late parts are all paid has no
    step to take, and was otherwise read, locked and planned every day for nothing."""
    whole = LatePaymentStep.objects.filter(invoice=OuterRef("pk"), instalment__isnull=True)
    part = LatePaymentStep.objects.filter(instalment=OuterRef("pk"))
    open_parts = (
        Instalment.objects.filter(invoice=OuterRef("pk"), due_date__lt=today)
        .exclude(Exists(part.filter(kind=CHARGE)))
        .exclude(Exists(part.filter(kind=REMINDER, term_until__gte=today)))
    )
    in_parts = Exists(Instalment.objects.filter(invoice=OuterRef("pk")))
    return (
        with_amounts(Invoice.objects.filter(kind=Invoice.Kind.INVOICE, due_date__lt=today))
        .annotate(amount_open=F("total") - F("credited") - F("paid"))
        .alias(parts_overdue=overdue_of_parts(today))
        .filter(amount_open__gt=0)
        .filter((Exists(open_parts) & Q(parts_overdue__gt=0))
                | (~in_parts & ~Exists(whole.filter(kind=CHARGE))
                   & ~Exists(whole.filter(kind=REMINDER, term_until__gte=today))))
        .select_related("organizer", "user")
        .order_by("pk")
    )


def dues(invoice: Invoice, parts: list[Instalment], today: date) -> list[Due]:
    """The overdue amounts: the whole invoice's, or each overdue part's as attributed by
    ``billing.instalment_allocation`` (the rule the withdrawal of a charge uses too)."""
    amount_open = invoice.total - invoice.credited - invoice.paid
    if amount_open <= 0:
        return []
    if not parts:
        return [Due(invoice, None, amount_open)] if invoice.due_date < today else []
    late = overdue_open([Part.of(part) for part in parts], invoice.credited + invoice.paid,
                        today)
    return [Due(invoice, part, late[part.number])
            for part in sorted(parts, key=lambda p: p.number) if part.number in late]


def plan(invoice, steps: dict, parts: list, today: date) -> list[tuple[str, Due, date | None]]:
    """The steps due today: (kind, due, the reminder's term for a charge)."""
    actions = []
    for due in dues(invoice, parts, today):
        part_id = due.instalment.pk if due.instalment else None
        if (part_id, REMINDER) not in steps:
            actions.append((REMINDER, due, None))
        elif steps[part_id, REMINDER] < today and (part_id, CHARGE) not in steps:
            actions.append((CHARGE, due, steps[part_id, REMINDER]))
    return actions


def _remind_chunk(invoices, in_parts: set, registrations, today, report) -> list:
    """Reminders for a chunk of invoices in one transaction: lock the chunk (skipping what
    another run holds), re-read amounts and steps under the lock, insert the steps, flags and
    e-mails in bulk. Returns the invoices left to the per-invoice path: all of them when the
    chunk raised (rolled back whole), else those that turned out to need a charge."""
    by_pk = {invoice.pk: invoice for invoice in invoices}
    try:
        with transaction.atomic():
            locked = dict(
                (pk, (paid, credited)) for pk, paid, credited in
                with_amounts(Invoice.objects.filter(pk__in=list(by_pk)))
                .select_for_update(skip_locked=True).order_by("pk")
                .values_list("pk", "paid", "credited")
            )
            steps = _steps_of(list(locked))
            parts = instalments_of([pk for pk in locked if pk in in_parts]) if in_parts else {}
            dues, later = [], []
            for pk, (paid, credited) in locked.items():
                invoice = by_pk[pk]
                invoice.paid, invoice.credited = paid, credited
                actions = plan(invoice, steps[pk], parts.get(pk, []), today)
                if any(kind == CHARGE for kind, _due, _term in actions):
                    later.append(invoice)  # after this commit, on its own
                else:
                    dues += [due for _kind, due, _term in actions]
            if dues:
                _remind_all(dues, registrations, today)
    except (OperationalError, InterfaceError):
        raise  # the database is gone: stop here; the next run takes up what is left
    except Exception as error:  # IntegrityError too: let the per-invoice path sort it out
        logger.info("Late-payment job: a chunk of %s invoices failed (%s: %s); taking them "
                    "one by one", len(invoices), type(error).__name__, error)
        return list(invoices)
    report.skipped += len(by_pk) - len(locked)
    report.reminders += len(dues)
    return later


def _remind_all(dues: list[Due], registrations, today: date) -> None:
    """The reminders of a chunk (what `_remind` does for one), one insert per table."""
    steps = LatePaymentStep.objects.bulk_create(
        LatePaymentStep(invoice=due.invoice, instalment=due.instalment, kind=REMINDER,
                        taken_on=today, term_until=_term_until(due.invoice, today))
        for due in dues
    )
    flags = {(registration, due.invoice.pk) for due in dues
             for registration in registrations[due.invoice.pk]}
    UnpaidFlag.objects.bulk_create(
        [UnpaidFlag(registration_id=registration, invoice_id=invoice, raised_on=today)
         for registration, invoice in sorted(flags)],
        ignore_conflicts=True,  # one open flag per registration: an open one stays as it is
    )
    queue_emails(_reminder_email(due, step.term_until)
                 for due, step in zip(dues, steps, strict=True))


def _act(invoice, in_parts, registration_ids, today, rates, report) -> None:
    """One invoice, one transaction: lock it (or skip it), re-read, take the steps due."""
    done, pk = [], invoice.pk
    try:
        with transaction.atomic():
            # The row lock, and what was paid and credited as of now (a payment may have come
            # in since the batch was read); a row another run holds is left to that run.
            fresh = list(with_amounts(Invoice.objects.filter(pk=pk))
                         .select_for_update(skip_locked=True).values_list("paid", "credited"))
            if not fresh:
                report.skipped += 1
                return
            invoice.paid, invoice.credited = fresh[0]
            parts = instalments_of([pk])[pk] if in_parts else []
            for kind, due, term_until in plan(invoice, _steps_of([pk])[pk], parts, today):
                if kind == REMINDER:
                    _remind(due, registration_ids, today)
                else:
                    try:
                        amounts = charge_amounts(due, term_until, today, rates)
                    except ValueError as error:
                        report.fail(f"invoice {invoice.number}: {error}")
                        continue
                    _charge(due, today, amounts)
                done.append(kind)
    except IntegrityError:
        report.skipped += 1
        return
    except (OperationalError, InterfaceError):
        raise  # the database is gone: stop here; the next run takes up what is left
    except Exception as error:  # one invoice's problem must not stop the others, every day
        logger.exception("Late-payment job: invoice %s failed", invoice.number)
        report.fail(f"invoice {invoice.number}: {type(error).__name__}: {error}")
        return
    report.reminders += done.count(REMINDER)
    report.charges += done.count(CHARGE)


def _remind(due: Due, registration_ids: list[int], today: date) -> None:
    invoice = due.invoice
    step = LatePaymentStep.objects.create(
        invoice=invoice, instalment=due.instalment, kind=REMINDER, taken_on=today,
        term_until=_term_until(invoice, today),
    )
    UnpaidFlag.objects.bulk_create(
        [UnpaidFlag(registration_id=r, invoice=invoice, raised_on=today) for r in registration_ids],
        ignore_conflicts=True,  # one open flag per registration: an open one stays as it is
    )
    email = _reminder_email(due, step.term_until)
    queue_email(to=email.to, user=email.user, subject=email.subject, template=email.template,
                context=email.context, language=email.language, attachments=email.attachments,
                dedup_key=email.dedup_key)


def _term_until(invoice: Invoice, today: date) -> date:
    return today + timedelta(days=invoice.organizer.reminder_term_days)


def _reminder_email(due: Due, term_until: date) -> Email:
    subject = (gettext_noop("Payment reminder: invoice %(number)s, part %(part)s") if due.instalment
               else gettext_noop("Payment reminder: invoice %(number)s"))
    return _email(due, "payment_reminder", "late-reminder", subject, due.invoice.pk,
                  {"term_until": term_until})


def _charge(due: Due, today: date, amounts: ChargeAmounts) -> None:
    charge = issue_late_charge(due=due, today=today, amounts=amounts)
    LatePaymentStep.objects.create(invoice=due.invoice, instalment=due.instalment, kind=CHARGE,
                                   taken_on=today, charge=charge)
    # One charge per late part: the subject names the part, as the reminder's does.
    subject = (gettext_noop("Late-payment charge %(charge)s for invoice %(number)s, part %(part)s")
               if due.instalment else
               gettext_noop("Late-payment charge %(charge)s for invoice %(number)s"))
    _mail(due, "late_charge_notice", "late-charge", subject, charge.pk,
          {"charge": charge, "interest": amounts.interest, "fee": amounts.fee,
           "days": amounts.days})


def _mail(due: Due, template: str, key: str, subject: str, attached: int, extra: dict) -> None:
    email = _email(due, template, key, subject, attached, extra)
    queue_email(to=email.to, user=email.user, subject=email.subject, template=email.template,
                context=email.context, language=email.language, attachments=email.attachments,
                dedup_key=email.dedup_key)


def _email(due: Due, template: str, key: str, subject: str, attached: int, extra: dict) -> Email:
    """The e-mail in the participant's language, the document attached; one per step."""
    invoice, user = due.invoice, due.invoice.user
    language = user.preferred_language
    with translation.override(language):
        subject = _(subject) % {"number": invoice.number, "charge": extra.get("charge", ""),
                                "part": due.instalment.number if due.instalment else ""}
    return Email(
        to=user.email, user=user, subject=subject, template=f"billing/{template}",
        context={"user": user, "invoice": invoice, "instalment": due.instalment,
                 "amount_open": due.amount_open, "communication": due.communication, **extra},
        language=language, attachments=({"kind": "invoice_pdf", "id": attached},),
        dedup_key=f"{key}:{due.key}",
    )


def _steps_of(ids) -> dict[int, dict]:
    steps = defaultdict(dict)
    rows = LatePaymentStep.objects.filter(invoice_id__in=ids).values_list(
        "invoice_id", "instalment_id", "kind", "term_until")
    for invoice_id, instalment_id, kind, term_until in rows:
        steps[invoice_id][instalment_id, kind] = term_until
    return steps


def _registrations_of(ids) -> dict[int, list[int]]:
    registrations = defaultdict(list)
    rows = InvoiceLine.objects.filter(
        invoice_id__in=ids, registration__status="confirmed"
    ).values_list("invoice_id", "registration_id")
    for invoice_id, registration_id in rows:
        registrations[invoice_id].append(registration_id)
    return registrations
