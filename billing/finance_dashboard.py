"""The numbers of the finance dashboard, from aggregate queries (a fixed number, any volume)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.ageing import BUCKETS, ageing_bucket
from billing.models import Instalment, InterestRate, Invoice, KmoProject, Payment
from billing.payments import parts_with_open, with_amounts

ZERO = Decimal("0.00")

# What the dashboard calls the ageing buckets of billing.ageing (which stays pure).
AGEING_LABELS = {
    "not_due": _("not yet due"),
    "0-30": _("1-30 days"),
    "31-60": _("31-60 days"),
    "61-90": _("61-90 days"),
    ">90": _("over 90 days"),
}


def open_invoices():
    return (
        with_amounts(Invoice.objects.all())
        .annotate(open_amount=F("total") - F("paid") - F("credited"))
        .filter(open_amount__gt=0)
    )


def dashboard_numbers(today=None) -> dict:
    today = today or timezone.localdate()
    per_month = defaultdict(lambda: ZERO)
    per_organizer = defaultdict(lambda: ZERO)
    ageing = dict.fromkeys(BUCKETS, ZERO)
    # Summed per due date in SQL first: Python then sees one row per (organizer, day). An
    # invoice in instalments is owed part by part: each part's open amount by the allocation
    # rule (billing.instalment_allocation), due and aged from that part's own due date, so a
    # part not due yet is "not yet due" and a paid part is not in the ageing at all, whatever
    # the invoice's due date (seed 2 art. 4.7: what is late is the overdue part).
    in_parts = Exists(Instalment.objects.filter(invoice=OuterRef("pk")))
    whole = (
        open_invoices().filter(~in_parts)
        .values(organizer_name=F("organizer__name"), day=F("due_date"))
        .annotate(amount=Sum("open_amount"))
        .order_by()
    )
    parts = (
        parts_with_open(Instalment.objects.filter(invoice__in=open_invoices().values("pk")))
        .filter(open__gt=0)
        .values(organizer_name=F("invoice__organizer__name"), day=F("due_date"))
        .annotate(amount=Sum("open"))
        .order_by()
    )
    for row in (*whole, *parts):
        per_month[row["day"].replace(day=1)] += row["amount"]
        per_organizer[row["organizer_name"]] += row["amount"]
        ageing[ageing_bucket(row["day"], today)] += row["amount"]
    kmo_expected = KmoProject.objects.aggregate(total=Sum("expected_amount"))["total"] or ZERO
    kmo_received = (
        Payment.objects.filter(
            method=Payment.Method.KMO_PORTEFEUILLE, invoice__kmo_project__isnull=False
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    paid_per_month = (
        Payment.objects.filter(paid_on__gte=today - timedelta(days=365))
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(amount=Sum("amount"))
        .order_by("month")
    )
    months = sorted(per_month)
    return {
        "per_month": [(m, per_month[m]) for m in months],
        "per_organizer": sorted(per_organizer.items()),
        "ageing": [(AGEING_LABELS[bucket], ageing[bucket]) for bucket in BUCKETS],
        "kmo_still_expected": kmo_expected - kmo_received,
        "paid_per_month": list(paid_per_month),
        "total_open": sum(per_organizer.values(), ZERO),
        "rate_missing_for": missing_interest_rate(today),
    }


def missing_interest_rate(today):
    """The first day of today's half-year when no late-interest rate covers today, else None.

    Without it the daily job charges no late interest (seed 2 art. 4.7: no rate, no charge; the
    job reports the day), so finance must see it before the first charge of the half-year.
    """
    if InterestRate.objects.filter(valid_from__lte=today, valid_until__gte=today).exists():
        return None
    return today.replace(month=1 if today.month <= 6 else 7, day=1)


def bar_chart(points, width=640, bar_height=22) -> dict:
    """Bars for an inline SVG chart drawn by the template (no chart library, no CDN)."""
    largest = max((amount for _, amount in points), default=ZERO) or Decimal(1)
    bars = [
        {
            "label": label,
            "amount": amount,
            "y": index * (bar_height + 6),
            "width": int(Decimal(width) * amount / largest),
            "height": bar_height,
        }
        for index, (label, amount) in enumerate(points)
    ]
    return {"bars": bars, "height": len(bars) * (bar_height + 6) + 6}
