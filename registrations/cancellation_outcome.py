"""What an edition's policy keeps and refunds of one registration on a given date: the one
function both the participant's preview and the staff's confirmation call (rules.md §4)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from courses.conditions import policy_b_parameters
from courses.models import CourseUnit, Edition
from registrations.policies import academic_year, days_before_start, free_training, tiered


@dataclass(frozen=True)
class Outcome:
    policy: str
    kept: Decimal  # excluding VAT
    refunded: Decimal  # excluding VAT: what the credit note takes off
    refunded_vat: Decimal
    inputs: dict

    @property
    def credited_total(self) -> Decimal:
        return self.refunded + self.refunded_vat


def policy_outcome(
    registration,
    cancelled_on: date,
    *,
    force_majeure: bool = False,
    waive_programme_amount: bool = False,
) -> Outcome:
    """The policy applies to the registration's fee as snapshotted at registration; a discount
    lowers what is owed, so what is kept never exceeds the discounted net amount."""
    edition = registration.edition
    policy = edition.cancellation_policy
    fee = registration.fee
    inputs = {"fee": str(fee), "cancelled_on": cancelled_on.isoformat(),
              "start": edition.start.isoformat()}
    if policy == Edition.Policy.ACADEMIC_YEAR:
        credits = _credits_by_semester(edition, registration)
        inputs.update(credits={k: str(v) for k, v in credits.items()},
                      registered_on=registration.registered_on.isoformat(),
                      year_start=edition.academic_year.start.isoformat(),
                      waive_programme_amount=waive_programme_amount)
        split = academic_year(
            registration.programme_amount, registration.credit_amount, credits,
            edition.academic_year.start, registration.registered_on, cancelled_on,
            waive_programme_amount=waive_programme_amount,
        )
    elif policy == Edition.Policy.DAYS_BEFORE_START:
        total, held = _sessions(edition, cancelled_on)
        parameters = policy_b_parameters(edition)
        inputs.update(force_majeure=force_majeure, sessions_total=total, sessions_held=held,
                      **{k: str(v) for k, v in parameters.items()})
        split = days_before_start(
            fee, edition.start, cancelled_on, force_majeure=force_majeure,
            sessions_total=total, sessions_held=held, **parameters,
        )
    elif policy == Edition.Policy.TIERED:
        table = [(tier.days, tier.percent_kept) for tier in edition.tiers.all()]
        inputs.update(tiers=[[d, str(p)] for d, p in table])
        split = tiered(fee, edition.start, cancelled_on, table)
    else:
        split = free_training(fee)
    kept = min(split.kept, registration.net)
    return _with_vat(policy, registration, kept, inputs)


def full_refund(registration, reason: str) -> Outcome:
    """The organizer cancels, or a participant cancels free of charge after a change
    (seed 2 art. 6): nothing is kept."""
    return _with_vat(reason, registration, Decimal("0.00"), {"reason": reason})


def _with_vat(policy, registration, kept: Decimal, inputs: dict) -> Outcome:
    refunded = registration.net - kept
    if refunded == registration.net:
        vat = registration.vat  # the whole line: exactly its VAT, no rounding difference
    elif registration.net:
        vat = (registration.vat * refunded / registration.net).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    else:
        vat = Decimal("0.00")
    return Outcome(policy=policy, kept=kept, refunded=refunded, refunded_vat=vat, inputs=inputs)


def _credits_by_semester(edition, registration) -> dict[str, Decimal]:
    """The credits of the course units by semester. The registration's fee was snapshotted
    from the course's total credits; credits it paid for that no unit (yet) carries count as
    second-semester ones (owed only from 15 March), so that from 15 March the whole fee is kept,
    as seed 1 says, even when the units do not add up to the total."""
    credits = {"first": Decimal(0), "second": Decimal(0), "year": Decimal(0)}
    for unit in edition.course.units.all():
        key = {CourseUnit.Semester.FIRST: "first", CourseUnit.Semester.SECOND: "second"}.get(
            unit.semester, "year"
        )
        credits[key] += unit.credits
    if registration.credit_amount > 0:
        paid_for = (registration.fee - registration.programme_amount) / registration.credit_amount
        credits["second"] += max(paid_for - sum(credits.values()), Decimal(0))
    return credits


def _sessions(edition, cancelled_on: date) -> tuple[int, int]:
    """All sessions, and those held before the cancellation date (seed 2 art. 5.2: pro rata)."""
    from django.utils import timezone

    starts = [timezone.localdate(s.starts_at) for s in edition.sessions.all()]
    return len(starts), sum(1 for day in starts if day < cancelled_on)
