"""What an edition's page says about registering and cancelling, in words (rules.md §1, §4).

The sentences are built from the edition's policy data (amounts, days, tiers) in the active
language; the amounts and dates that the policies in ``registrations.policies`` compute are the
same ones written out here, so the page and the refund agree.

For a fixed number of queries on a page, prefetch ``tiers`` (policy C) and ``course__units``
(policy A) on the edition before calling ``cancellation_conditions``.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import CourseUnit, Edition
from courses.templatetags.portal_format import (
    format_date,
    format_euro,
    format_number,
    format_percent,
)
from registrations.policies import days_before_start, registration_deadline, tiered


def registration_closes_on(edition: Edition) -> date:
    """The last day registration is open: ``start - registration_closes_days_before``.

    Our reading of seed 2, art. 3.2 (rules.md §1): "up to and including the 7th calendar day
    before the start" (start 2027-03-15 -> last day 2027-03-08), the number of days being the
    edition's setting. The rule itself lives in ``registrations.policies.registration_deadline``.
    """
    return registration_deadline(edition.start, edition.registration_closes_days_before)


def is_open_for_registration(edition: Edition, today: date | None = None) -> bool:
    """Open status and the deadline not yet passed: the same test as
    ``EditionQuerySet.open_for_registration``."""
    today = today or timezone.localdate()
    return edition.status == Edition.Status.OPEN and registration_closes_on(edition) >= today


def cancellation_conditions(edition: Edition, registration=None) -> list[str]:
    """The edition's cancellation conditions as a list of sentences, in the active language.

    With a `registration` (of that edition) the amounts are that person's: computed from the
    price snapshotted on the registration (after a voucher, before a later price change) by
    ``registrations.cancellation_outcome.policy_outcome``, the function that decides their real
    cancellation; without one, from the edition's current list fee (the edition's page)."""
    policy = edition.cancellation_policy
    if policy == Edition.Policy.ACADEMIC_YEAR:
        return _academic_year(edition, registration)
    if policy == Edition.Policy.DAYS_BEFORE_START:
        return _days_before_start(edition, registration)
    if policy == Edition.Policy.TIERED:
        return _tiered(edition, registration)
    return [_("Free training: notifying us is enough.")]


def _split(edition: Edition, registration, day: date, fee: Decimal, split_of_fee):
    """(kept, refunded) excluding VAT on `day`: the registration's own outcome when given,
    else `split_of_fee(edition.fee)` (the edition's list fee)."""
    if registration is None:
        split = split_of_fee(fee)
        return split.kept, split.refunded
    from registrations.cancellation_outcome import policy_outcome

    outcome = policy_outcome(registration, day)
    return outcome.kept, outcome.refunded


def _academic_year(edition: Edition, registration=None) -> list[str]:
    """Policy A (seed 1, "postgraduate degrees and micro-credentials"; rules.md §4 A)."""
    year_start = edition.academic_year.start
    december_first = date(year_start.year, 12, 1)
    march_fifteenth = date(year_start.year + 1, 3, 15)
    # A registration's own amounts: as snapshotted, never more than what it pays (its net).
    source = registration if registration is not None else edition
    cap = registration.net if registration is not None else None
    programme_amount = source.programme_amount if cap is None else min(
        source.programme_amount, cap)
    programme = format_euro(programme_amount)
    values = {
        "year_start": format_date(year_start),
        "november_30": format_date(december_first - timedelta(days=1)),
        "december_1": format_date(december_first),
        "march_14": format_date(march_fifteenth - timedelta(days=1)),
        "march_15": format_date(march_fifteenth),
        "programme": programme,
        "per_credit": format_euro(source.credit_amount),
    }
    step_4 = (
        _(
            "From %(december_1)s up to and including %(march_14)s: you owe the amount per "
            "programme (%(programme)s) plus %(per_credit)s per credit of the first-semester and "
            "year-long course units."
        )
        % values
    )
    units = list(edition.course.units.all())
    if units:
        credits = sum(
            (u.credits for u in units if u.semester != CourseUnit.Semester.SECOND), Decimal(0)
        )
        owed = source.programme_amount + source.credit_amount * credits
        if cap is not None:
            owed = min(owed, cap)
        step_4 += " " + ngettext(
            "For this programme: %(credits)s credit, %(owed)s in all.",
            "For this programme: %(credits)s credits, %(owed)s in all.",
            int(credits) if credits == credits.to_integral_value() else 2,
        ) % {"credits": format_number(credits), "owed": format_euro(owed)}
    return [
        _("Before the start of the academic year (%(year_start)s): the full fee is refunded.")
        % values,
        _("Within 14 days after your registration: the full fee is refunded, whatever the date."),
        _(
            "From the start of the academic year up to and including %(november_30)s: you owe "
            "only the amount per programme (%(programme)s)."
        )
        % values,
        step_4,
        _("From %(march_15)s: nothing is refunded.") % values,
    ]


def policy_b_parameters(edition: Edition) -> dict:
    """The edition's policy B settings as keyword arguments of ``days_before_start``."""
    return {
        "percent_kept": edition.policy_b_percent_kept,
        "minimum_kept": edition.policy_b_minimum_kept,
        "days_before": edition.policy_b_days_before,
    }


def _days_before_start(edition: Edition, registration=None) -> list[str]:
    """Policy B (seed 2, art. 5; rules.md §4 B)."""
    fee = edition.fee if registration is None else registration.fee
    minimum = edition.policy_b_minimum_kept
    sentences = [
        _(
            "Up to and including %(date)s you can cancel: %(percent)s of the fee, at least "
            "%(minimum)s (never more than the fee), is kept and the rest is refunded."
        )
        % {
            "date": format_date(edition.start - timedelta(days=edition.policy_b_days_before)),
            "percent": format_percent(edition.policy_b_percent_kept),
            "minimum": format_euro(minimum),
        }
    ]
    if fee > 0:
        # The very function that decides a real cancellation, on the last free day.
        last_day = edition.start - timedelta(days=edition.policy_b_days_before)
        kept, refunded = _split(
            edition, registration, last_day, fee,
            lambda fee: days_before_start(fee, edition.start, last_day,
                                          **policy_b_parameters(edition)),
        )
        sentences.append(
            _("For this edition: %(kept)s is kept and %(refunded)s is refunded.")
            % {"kept": format_euro(kept), "refunded": format_euro(refunded)}
        )
    sentences.append(
        _(
            "Later, nothing is refunded, except in case of force majeure (for example a serious, "
            "long illness; the organizer decides): then the same amount is kept and the rest is "
            "refunded in proportion to the sessions not yet held."
        )
    )
    return sentences


def _tiered(edition: Edition, registration=None) -> list[str]:
    """Policy C (seed 1, "all other courses": conditions stated on the course; rules.md §4 C)."""
    fee = edition.fee if registration is None else registration.fee
    tiers = sorted(edition.tiers.all(), key=lambda tier: tier.days, reverse=True)
    if not tiers:
        return [_("Whenever you cancel, the full fee is kept.")]
    sentences = []
    table = [(tier.days, tier.percent_kept) for tier in tiers]
    for tier in tiers:
        # The very function that decides a real cancellation, on the tier's last day.
        day = edition.start - timedelta(days=tier.days)
        kept, _refunded = _split(
            edition, registration, day, fee,
            lambda fee, day=day: tiered(fee, edition.start, day, table),
        )
        if tier.days == 0:
            text = _(
                "Cancel at the latest on the day of the start (%(date)s): %(percent)s of the fee "
                "is kept (%(kept)s)."
            )
        else:
            text = ngettext(
                "Cancel at least %(days)s day before the start (up to and including %(date)s): "
                "%(percent)s of the fee is kept (%(kept)s).",
                "Cancel at least %(days)s days before the start (up to and including %(date)s): "
                "%(percent)s of the fee is kept (%(kept)s).",
                tier.days,
            )
        sentences.append(
            text
            % {
                "days": tier.days,
                "date": format_date(edition.start - timedelta(days=tier.days)),
                "percent": format_percent(tier.percent_kept),
                "kept": format_euro(kept),
            }
        )
    sentences.append(_("Later: the full fee is kept."))
    return sentences
